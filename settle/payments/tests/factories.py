import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from settle.payments.models import PaymentRequest, PaymentRequestInvoice, RequestState
from settle.receivables.tests.factories import DebtorFactory


class PaymentRequestFactory(factory.django.DjangoModelFactory):
    """A request as payment_request_create leaves it; give `invoices=[...]` for its lines (each
    asking the invoice's open amount, which is then also the request's amount)."""

    class Meta:
        model = PaymentRequest
        # The hook below saves what it changes itself.
        skip_postgeneration_save = True

    key = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    debtor = factory.SubFactory(DebtorFactory)
    amount = factory.Faker("pydecimal", left_digits=3, right_digits=2, positive=True)
    currency = "EUR"
    description = "Invoices"
    language = "nl"
    provider = "demo"
    provider_id = factory.Sequence(lambda n: f"demo_{n:024x}")
    state = RequestState.OPEN
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))

    @factory.post_generation
    def invoices(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for invoice in extracted:
            PaymentRequestInvoice.objects.create(
                request=self, invoice=invoice, amount=invoice.open_amount
            )
        self.amount = sum(invoice.open_amount for invoice in extracted)
        self.save(update_fields=["amount"])
