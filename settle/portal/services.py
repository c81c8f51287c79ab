"""Portal links: issuing, revoking and signing in with them.

Security notes, each covered by a test:
- the raw key exists only in the value returned by `portal_link_issue` (to be put in a message);
  the database holds its SHA-256, events and logs never hold it;
- validity is checked on the server at every sign-in and, through the session, on every request;
- unknown, expired and revoked keys are refused alike to the debtor; staff see the reason.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from settle.common.dates import end_of_day, organisation_today
from settle.common.errors import ApplicationError, FieldError
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel
from settle.correspondence.services import message_send
from settle.portal.models import (
    PortalEvent,
    PortalEventKind,
    PortalLink,
    PortalSettings,
    RefusalReason,
)
from settle.portal.selectors import portal_link_validity_days
from settle.portal.tokens import key_hash, key_looks_valid, key_new
from settle.receivables.models import Debtor

logger = logging.getLogger(__name__)

LINK_REQUEST_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class IssuedLink:
    link: PortalLink
    key: str


def portal_link_expiry(*, validity_days: int) -> datetime:
    """When a link issued now expires: at the end of the day `validity_days` after today, in
    the organisation's time zone, so the day a message names is valid in full."""
    return end_of_day(organisation_today() + timedelta(days=validity_days))


def portal_link_issue(*, debtor: Debtor, created_by=None) -> IssuedLink:
    """Create a link for `debtor`, valid up to and including the configured number of days
    from today (see `portal_link_expiry`).

    When the organisation keeps one valid link per debtor, the debtor's older links are revoked
    in the same transaction. Returns the link and its raw key; the key cannot be recovered later.
    """
    portal_settings = PortalSettings.load()
    key = key_new()
    with transaction.atomic():
        if portal_settings.one_link_per_debtor:
            portal_links_revoke_all(debtor=debtor, revoked_by=created_by)
        link = PortalLink.objects.create(
            debtor=debtor,
            key_hash=key_hash(key),
            expires_at=portal_link_expiry(validity_days=portal_settings.link_validity_days),
            created_by=created_by,
        )
        PortalEvent.objects.create(
            debtor=debtor, link=link, kind=PortalEventKind.ISSUED, actor=created_by
        )
    return IssuedLink(link=link, key=key)


def portal_link_for_message(
    *, debtor: Debtor | None, issue: bool, created_by=None
) -> tuple[str, datetime | None]:
    """The portal link a message shows, and when it expires (the `SETTLE_MESSAGE_LINK` hook,
    through which correspondence, a lower app, gets links).

    `issue` (invitations and reminders): a fresh link for `debtor`; without a debtor (a
    preview) a stand-in URL with the expiry a link issued now would get, creating nothing.
    Otherwise (messages the debtor caused in the portal) no key at all: the page where a
    debtor asks for a new link, so confirmations do not pile up valid links.
    """
    if not issue:
        return settings.SETTLE_BASE_URL + reverse("portal:new_link"), None
    if debtor is None:
        return (
            settings.SETTLE_BASE_URL + reverse("portal:link", kwargs={"key": "PREVIEW"}),
            portal_link_expiry(validity_days=portal_link_validity_days()),
        )
    issued = portal_link_issue(debtor=debtor, created_by=created_by)
    return portal_link_url(key=issued.key), issued.link.expires_at


def portal_link_revoke(*, link: PortalLink, revoked_by=None) -> PortalLink:
    """Revoke one link at once; a debtor signed in with it is signed out at their next request."""
    with transaction.atomic():
        updated = PortalLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            PortalEvent.objects.create(
                debtor_id=link.debtor_id, link=link, kind=PortalEventKind.REVOKED, actor=revoked_by
            )
    link.refresh_from_db()
    return link


def portal_links_revoke_all(*, debtor: Debtor, revoked_by=None) -> int:
    """Revoke every link of a debtor that is still valid; returns how many."""
    now = timezone.now()
    with transaction.atomic():
        links = list(
            PortalLink.objects.select_for_update().filter(
                debtor=debtor, revoked_at__isnull=True, expires_at__gt=now
            )
        )
        PortalLink.objects.filter(pk__in=[link.pk for link in links]).update(revoked_at=now)
        PortalEvent.objects.bulk_create(
            PortalEvent(debtor=debtor, link=link, kind=PortalEventKind.REVOKED, actor=revoked_by)
            for link in links
        )
    return len(links)


@dataclass(frozen=True)
class SignInResult:
    link: PortalLink | None
    refusal: str = ""

    @property
    def ok(self) -> bool:
        return self.link is not None and not self.refusal


