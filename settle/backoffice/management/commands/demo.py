from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from settle.backoffice.demo import demo_load
from settle.receivables.demo import demo_is_loaded
from settle.receivables.demo_users import (
    ADMIN_USERNAME,
    STAFF_USERNAME,
    demo_passwords_reset,
    demo_users_disable,
)
from settle.responses.demo import demo_responses_load


class Command(BaseCommand):
    # Django gives argparse this text as it is; a lazy translation would break `--help`.
    help = (
        "Load an organisation's demo data once (debtors, invoices, payments, debtors' responses "
        "with their tasks and arrangements, an employee and an administrator) and print the "
        "sign-in details."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give the demo users new passwords and print them.",
        )
        parser.add_argument(
            "--disable-users",
            action="store_true",
            help=(
                "Switch the demo users off for good (inactive, no password), also in production; "
                "the rest of the demo data stays."
            ),
        )

    def handle(self, *args, reset_passwords: bool, disable_users: bool, **options):
        if disable_users:
            disabled = demo_users_disable()
            with translation.override("en"):
                self.stdout.write(
                    _("Demo users switched off: %(users)s.")
                    % {"users": ", ".join(disabled) or _("none")}
                )
            return
        if settings.PRODUCTION:
            with translation.override("en"):
                raise CommandError(_("Demo data is not loaded with SETTLE_ENV=production."))
        if reset_passwords and demo_is_loaded():
            passwords = demo_passwords_reset()
            with translation.override("en"):
                self._print_logins(passwords)
            return
        with transaction.atomic():
            result = demo_load()
            responses = demo_responses_load(today=timezone.localdate()) if result.loaded else []
        # The console speaks English, like the README; the data keeps the organisation's language.
        with translation.override("en"):
            self._print_result(result, responses)

    def _print_result(self, result, responses: list) -> None:
        if not result.loaded:
            self.stdout.write(_("The demo data is already loaded; nothing was changed."))
            self.stdout.write(
                _(
                    "The passwords of %(staff)s and %(admin)s were printed when it was loaded; "
                    "run `settle demo --reset-passwords` to set and print new ones."
                )
                % {"staff": STAFF_USERNAME, "admin": ADMIN_USERNAME}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data loaded: %(debtors)d debtors, %(invoices)d invoices, "
                    "%(payments)d payments, %(responses)d responses."
                )
                % {
                    "debtors": result.debtors,
                    "invoices": result.invoices,
                    "payments": result.payments,
                    "responses": len(responses),
                }
            )
        )
        self._print_logins(result.passwords)

    def _print_logins(self, passwords: dict[str, str]) -> None:
        login = settings.SETTLE_BASE_URL + reverse("backoffice:login")
        self.stdout.write(_("Back office: %(url)s") % {"url": login})
        self.stdout.write(
            _("  Employee:      %(user)s / %(password)s")
            % {"user": STAFF_USERNAME, "password": passwords[STAFF_USERNAME]}
        )
        self.stdout.write(
            _("  Administrator: %(user)s / %(password)s")
            % {"user": ADMIN_USERNAME, "password": passwords[ADMIN_USERNAME]}
        )
