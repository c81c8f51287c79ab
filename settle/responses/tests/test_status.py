import pytest
from django.utils import translation

from settle.portal.selectors import access_landing
from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory
from settle.responses.models import ResponseType
from settle.responses.tests.factories import ResponseFactory, ResponseTypeFactory

pytestmark = pytest.mark.django_db


def landing_status(response_type: ResponseType, values: dict, *, language: str) -> str:
    """The status line the debtor's landing page shows for an open response of the type: the
    one rule (settle.portal.selectors.access_landing)."""
    debtor = DebtorFactory()
    invoice = InvoiceFactory(debtor=debtor)
    ResponseFactory(debtor=debtor, response_type=response_type, values=values, invoices=[invoice])
    with translation.override(language):
        (row,) = access_landing(debtor=debtor).rows
    return row["response_status"]


def status(code: str, values: dict | None = None, *, language: str = "en") -> str:
    return landing_status(ResponseType.objects.get(code=code), values or {}, language=language)


@pytest.mark.parametrize(
    ("code", "values", "text"),
    [
        ("promise", {"promised_date": "2026-12-31"}, "Payment promised for 31/12/2026"),
        ("complaint", {"text": "x"}, "Complaint being handled"),
        ("already_paid", {"payment_date": "2026-01-02"}, "Reported as paid, being checked"),
        ("unknown_invoice", {}, "Reported as unknown, being checked"),
        (
            "not_approved",
            {"expected_approval_date": "2027-01-05"},
            "Awaiting approval, expected 05/01/2027",
        ),
        ("not_approved", {}, "Awaiting approval"),
        ("copy_request", {"email": "a@example.test"}, "Copy requested"),
        ("arrangement", {"instalments": 3}, "Payment arrangement proposed"),
    ],
)
def test_it_describes_each_kind_of_response(code, values, text):
    assert status(code, values) == text


def test_it_writes_the_promised_date_the_dutch_way_in_dutch():
    assert "12-12-2026" in status("promise", {"promised_date": "2026-12-12"}, language="nl")


def test_it_survives_a_date_it_cannot_read():
    assert status("promise", {"promised_date": "soon"}) == "Payment promised"
    assert status("promise", {"promised_date": None}) == "Payment promised"
    assert status("not_approved", {"expected_approval_date": 12}) == "Awaiting approval"


def test_it_falls_back_to_the_type_name_in_the_active_language():
    other = ResponseTypeFactory(
        code="callback", workflow="callback", name_nl="Bel mij", name_en="Call me"
    )

    assert landing_status(other, {}, language="nl") == "Bel mij"
    assert landing_status(other, {}, language="en") == "Call me"
