"""Demo responses: a few debtors of the demo organisation have answered in the portal, so a new
installation opens on a worklist with something in it, a promise waiting for its check and
arrangements both running and under review.

They go through `response_submit`, as a debtor's answer would, so every workflow does what it
does for real: tasks, messages in the outbox, a promise check, an arrangement's schedule.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q

from settle.receivables.demo import MARKER_NUMBER
from settle.receivables.models import ZERO, Debtor, Invoice
from settle.responses.models import Response, ResponseType
from settle.responses.services import response_submit


@dataclass(frozen=True)
class _Answer:
    code: str
    invoices: int
    values: Callable[[date, list[Invoice]], dict]
    # The lowest and highest total open amount that lets the answer do what it shows.
    low: Decimal = Decimal("0.01")
    high: Decimal = Decimal("1000000")


ANSWERS = [
    _Answer(
        "complaint",
        1,
        lambda today, invoices: {
            "text": "De geleverde onderdelen klopten niet met de bestelling; wij wachten op "
            "een creditnota."
        },
    ),
    _Answer(
        "already_paid",
        1,
        lambda today, invoices: {
            "payment_date": (today - timedelta(days=3)).isoformat(),
            "amount": str(sum((invoice.open_amount for invoice in invoices), ZERO)),
        },
    ),
    _Answer(
        "promise", 2, lambda today, invoices: {"promised_date": (today + timedelta(3)).isoformat()}
    ),
    # Three monthly instalments of at least € 25 and at most € 5,000 in all: within the
    # default policy, so it runs at once.
    _Answer(
        "arrangement",
        1,
        lambda today, invoices: {
            "instalments": 3,
            "first_date": (today + timedelta(days=14)).isoformat(),
        },
        low=Decimal("75.00"),
        high=Decimal("5000.00"),
    ),
    # Twelve instalments: more than the default policy allows, so an employee reviews it.
    _Answer(
        "arrangement",
        2,
        lambda today, invoices: {
            "instalments": 12,
            "first_date": (today + timedelta(days=7)).isoformat(),
            "text": "Door een tegenvallend seizoen lukt het niet sneller.",
        },
        low=Decimal("300.00"),
    ),
    _Answer(
        "not_approved",
        1,
        lambda today, invoices: {"expected_approval_date": (today + timedelta(10)).isoformat()},
    ),
    _Answer("unknown_invoice", 1, lambda today, invoices: {"text": "Geen order van ons bekend."}),
]


def demo_responses_load(*, today: date) -> list[Response]:
    """Let one demo debtor give each answer of `ANSWERS` on their oldest open invoices. The
    debtor whose portal link `make run` prints is left without, to try the portal on."""
    types = {rtype.code: rtype for rtype in ResponseType.objects.all()}
    candidates = list(
        Debtor.objects.exclude(number=MARKER_NUMBER)
        .filter(active=True)
        .annotate(
            open_count=Count("invoices", filter=Q(invoices__open_amount__gt=ZERO)),
        )
        .filter(open_count__gte=2)
        .order_by("number")
    )
    responses = []
    for answer in ANSWERS:
        found = _debtor_for(answer, candidates)
        if found is None:
            continue
        debtor, invoices = found
        candidates.remove(debtor)
        responses.append(
            response_submit(
                debtor=debtor,
                response_type=types[answer.code],
                invoices=invoices,
                values=answer.values(today, invoices),
                submission_key=f"demo-{answer.code}-{debtor.number}",
            )
        )
    return responses


def _debtor_for(answer: _Answer, candidates: list[Debtor]) -> tuple[Debtor, list] | None:
    for debtor in candidates:
        invoices = list(
            debtor.invoices.filter(open_amount__gt=ZERO).order_by("due_date", "number")[
                : answer.invoices
            ]
        )
        total = sum((invoice.open_amount for invoice in invoices), ZERO)
        if len(invoices) == answer.invoices and answer.low <= total <= answer.high:
            return debtor, invoices
    return None
