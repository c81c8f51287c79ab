from django.conf import settings
from django.core.checks import Error, Tags, register

CSRF_MIDDLEWARE = "settle.common.csrf.NoReferrerCsrfViewMiddleware"


@register(Tags.security, deploy=True)
def csrf_middleware_check(app_configs, **kwargs):
    """Stands in for Django's W003, silenced because it only knows its own middleware's name."""
    if CSRF_MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [Error(f"{CSRF_MIDDLEWARE} must be in MIDDLEWARE.", id="settle.E001")]
