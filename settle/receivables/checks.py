from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from settle.common.checks import PRODUCTION_STARTUP
from settle.receivables.demo_users import demo_users_signing_in


@register(Tags.security, PRODUCTION_STARTUP, deploy=True)
def demo_users_check(app_configs, **kwargs):
    """A database loaded with the demo and then served in production must not let the demo's
    users in: their passwords were printed on whatever console loaded it."""
    if not settings.PRODUCTION:
        return []
    try:
        usernames = demo_users_signing_in()
    except DatabaseError:
        # No database or no tables yet (a deployment before its first migrate): no demo users.
        return []
    if not usernames:
        return []
    return [
        Error(
            f"The demo's users can sign in: {', '.join(usernames)}. Their passwords were printed "
            "on the console that loaded the demo data.",
            hint=(
                "Run `settle demo --disable-users` to switch them off (the rest of the demo data "
                "stays), or load the production data into a new database."
            ),
            id="settle.E002",
        )
    ]
