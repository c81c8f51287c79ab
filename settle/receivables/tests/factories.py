from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from settle.receivables.models import Debtor, Invoice


class DebtorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debtor
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: f"D{n:05d}")
    name = factory.Sequence(lambda n: f"Debtor {n}")
    language = "nl"
    email = factory.LazyAttribute(lambda d: f"{d.number.lower()}@example.test")
    mobile = "+31612345678"
    street = "Dorpsstraat 1"
    postal_code = "1234 AB"
    city = "Utrecht"


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    number = factory.Sequence(lambda n: f"F{n:06d}")
    debtor = factory.SubFactory(DebtorFactory)
    issue_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=40))
    due_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    amount = Decimal("121.00")
    open_amount = factory.LazyAttribute(lambda i: i.amount)
    payment_reference = factory.Sequence(lambda n: f"RF{n:08d}")
