"""Which messages carry a portal link (issue 10, points 12 and 13).

Only the organisation reaching out (invitations, reminders) issues a link; a message that
answers the debtor's own action in the portal points to the page where a debtor asks for a new
link. The validity a message states is the truth: the link works to the end of the day named.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from settle.correspondence.kinds import CHANNELS, LINK_KINDS, Kind
from settle.correspondence.models import Channel
from settle.correspondence.services import message_send
from settle.correspondence.variables import sample_extra
from settle.portal.models import PortalLink
from settle.portal.services import portal_link_check, portal_settings_update
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import ResponseType
from settle.responses.services import response_submit

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KEY = re.compile(r"/p/([A-Za-z0-9_-]{43})")
NEW_LINK_PAGE = "http://testserver.invalid" + reverse("portal:new_link")
CONFIRMATIONS = sorted(set(CHANNELS) - LINK_KINDS)


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.SETTLE_BASE_URL = "http://testserver.invalid"


def _send(debtor, kind, channel=Channel.EMAIL, key="k-1", **extra):
    return message_send(
        kind=kind, channel=channel, debtor=debtor, cause="test", idempotency_key=key, **extra
    )


def _keys(message) -> set[str]:
    return set(KEY.findall(message.body_text + message.body_html))


def test_it_leaves_a_debtor_one_valid_link_after_four_responses(alice):
    # The field report: five valid links after four responses.
    invoices = [InvoiceFactory(debtor=alice, number=f"F-{n}") for n in range(4)]
    invitation = _send(alice, Kind.PORTAL_INVITATION)
    for n, (code, values) in enumerate(
        [
            ("complaint", {"text": "Klopt niet"}),
            ("unknown_invoice", {}),
            ("already_paid", {"payment_date": "2026-01-05", "amount": "10.00"}),
            ("complaint", {"text": "Nog een"}),
        ]
    ):
        response_submit(
            debtor=alice,
            response_type=ResponseType.objects.get(code=code),
            invoices=[invoices[n]],
            values=values,
            submission_key=f"response-{n}",
        )

    confirmations = alice.messages.filter(kind=Kind.RESPONSE_RECEIVED)
    assert confirmations.count() == 4
    assert PortalLink.objects.filter(debtor=alice).count() == 1
    assert all(NEW_LINK_PAGE in message.body_text for message in confirmations)
    assert all(not _keys(message) for message in confirmations)
    [key] = _keys(invitation)
    assert portal_link_check(key=key).ok


@pytest.mark.parametrize("kind", CONFIRMATIONS)
def test_it_gives_an_answer_to_the_debtors_action_no_key_of_its_own(alice, kind):
    InvoiceFactory(debtor=alice)
    for channel in CHANNELS[kind]:
        message = _send(alice, kind, channel=channel, key=f"k-{channel}", extra=_extra(kind))

        assert not _keys(message), channel
        assert NEW_LINK_PAGE in message.body_text + message.body_html, channel
    assert not PortalLink.objects.exists()


def test_it_sends_a_confirmation_to_an_inactive_debtor_too(alice):
    # No link is issued, so nothing would refuse to sign in.
    alice.active = False
    alice.save()
    InvoiceFactory(debtor=alice)

    message = _send(alice, Kind.RESPONSE_RECEIVED, extra={"response_type": "Klacht"})

    assert NEW_LINK_PAGE in message.body_text


@pytest.mark.parametrize("kind", sorted(LINK_KINDS))
def test_it_issues_a_link_with_each_invitation_and_reminder(alice, kind):
    InvoiceFactory(debtor=alice)

    first = _send(alice, kind, key="k-1", extra=_extra(kind))
    second = _send(alice, kind, key="k-2", extra=_extra(kind))

    assert PortalLink.objects.filter(debtor=alice).count() == 2
    assert all(portal_link_check(key=key).ok for key in _keys(first) | _keys(second))


def test_it_revokes_the_older_link_when_the_organisation_keeps_one_per_debtor(alice):
    portal_settings_update(link_validity_days=14, one_link_per_debtor=True)
    InvoiceFactory(debtor=alice)

    [old] = _keys(_send(alice, Kind.PORTAL_INVITATION, key="k-1"))
    [new] = _keys(_send(alice, Kind.REMINDER_1, key="k-2"))
    _send(alice, Kind.RESPONSE_RECEIVED, key="k-3", extra={"response_type": "Klacht"})

    assert portal_link_check(key=old).refusal == "revoked"
    assert portal_link_check(key=new).ok


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 4, 0, 5, tzinfo=AMSTERDAM),
        datetime(2026, 12, 4, 15, 7, tzinfo=AMSTERDAM),
        datetime(2026, 12, 4, 23, 55, tzinfo=AMSTERDAM),
    ],
    ids=["just-after-midnight", "afternoon", "just-before-midnight"],
)
def test_it_states_a_validity_that_holds_to_the_end_of_the_day_named(alice, moment):
    InvoiceFactory(debtor=alice)
    with time_machine.travel(moment, tick=False) as traveller:
        message = _send(alice, Kind.PORTAL_INVITATION)
        [key] = _keys(message)

        assert "14 dagen geldig, tot en met 18 december 2026" in message.body_text
        traveller.move_to(datetime(2026, 12, 18, 23, 59, 59, tzinfo=AMSTERDAM))
        assert portal_link_check(key=key).ok
        traveller.move_to(datetime(2026, 12, 19, 0, 0, tzinfo=AMSTERDAM))
        assert portal_link_check(key=key).refusal == "expired"


def test_it_names_the_day_in_the_organisations_time_zone_not_utc(carol):
    InvoiceFactory(debtor=carol)
    # 23:30 UTC on 4 December is 00:30 on 5 December in Amsterdam.
    with time_machine.travel(datetime(2026, 12, 4, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        message = _send(carol, Kind.PORTAL_INVITATION)

    assert "valid for 14 days, up to and including 19 December 2026" in message.body_text


def _extra(kind: str) -> dict:
    return sample_extra(kind, "nl")