def portal_link_check(*, key: str) -> SignInResult:
    """Judge a key without changing anything (used for GET, which mail scanners also send)."""
    if not key_looks_valid(key):
        return SignInResult(link=None, refusal=RefusalReason.UNKNOWN)
    link = PortalLink.objects.select_related("debtor").filter(key_hash=key_hash(key)).first()
    if link is None:
        return SignInResult(link=None, refusal=RefusalReason.UNKNOWN)
    if link.revoked_at is not None:
        return SignInResult(link=link, refusal=RefusalReason.REVOKED)
    if link.expires_at <= timezone.now():
        return SignInResult(link=link, refusal=RefusalReason.EXPIRED)
    if not link.debtor.active:
        return SignInResult(link=link, refusal=RefusalReason.INACTIVE)
    return SignInResult(link=link)


def portal_sign_in(*, key: str, rate_limited: bool = False) -> SignInResult:
    """Sign in with a key (the POST of the link page): record the outcome either way.

    The caller starts the debtor session with a fresh session key when `ok`. With
    `rate_limited` the key is refused whatever it is; the refusal is recorded only when the key
    belongs to a link (so the debtor's page shows it), never for unknown keys, so that a client
    hammering us with guesses does not make us write a row per guess.
    """
    result = portal_link_check(key=key)
    if rate_limited:
        if result.link is None:
            return SignInResult(link=None, refusal=RefusalReason.RATE_LIMITED)
        result = SignInResult(link=result.link, refusal=RefusalReason.RATE_LIMITED)
    link = result.link
    with transaction.atomic():
        if result.ok:
            PortalLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
            PortalEvent.objects.create(
                debtor_id=link.debtor_id, link=link, kind=PortalEventKind.SIGNED_IN
            )
        else:
            PortalEvent.objects.create(
                debtor_id=link.debtor_id if link else None,
                link=link,
                kind=PortalEventKind.REFUSED,
                reason=result.refusal,
            )
    return result


def portal_sign_out(*, link: PortalLink) -> None:
    """Record that the debtor signed in with `link` signed out (the caller ends the session)."""
    PortalEvent.objects.create(debtor_id=link.debtor_id, link=link, kind=PortalEventKind.SIGNED_OUT)


def portal_link_url(*, key: str) -> str:
    """The absolute link for a message: built from SETTLE_BASE_URL, never from a request's Host."""
    return settings.SETTLE_BASE_URL + reverse("portal:link", kwargs={"key": key})


def portal_link_request(*, identifier: str) -> list[Debtor]:
    """A debtor asks for a new link by e-mail address or invoice number.

    Matching active debtors are recorded and sent a new link to the contact details on file
    (e-mail, else SMS), never to an address given here. One link per debtor per
    `LINK_REQUEST_WINDOW` at most, so the form cannot be used to flood someone's inbox. The
    caller answers the same way whether or not anything matched, so the form reveals nothing
    about who is a debtor.
    """
    identifier = identifier.strip()
    if not identifier:
        return []
    if "@" in identifier:
        debtors = list(Debtor.objects.filter(active=True, email__iexact=identifier))
    else:
        debtors = list(Debtor.objects.filter(active=True, invoices__number=identifier).distinct())
    window = int(timezone.now().timestamp() // LINK_REQUEST_WINDOW.total_seconds())
    for debtor in debtors:
        with transaction.atomic():
            PortalEvent.objects.create(debtor=debtor, kind=PortalEventKind.NEW_LINK_REQUESTED)
            channel = Channel.EMAIL if debtor.email else Channel.SMS if debtor.mobile else None
            if channel is None:
                continue
            try:
                message_send(
                    kind=Kind.PORTAL_INVITATION,
                    channel=channel,
                    debtor=debtor,
                    cause="portal:link_request",
                    idempotency_key=f"link-request:{debtor.pk}:{window}",
                )
            except ApplicationError:
                # Contact details the outbox refuses: the request stays on record for staff.
                logger.warning("debtor %s: new link requested, none sent", debtor.pk)
    return debtors


def portal_settings_update(
    *, link_validity_days: int, one_link_per_debtor: bool | None = None
) -> PortalSettings:
    """Change the portal-wide settings. A new validity applies to links created from now on;
    links already sent keep the expiry they were given. With `one_link_per_debtor`, each new
    link revokes the debtor's older ones (links already sent stay valid until then)."""
    if not 1 <= link_validity_days <= 365:
        raise ApplicationError(
            _("The link validity must be from 1 to 365 days."),
            errors=[FieldError("link_validity_days", _("Use a number from 1 to 365."))],
        )
    values: dict[str, object] = {"link_validity_days": link_validity_days}
    if one_link_per_debtor is not None:
        values["one_link_per_debtor"] = one_link_per_debtor
    with transaction.atomic():
        portal_settings = PortalSettings.load()
        PortalSettings.objects.filter(pk=portal_settings.pk).update(**values)
    portal_settings.refresh_from_db()
    return portal_settings
