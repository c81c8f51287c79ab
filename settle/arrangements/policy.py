"""Whether a proposed arrangement falls within its type's policy, and the words for each rule
that it does not meet."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from settle.arrangements.models import ArrangementPolicy, ArrangementState, PaymentArrangement
from settle.arrangements.schedule import CENT, add_months
from settle.common.errors import ApplicationError, FieldError
from settle.receivables.models import Debtor
from settle.responses.configuration import response_type_update
from settle.responses.models import PaymentPromise, PromiseState, ResponseType
from settle.worklist.texts import amount as task_amount
from settle.worklist.texts import sentence, text_render

# Rule codes, stored with an arrangement so its failures read in whoever's language looks.
MAX_INSTALMENTS = "max_instalments"
MIN_INSTALMENT = "min_instalment_amount"
MAX_TOTAL = "max_total_amount"
MAX_DAYS_TO_FIRST = "max_days_to_first"
FIRST_IN_PAST = "first_in_past"
MAX_DURATION = "max_duration_months"
BROKE_RECENTLY = "broke_recently"
UNREADABLE = "unreadable"


# The values a policy accepts, per field: (lowest, highest).
POLICY_LIMITS = {
    "max_instalments": (1, 120),
    "min_instalment_amount": (Decimal("0.00"), Decimal("1000000.00")),
    "max_total_amount": (Decimal("0.01"), Decimal("100000000.00")),
    "max_days_to_first": (0, 366),
    "max_duration_months": (1, 120),
    "no_auto_accept_months": (0, 120),
}


@dataclass(frozen=True)
class Proposal:
    """What a debtor proposed, as far as it could be read: a schedule, or none when the number
    of instalments or the first date was missing or impossible."""

    total: Decimal
    count: int
    first_date: date | None
    schedule: list[tuple[date, Decimal]]


def policy_for(response_type: ResponseType) -> ArrangementPolicy:
    """The type's policy, made with the defaults the first time it is asked for."""
    policy, _created = ArrangementPolicy.objects.get_or_create(response_type=response_type)
    return policy


def policy_update(
    *,
    response_type: ResponseType,
    max_instalments: int,
    min_instalment_amount: Decimal,
    max_total_amount: Decimal,
    max_days_to_first: int,
    max_duration_months: int,
    no_auto_accept_months: int,
) -> ArrangementPolicy:
    """Change the type's policy; proposals made from now on are checked against it. Refuses
    (ApplicationError, an error per field) values outside what makes sense."""
    values = {
        "max_instalments": max_instalments,
        "min_instalment_amount": min_instalment_amount,
        "max_total_amount": max_total_amount,
        "max_days_to_first": max_days_to_first,
        "max_duration_months": max_duration_months,
        "no_auto_accept_months": no_auto_accept_months,
    }
    errors = []
    for name, (lowest, highest) in POLICY_LIMITS.items():
        value = values[name]
        if isinstance(value, Decimal) and value != value.quantize(CENT):
            errors.append(FieldError(name, _("Enter an amount in whole cents.")))
        elif not lowest <= value <= highest:
            errors.append(
                FieldError(
                    name,
                    _("Enter a value from %(lowest)s to %(highest)s.")
                    % {"lowest": lowest, "highest": highest},
                )
            )
    if errors:
        raise ApplicationError(_("Some values of the policy need correcting."), errors=errors)
    policy = policy_for(response_type)
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def arrangement_type_update(
    *, response_type: ResponseType, policy: Mapping[str, Any], **changes: Any
) -> ResponseType:
    """Change an arrangement type (`response_type_update`'s `changes`) and its policy
    (`policy_update`'s values) together: both are saved, or neither."""
    with transaction.atomic():
        updated = response_type_update(response_type=response_type, **changes)
        policy_update(response_type=response_type, **policy)
    return updated


def policy_check(
    *, policy: ArrangementPolicy, proposal: Proposal, debtor: Debtor, today: date
) -> list[dict]:
    """Every rule of `policy` that `proposal` does not meet, as stored failures (empty: within
    the policy). A proposal without a schedule fails as unreadable and is checked no further."""
    if not proposal.schedule or proposal.first_date is None:
        return [{"rule": UNREADABLE}]
    failures = []
    if proposal.count > policy.max_instalments:
        failures.append({"rule": MAX_INSTALMENTS, "limit": policy.max_instalments})
    if min(amount for _date, amount in proposal.schedule) < policy.min_instalment_amount:
        failures.append({"rule": MIN_INSTALMENT, "limit": str(policy.min_instalment_amount)})
    if proposal.total > policy.max_total_amount:
        failures.append({"rule": MAX_TOTAL, "limit": str(policy.max_total_amount)})
    if proposal.first_date < today:
        failures.append({"rule": FIRST_IN_PAST})
    elif (proposal.first_date - today).days > policy.max_days_to_first:
        failures.append({"rule": MAX_DAYS_TO_FIRST, "limit": policy.max_days_to_first})
    # The arrangement runs from the day it is proposed to its last instalment.
    if proposal.schedule[-1][0] > add_months(today, policy.max_duration_months):
        failures.append({"rule": MAX_DURATION, "limit": policy.max_duration_months})
    months = policy.no_auto_accept_months
    if months and debtor_broke_since(debtor=debtor, since=add_months(today, -months)):
        failures.append({"rule": BROKE_RECENTLY, "limit": months})
    return failures


def debtor_broke_since(*, debtor: Debtor, since: date) -> bool:
    """Whether the debtor broke a payment promise or defaulted on an arrangement on or after
    `since`."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    if PaymentArrangement.objects.filter(
        debtor=debtor, state=ArrangementState.DEFAULTED, ended_at__gte=start
    ).exists():
        return True
    return PaymentPromise.objects.filter(
        debtor=debtor, state=PromiseState.BROKEN, settled_at__gte=start
    ).exists()


def failure_text(failure: dict) -> str:
    """One failed rule as a sentence in the active language."""
    return text_render(failure_sentence(failure))


def failure_sentence(failure: dict) -> dict:
    """One failed rule as a sentence to translate when shown (see worklist/texts.py)."""
    rule, limit = failure.get("rule"), failure.get("limit")
    if rule == MAX_INSTALMENTS:
        return sentence(gettext_noop("More than %(limit)s instalments"), limit=str(limit))
    if rule == MIN_INSTALMENT:
        return sentence(gettext_noop("An instalment below %(amount)s"), amount=_money(limit))
    if rule == MAX_TOTAL:
        return sentence(gettext_noop("Total above %(amount)s"), amount=_money(limit))
    if rule == MAX_DAYS_TO_FIRST:
        return sentence(
            gettext_noop("First instalment more than %(limit)s days away"), limit=str(limit)
        )
    if rule == FIRST_IN_PAST:
        return sentence(gettext_noop("First instalment date lies in the past"))
    if rule == MAX_DURATION:
        return sentence(gettext_noop("Runs longer than %(limit)s months"), limit=str(limit))
    if rule == BROKE_RECENTLY:
        return sentence(
            gettext_noop("Broke a promise or arrangement in the last %(limit)s months"),
            limit=str(limit),
        )
    return sentence(gettext_noop("The number of instalments or the first date cannot be read"))


def _money(value) -> dict | str:
    try:
        return task_amount(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def failure_texts(failures: list[dict]) -> list[str]:
    return [failure_text(failure) for failure in failures if isinstance(failure, dict)]
