import re
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import phonenumbers
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone, translation

from settle.backoffice.demo import demo_load
from settle.receivables.models import (
    CollectionStatus,
    Debtor,
    Invoice,
    Payment,
    PaymentAllocation,
    PaymentState,
)

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    """The command's output under the default language, Dutch: the console speaks English."""
    out = StringIO()
    with translation.override("nl"):
        call_command("demo", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str, username: str) -> str:
    match = re.search(rf"\b{username} / (\S+)", output)
    assert match, output
    return match.group(1)


def snapshot() -> dict:
    return {
        "debtors": list(Debtor.objects.order_by("number").values()),
        "invoices": list(Invoice.objects.order_by("number").values()),
        "payments": list(Payment.objects.order_by("pk").values()),
        "allocations": list(PaymentAllocation.objects.order_by("pk").values()),
        "users": list(get_user_model().objects.order_by("username").values()),
    }


def test_it_loads_debtors_and_invoices_in_every_state():
    output = run_demo()

    payments = Payment.objects.count()
    loaded = f"Demo data loaded: 40 debtors, 200 invoices, {payments} payments, 7 responses."
    assert loaded in output, output
    debtors = Debtor.objects.all()
    assert debtors.count() == 40
    assert {d.language for d in debtors} == {"nl", "en"}
    assert {d.country for d in debtors} > {"NL"}
    assert {d.payment_method for d in debtors} == {"bank_transfer", "direct_debit", "online"}
    assert {d.delivery_method for d in debtors} == {"email", "post", "sms"}
    assert debtors.filter(name="Bakkerij De Gouden Korst B.V.").exists()
    assert debtors.filter(name="Sanne de Boer").exists()
    invoices = list(Invoice.objects.all())
    assert len(invoices) == 200
    assert all(d.invoices.exists() for d in debtors)
    assert {i.payment_state for i in invoices} == set(PaymentState.values)
    assert {i.collection_status_id for i in invoices} == set(
        CollectionStatus.objects.values_list("code", flat=True)
    )
    today = timezone.localdate()
    open_invoices = [i for i in invoices if i.open_amount > 0]
    assert any(i.due_date >= today for i in open_invoices), "not yet due"
    assert any(1 <= (today - i.due_date).days <= 14 for i in open_invoices), "a few days late"
    assert any((today - i.due_date).days > 90 for i in open_invoices), "months late"
    assert all(i.issue_date <= today and i.issue_date < i.due_date for i in invoices)


def test_it_makes_the_people_consumers_and_the_firms_businesses():
    run_demo()

    consumers = set(Debtor.objects.filter(kind="consumer").values_list("name", flat=True))
    assert "Sanne de Boer" in consumers
    assert "Bakkerij De Gouden Korst B.V." not in consumers
    assert 0 < len(consumers) < Debtor.objects.count()


def test_it_books_payments_so_open_amounts_add_up():
    run_demo()

    assert Payment.objects.count() > 20
    assert {p.source for p in Payment.objects.all()} >= {"bank", "psp", "erp"}
    for invoice in Invoice.objects.annotate(paid=Sum("allocations__amount")):
        assert invoice.open_amount == invoice.amount - (invoice.paid or Decimal("0.00"))
    for payment in Payment.objects.prefetch_related("allocations__invoice"):
        assert payment.unallocated_amount == 0
        assert all(a.invoice.debtor_id == payment.debtor_id for a in payment.allocations.all())
        assert all(a.invoice.issue_date <= payment.date for a in payment.allocations.all())
        assert payment.date <= timezone.localdate()


def test_it_gives_debtors_contact_details_that_reach_no_one_real():
    run_demo()

    for debtor in Debtor.objects.all():
        assert debtor.email.endswith(("@example.nl", "@example.com")), debtor.email
        if debtor.mobile:
            parsed = phonenumbers.parse(debtor.mobile)
            assert phonenumbers.is_valid_number(parsed), debtor.mobile
            assert debtor.mobile == phonenumbers.format_number(
                parsed, phonenumbers.PhoneNumberFormat.E164
            )
        if debtor.delivery_method == "sms":
            assert debtor.mobile
        assert debtor.street and debtor.postal_code and debtor.city
    dutch_mobiles = Debtor.objects.filter(mobile__startswith="+316")
    assert dutch_mobiles.count() >= 10


def test_it_prints_working_passwords_for_the_employee_and_the_administrator(client):
    output = run_demo()

    assert "/backoffice/login/" in output
    staff_password = printed_password(output, "medewerker")
    admin_password = printed_password(output, "beheerder")
    assert staff_password != admin_password
    staff = get_user_model().objects.get(username="medewerker")
    admin = get_user_model().objects.get(username="beheerder")
    assert staff.is_staff and not staff.is_superuser
    assert admin.is_staff and admin.is_superuser
    assert client.login(request=HttpRequest(), username="medewerker", password=staff_password)
    client.logout()
    assert client.login(request=HttpRequest(), username="beheerder", password=admin_password)


def test_it_changes_nothing_the_second_time(client):
    first = run_demo()
    before = snapshot()

    second = run_demo()

    assert "The demo data is already loaded; nothing was changed." in second
    reminder = (
        "The passwords of medewerker and beheerder were printed when it was loaded; "
        "run `settle demo --reset-passwords` to set and print new ones."
    )
    assert reminder in second
    assert "medewerker / " not in second
    assert snapshot() == before
    assert client.login(
        request=HttpRequest(), username="medewerker", password=printed_password(first, "medewerker")
    )


def test_it_sets_new_passwords_on_request_and_nothing_else(client):
    first = run_demo()
    before = snapshot()

    output = run_demo("--reset-passwords")

    new_password = printed_password(output, "medewerker")
    assert new_password != printed_password(first, "medewerker")
    assert not client.login(
        request=HttpRequest(), username="medewerker", password=printed_password(first, "medewerker")
    )
    assert client.login(request=HttpRequest(), username="medewerker", password=new_password)
    client.logout()
    assert client.login(
        request=HttpRequest(), username="beheerder", password=printed_password(output, "beheerder")
    )
    after = snapshot()
    assert {k: v for k, v in after.items() if k != "users"} == {
        k: v for k, v in before.items() if k != "users"
    }


def test_it_loads_the_same_data_every_time():
    today = date(2025, 3, 14)

    def content() -> dict:
        fields = ["number", "name", "email", "mobile", "street", "postal_code", "city"]
        return {
            "debtors": list(Debtor.objects.order_by("number").values_list(*fields)),
            "invoices": list(
                Invoice.objects.order_by("number").values_list(
                    "number",
                    "debtor__number",
                    "issue_date",
                    "due_date",
                    "amount",
                    "open_amount",
                    "payment_reference",
                    "collection_status",
                )
            ),
            "payments": list(
                Payment.objects.order_by("date", "amount").values_list(
                    "date", "amount", "source", "debtor__number"
                )
            ),
        }

    demo_load(today=today)
    first = content()
    PaymentAllocation.objects.all().delete()
    Payment.objects.all().delete()
    Invoice.objects.all().delete()
    Debtor.objects.all().delete()

    demo_load(today=today)

    assert content() == first
    assert max(i[3] for i in first["invoices"]) > today
    assert min(i[3] for i in first["invoices"]) < today - timedelta(days=90)


def test_it_refuses_to_load_demo_data_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError):
        run_demo()

    assert not Debtor.objects.exists()
