from django.db.models import QuerySet

from settle.receivables.models import Debtor, Invoice


def access_open_invoices(*, debtor: Debtor) -> QuerySet[Invoice]:
    """The only invoices a debtor may see or act on: their own, still open."""
    return (
        Invoice.objects.open()
        .filter(debtor=debtor)
        .select_related("collection_status")
        .order_by("due_date", "number")
    )


def access_selected_invoices(*, debtor: Debtor, ids: list[str]) -> list[Invoice]:
    """The debtor's open invoices among `ids`; ids of anyone else's invoices are dropped."""
    wanted = [int(i) for i in ids if str(i).isdigit()]
    return list(access_open_invoices(debtor=debtor).filter(pk__in=wanted))
