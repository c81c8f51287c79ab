import uuid

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel
from settle.correspondence.services import message_send
from settle.portal.services import portal_link_issue, portal_link_url
from settle.receivables.models import Debtor


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # A property: argparse needs a plain string. The console speaks English, like the README.
        with translation.override("en"):
            return _(
                "Create a portal link for a debtor and print its full URL "
                "(from SETTLE_BASE_URL) as the last line. The link cannot be shown again; "
                "only its hash is stored. With "
                "--send, queue the portal invitation with a new link instead, in the debtor's "
                "language, and print nothing of the link."
            )

    def add_arguments(self, parser):
        with translation.override("en"):
            parser.add_argument("debtor_number", help=_("The debtor's number."))
            parser.add_argument(
                "--send",
                choices=[Channel.EMAIL, Channel.SMS, Channel.LETTER],
                help=_("Send the invitation by e-mail, SMS or letter."),
            )

    def handle(self, *args, debtor_number: str, send: str | None = None, **options):
        # The console speaks English, like the README; a message sent keeps the debtor's language.
        with translation.override("en"):
            self._handle(debtor_number=debtor_number, send=send)

    def _handle(self, *, debtor_number: str, send: str | None) -> None:
        number = debtor_number.strip()
        debtor = Debtor.objects.filter(number=number).first()
        if debtor is None:
            raise CommandError(_("There is no debtor with number %(number)r.") % {"number": number})
        if not debtor.active:
            raise CommandError(
                _("Debtor %(number)s is inactive; a portal link would not sign in.")
                % {"number": debtor.number}
            )
        if send:
            self._send(debtor, send)
            return
        issued = portal_link_issue(debtor=debtor)
        until = date_format(localtime(issued.link.expires_at), "DATETIME_FORMAT")
        self.stdout.write(
            _("Portal link for %(number)s (%(name)s), valid until %(until)s:")
            % {"number": debtor.number, "name": debtor.name, "until": until}
        )
        # The URL alone on the last line, so scripts can take it with `tail -n 1`.
        self.stdout.write(portal_link_url(key=issued.key))

    def _send(self, debtor: Debtor, channel: str) -> None:
        try:
            message = message_send(
                kind=Kind.PORTAL_INVITATION,
                channel=channel,
                debtor=debtor,
                cause="command:portal_link",
                idempotency_key=f"command:portal_link:{uuid.uuid4()}",
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("Queued message %(id)d: %(channel)s to %(recipient)s.")
            % {
                "id": message.pk,
                "channel": message.get_channel_display(),
                "recipient": message.recipient,
            }
        )
