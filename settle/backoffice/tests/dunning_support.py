"""Helpers of the dunning history tests: runs with items as the worker leaves them, and the
messages and letters their actions made (written directly, as the processing would)."""

import io

from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from settle.correspondence.models import Channel, Message, MessageStatus
from settle.correspondence.services import message_queue
from settle.dunning.models import ItemState
from settle.dunning.tests.factories import DunningItemInvoiceFactory, DunningRunItemFactory
from settle.receivables.tests.factories import InvoiceFactory

RECIPIENTS = {
    Channel.EMAIL: "debtor@example.test",
    Channel.SMS: "+31612345678",
    Channel.LETTER: "Debtor, Dorpsstraat 1, 1234 AB Utrecht",
}


def item_of(run, debtor, *, invoices=1, state=ItemState.PENDING, reason="", skipped=()):
    """An item of `run` for `debtor` with `invoices` fresh invoices reached (when processed)
    and one more per reason in `skipped` left out with that reason."""
    processed = None if state == ItemState.PENDING else timezone.now()
    item = DunningRunItemFactory(
        run=run, debtor=debtor, state=state, reason=reason, processed_at=processed
    )
    for _ in range(invoices):
        DunningItemInvoiceFactory(
            item=item, invoice=InvoiceFactory(debtor=debtor), processed_at=processed
        )
    for code in skipped:
        DunningItemInvoiceFactory(
            item=item, invoice=InvoiceFactory(debtor=debtor), skipped_reason=code
        )
    return item


def message_of(
    item, action, *, channel=Channel.EMAIL, status=MessageStatus.READY, pages=0
) -> Message:
    """The message of `action` for `item`, under the key the processing gives it; a letter with
    `pages` gets a PDF of that many pages, as its delivery makes."""
    message = message_queue(
        channel=channel,
        recipient=RECIPIENTS[channel],
        subject=f"{action.name} for {item.debtor.name}",
        body_text="Please pay.",
        body_html="<p>Please pay.</p>" if channel == Channel.LETTER else "",
        debtor=item.debtor,
        cause="dunning",
        idempotency_key=f"dunning:{item.pk}:{action.pk}",
        kind=action.message_kind,
    )
    if status != MessageStatus.READY:
        Message.objects.filter(pk=message.pk).update(status=status)
        message.refresh_from_db()
    if pages:
        message.pdf.save(f"letter-{message.pk}.pdf", ContentFile(blank_pdf(pages)), save=True)
    return message


def blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pages_in(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)
