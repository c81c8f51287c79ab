"""The demo's users: an employee and an administrator with random passwords, printed once when
they are set; and, in a database that is to go into production, recognising and disabling them."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Q

STAFF_USERNAME = "medewerker"
ADMIN_USERNAME = "beheerder"


def demo_email(username: str) -> str:
    """The e-mail address the demo gives its user `username` (how its users are recognised)."""
    return f"{username}@example.nl"


def _password() -> str:
    # Random (never from the demo's seeded generator), easy to type: four groups of four.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def demo_users_create() -> dict[str, str]:
    """Create the demo's employee and administrator if they are missing and give both a new
    random password. Returns the passwords by username, for the caller to show once."""
    user_model = get_user_model()
    people = [
        (STAFF_USERNAME, "Mila", "de Wit", False),
        (ADMIN_USERNAME, "Bram", "Hoekstra", True),
    ]
    passwords = {}
    for username, first_name, last_name, superuser in people:
        user, _created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": demo_email(username),
                "is_staff": True,
                "is_superuser": superuser,
            },
        )
        passwords[username] = _password()
        user.set_password(passwords[username])
        user.save(update_fields=["password"])
    return passwords


def demo_passwords_reset() -> dict[str, str]:
    """Give the two demo users new random passwords (creating them if they are gone)."""
    with transaction.atomic():
        return demo_users_create()


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
