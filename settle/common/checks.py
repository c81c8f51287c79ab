from django.conf import settings
from django.core.checks import Error, Tags, Warning, register, run_checks
from django.core.management.base import SystemCheckError

CSRF_MIDDLEWARE = "settle.common.csrf.NoReferrerCsrfViewMiddleware"


@register(Tags.security, deploy=True)
def csrf_middleware_check(app_configs, **kwargs):
    """Stands in for Django's W003, silenced because it only knows its own middleware's name."""
    if CSRF_MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [Error(f"{CSRF_MIDDLEWARE} must be in MIDDLEWARE.", id="settle.E001")]


# Checks with this tag also run when a production server or worker starts (see
# production_startup_refuse): what they find must stop Settle, not only the deploy check.
PRODUCTION_STARTUP = "settle_production_startup"


@register(Tags.security, deploy=True)
def base_url_https_check(app_configs, **kwargs):
    """Portal keys travel in the links built from SETTLE_BASE_URL: in production, over TLS."""
    if not settings.PRODUCTION or not settings.SETTLE_BASE_URL.lower().startswith("http://"):
        return []
    return [
        Warning(
            f"SETTLE_BASE_URL is {settings.SETTLE_BASE_URL}: the links in e-mails and SMS, "
            "portal keys included, would travel unencrypted.",
            hint="Set SETTLE_BASE_URL to the https:// address the portal is served on.",
            id="settle.W002",
        )
    ]


def production_startup_refuse() -> None:
    """In production, raise SystemCheckError if a check tagged PRODUCTION_STARTUP fails.

    Called by `settle serve`, `settle worker` and the WSGI application (gunicorn), so a
    deployment that the deploy check would fail does not start at all.
    """
    if not settings.PRODUCTION:
        return
    errors = [
        message
        for message in run_checks(tags=[PRODUCTION_STARTUP], include_deployment_checks=True)
        if message.is_serious()
    ]
    if errors:
        raise SystemCheckError(
            "Settle refuses to start in production:\n" + "\n".join(str(e) for e in errors)
        )
