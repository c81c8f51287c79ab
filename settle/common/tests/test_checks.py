from django.core.checks import run_checks
from django.test import override_settings

from settle.common.checks import CSRF_MIDDLEWARE


def test_it_passes_the_deploy_check_for_csrf_with_our_middleware():
    errors = [e for e in run_checks(include_deployment_checks=True) if e.id == "settle.E001"]
    assert errors == []


def test_it_fails_the_deploy_check_without_csrf_middleware(settings):
    middleware = [m for m in settings.MIDDLEWARE if m != CSRF_MIDDLEWARE]
    with override_settings(MIDDLEWARE=middleware):
        ids = [e.id for e in run_checks(include_deployment_checks=True)]
    assert "settle.E001" in ids
