"""The demo as a whole, for trying Settle out: it composes every app's own demo rows, so it
lives at the top, above all of them.

The receivables' debtors, invoices and payments, the organisation that sends the correspondence
and the two demo users go in once, in one transaction; the debtors' responses (in the portal)
are loaded on top by the `demo` command.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from settle.correspondence.configuration import organisation_update
from settle.receivables.demo import demo_is_loaded, demo_receivables_load
from settle.receivables.demo_users import demo_users_create


@dataclass
class DemoResult:
    loaded: bool
    debtors: int = 0
    invoices: int = 0
    payments: int = 0
    passwords: dict[str, str] = field(default_factory=dict)


def demo_load(*, today: date | None = None) -> DemoResult:
    """Load the demo organisation once; a second call changes nothing and says so.

    Creates about 40 debtors, 200 invoices and their payments (through the receivables services)
    and the users `medewerker` (employee) and `beheerder` (administrator) with fresh random
    passwords, which the result carries so the caller can show them once.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        if demo_is_loaded():
            return DemoResult(loaded=False)
        receivables = demo_receivables_load(today=today)
        _organisation_fill()
        passwords = demo_users_create()
    return DemoResult(
        loaded=True,
        debtors=receivables.debtors,
        invoices=receivables.invoices,
        payments=receivables.payments,
        passwords=passwords,
    )


def _organisation_fill() -> None:
    # The sender of the demo's correspondence; the IBAN is the well-known example from the
    # IBAN standard, so a scanned QR code cannot pay a real account.
    organisation_update(
        values={
            "name": "Groothandel De Molen BV",
            "street": "Molenweg 12",
            "postal_code": "3512 AB",
            "city": "Utrecht",
            "email": "debiteuren@demo-molen.example",
            "phone": "030 123 45 67",
            "website": "www.demo-molen.example",
            "iban": "NL91ABNA0417164300",
            "bic": "ABNANL2A",
        }
    )
