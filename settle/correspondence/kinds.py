"""The catalogue of message kinds: which channels each has and which variables its templates get.

Templates are checked against this catalogue when saved, so an administrator learns of a typo in
a variable name at once, not when a reminder run meets it. The meanings are shown next to the
editor.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from settle.correspondence.models import Channel


class Kind(models.TextChoices):
    PORTAL_INVITATION = "portal_invitation", _("Portal invitation")
    REMINDER_1 = "reminder_1", _("Payment reminder 1")
    REMINDER_2 = "reminder_2", _("Payment reminder 2")
    FINAL_NOTICE = "final_notice", _("Final notice")
    RESPONSE_RECEIVED = "response_received", _("Response received")
    PROMISE_CONFIRMED = "promise_confirmed", _("Promise confirmed")
    PROMISE_BROKEN = "promise_broken", _("Promise broken")
    ARRANGEMENT_ACCEPTED = "arrangement_accepted", _("Arrangement accepted")
    ARRANGEMENT_UNDER_REVIEW = "arrangement_under_review", _("Arrangement under review")
    ARRANGEMENT_REJECTED = "arrangement_rejected", _("Arrangement rejected")
    ARRANGEMENT_ENDED = "arrangement_ended", _("Arrangement ended")
    INVOICE_COPY = "invoice_copy", _("Invoice copy")
    FOURTEEN_DAY_LETTER = "fourteen_day_letter", _("14-day letter (consumers)")


E, S, L = Channel.EMAIL, Channel.SMS, Channel.LETTER

CHANNELS: dict[str, tuple[str, ...]] = {
    Kind.PORTAL_INVITATION: (E, S, L),
    Kind.REMINDER_1: (E, S, L),
    Kind.REMINDER_2: (E, S, L),
    Kind.FINAL_NOTICE: (E, S, L),
    Kind.RESPONSE_RECEIVED: (E,),
    Kind.PROMISE_CONFIRMED: (E, S),
    Kind.PROMISE_BROKEN: (E, S, L),
    Kind.ARRANGEMENT_ACCEPTED: (E, L),
    Kind.ARRANGEMENT_UNDER_REVIEW: (E,),
    Kind.ARRANGEMENT_REJECTED: (E, L),
    Kind.ARRANGEMENT_ENDED: (E, L),
    Kind.INVOICE_COPY: (E,),
    # The statutory 14-day letter must be in writing; e-mail counts, SMS would not hold it.
    Kind.FOURTEEN_DAY_LETTER: (E, L),
}

# Kinds whose message carries a fresh portal link: the organisation reaching out (invitations,
# reminders, and a broken promise, which is a reminder too). The other kinds answer the
# debtor's own action in the portal (a response, a promise, an arrangement and what became of
# it, a copy); issuing a link with each left a debtor with a valid link per response, so their
# `portal_link` is the page where a debtor asks for a new link.
LINK_KINDS = frozenset(
    {
        Kind.PORTAL_INVITATION,
        Kind.REMINDER_1,
        Kind.REMINDER_2,
        Kind.FINAL_NOTICE,
        Kind.PROMISE_BROKEN,
        Kind.FOURTEEN_DAY_LETTER,
    }
)

# Reminders ask for the overdue invoices only: what is not due yet they mention as such, and a
# letter's payment block is for the overdue amount.
REMINDER_KINDS = frozenset(
    {Kind.REMINDER_1, Kind.REMINDER_2, Kind.FINAL_NOTICE, Kind.FOURTEEN_DAY_LETTER}
)

# Kinds that may state statutory collection costs or commercial interest (dunning's `costs.py`
# gives the values when it sends them).
COST_KINDS = frozenset({Kind.REMINDER_2, Kind.FINAL_NOTICE, Kind.FOURTEEN_DAY_LETTER})

# Kinds an employee may send by hand from a debtor's page; the others follow from a response.
MANUAL_KINDS = (Kind.PORTAL_INVITATION, Kind.REMINDER_1, Kind.REMINDER_2, Kind.FINAL_NOTICE)


@dataclass(frozen=True)
class Variable:
    name: str
    meaning: str


COMMON = (
    Variable("debtor_name", _("The debtor's name.")),
    Variable("debtor_number", _("The debtor's number.")),
    Variable(
        "invoices",
        _(
            "The invoices concerned (selected, or else all open ones), each with number, "
            "invoice_date, due_date, amount, open_amount and payment_reference."
        ),
    ),
    Variable(
        "invoice_table",
        _("A ready table of those invoices with their dates, open amounts and the total."),
    ),
    Variable("total_open_amount", _("The total open amount of those invoices.")),
    Variable(
        "overdue_invoices",
        _("Those of the invoices whose due date has passed, each with the same values."),
    ),
    Variable("overdue_invoice_table", _("A ready table of the overdue invoices and their total.")),
    Variable("overdue_amount", _("The total open amount of the overdue invoices.")),
    Variable(
        "not_yet_due_invoices",
        _("Those of the invoices that are not due yet, each with the same values."),
    ),
    Variable(
        "not_yet_due_invoice_table",
        _("A ready table of the invoices that are not due yet and their total."),
    ),
    Variable("not_yet_due_amount", _("The total open amount of the invoices not due yet.")),
    Variable("organisation_name", _("Your organisation's name.")),
    Variable("organisation_address", _("Your organisation's address on one line.")),
    Variable("organisation_email", _("Your organisation's e-mail address.")),
    Variable("organisation_phone", _("Your organisation's phone number.")),
    Variable("organisation_website", _("Your organisation's website.")),
    Variable("organisation_iban", _("The IBAN debtors pay to.")),
    Variable("organisation_bic", _("The BIC of that account.")),
    Variable("today", _("Today's date.")),
    Variable(
        "online_payment",
        _("True when debtors can pay online (a payment provider is configured)."),
    ),
)

_LINK = (
    Variable("portal_link", _("The debtor's personal portal link, created for this message.")),
    Variable(
        "portal_link_valid_until", _("The last day the link is valid, e.g. “7 December 2026”.")
    ),
    Variable("portal_link_validity", _("How long the link is valid, e.g. “14 days”.")),
    Variable(
        "pay_link",
        _(
            "A link straight to paying the invoices this message asks payment for, valid as "
            "long as the portal link; empty when debtors cannot pay online or nothing is open."
        ),
    ),
)
_NEW_LINK_PAGE = (
    Variable(
        "portal_link",
        _(
            "The portal page where the debtor asks for a new personal link (this message "
            "carries no link of its own: it answers something the debtor did in the portal)."
        ),
    ),
)

_PROMISE = (
    Variable("promise_date", _("The date the debtor promised to pay by.")),
    Variable("promise_amount", _("The amount the debtor promised to pay.")),
)
_ARRANGEMENT = (
    Variable("instalments", _("The instalments, each with number, due_date and amount.")),
    Variable("instalment_table", _("A ready table of the instalments.")),
    Variable("arrangement_total", _("The total amount of the arrangement.")),
)

# Statutory costs (see dunning/costs.py). A message sent other than by a dunning run (by hand
# from a debtor's page) has none of them, so the shipped templates test `is defined` first.
COST_VARIABLES = (
    Variable(
        "collection_costs",
        _(
            "Consumers: the statutory collection costs over the overdue amount (the scale of "
            "the Besluit vergoeding voor buitengerechtelijke incassokosten); empty for businesses."
        ),
    ),
    Variable(
        "collection_costs_deadline",
        _(
            "Consumers: the last day to pay without collection costs after a 14-day letter "
            "sent today (2 days for delivery and 14 days); empty for businesses."
        ),
    ),
    Variable(
        "collection_costs_chargeable",
        _(
            "True when the debtor is a consumer and the term of a 14-day letter about each of "
            "these invoices has passed, so the collection costs may now be charged."
        ),
    ),
    Variable(
        "commercial_interest",
        _(
            "Businesses: the statutory commercial interest on the overdue invoices up to today; "
            "empty for consumers and when there is none."
        ),
    ),
    Variable(
        "compensation_fee",
        _("Businesses: the fixed compensation of € 40 per overdue invoice (EU directive)."),
    ),
)

EXTRA: dict[str, tuple[Variable, ...]] = {
    Kind.REMINDER_2: COST_VARIABLES,
    Kind.FINAL_NOTICE: COST_VARIABLES,
    Kind.FOURTEEN_DAY_LETTER: COST_VARIABLES,
    Kind.RESPONSE_RECEIVED: (
        Variable("response_type", _("The kind of response the debtor gave, e.g. “Complaint”.")),
    ),
    Kind.PROMISE_CONFIRMED: _PROMISE,
    Kind.PROMISE_BROKEN: _PROMISE,
    Kind.ARRANGEMENT_ACCEPTED: (
        *_ARRANGEMENT,
        Variable(
            "schedule_changed",
            _("True when an employee accepted a schedule other than the one proposed."),
        ),
    ),
    Kind.ARRANGEMENT_UNDER_REVIEW: _ARRANGEMENT,
    Kind.ARRANGEMENT_REJECTED: (
        *_ARRANGEMENT,
        Variable("rejection_reason", _("Why the proposal was rejected.")),
    ),
    Kind.ARRANGEMENT_ENDED: (
        *_ARRANGEMENT,
        Variable("end_reason", _("Why the arrangement was ended.")),
        Variable("arrangement_paid", _("How much of the arrangement had been paid.")),
    ),
}


def kind_variables(kind: str) -> tuple[Variable, ...]:
    """Every variable a template of `kind` may use, common ones first."""
    link = _LINK if kind in LINK_KINDS else _NEW_LINK_PAGE
    return COMMON + link + EXTRA.get(kind, ())


def kind_issues_link(kind: str) -> bool:
    """Whether a message of `kind` gets a fresh portal link (see LINK_KINDS)."""
    return kind in LINK_KINDS


def kind_variable_names(kind: str) -> frozenset[str]:
    return frozenset(variable.name for variable in kind_variables(kind))


def kind_channels(kind: str) -> tuple[str, ...]:
    return CHANNELS[kind]
