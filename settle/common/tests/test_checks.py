from django.core.checks import WARNING, run_checks
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


def _deploy_check_ids() -> list[str]:
    return [e.id for e in run_checks(include_deployment_checks=True)]


def test_it_warns_about_an_http_base_url_in_production(settings, db):
    settings.PRODUCTION = True
    settings.SETTLE_BASE_URL = "http://settle.example.org"

    warnings = [e for e in run_checks(include_deployment_checks=True) if e.id == "settle.W002"]

    assert len(warnings) == 1
    assert warnings[0].level == WARNING
    assert "https://" in warnings[0].hint


def test_it_takes_an_https_base_url_in_production(settings, db):
    settings.PRODUCTION = True
    settings.SETTLE_BASE_URL = "https://settle.example.org"

    assert "settle.W002" not in _deploy_check_ids()


def test_it_lets_development_keep_its_http_base_url(settings):
    settings.SETTLE_BASE_URL = "http://127.0.0.1:8000"

    assert "settle.W002" not in _deploy_check_ids()
