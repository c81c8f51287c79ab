"""The demo's users in a database that is to go into production: recognising and disabling them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Q

from settle.receivables.demo import ADMIN_USERNAME, STAFF_USERNAME, demo_email


def _demo_users():
    """The users the demo created: its usernames with the e-mail address it gave them.

    Both must match, so an organisation's own account that happens to be called `beheerder`
    ("administrator") is not taken for the demo's.
    """
    user_model = get_user_model()
    by_user = Q()
    for username in (STAFF_USERNAME, ADMIN_USERNAME):
        by_user |= Q(**{user_model.USERNAME_FIELD: username, "email": demo_email(username)})
    return user_model.objects.filter(by_user)


def demo_users_signing_in() -> list[str]:
    """The usernames of the demo's users that can still sign in (active, with a password).

    Their passwords were printed on a console when the demo was loaded; production must not
    run while they work (see settle.receivables.checks).
    """
    users = (
        _demo_users().filter(is_active=True).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    )
    return sorted(user.get_username() for user in users)


def demo_users_disable() -> list[str]:
    """Switch the demo's users off for good: inactive, without a password. Returns their names.

    The rest of the demo data stays; an administrator removes it as they would any data.
    """
    with transaction.atomic():
        users = list(_demo_users().select_for_update())
        for user in users:
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["is_active", "password"])
    return sorted(user.get_username() for user in users)
