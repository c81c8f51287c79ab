from django.contrib import admin

from settle.receivables.models import CollectionStatus, Debtor, ImportJob, Invoice, Payment


@admin.register(CollectionStatus)
class CollectionStatusAdmin(admin.ModelAdmin):
    """The organisation's list of collection statuses is configured here."""

    list_display = ["code", "label_nl", "label_en", "position"]
    list_editable = ["position"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Invoices point at a status by code; one in use cannot go (the database protects it too).
        return obj is None or not Invoice.objects.filter(collection_status=obj).exists()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Debtors, invoices and payments change only through Settle's services (API, imports, back
    office); the admin shows them for inspection."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Debtor)
class DebtorAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "language", "delivery_method", "active"]
    search_fields = ["number", "name", "email"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "debtor", "due_date", "amount", "open_amount", "collection_status"]
    list_select_related = ["debtor", "collection_status"]
    search_fields = ["number", "debtor__number", "payment_reference"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["date", "amount", "source", "reference", "debtor"]
    list_select_related = ["debtor"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "file_name", "state", "rows_done", "rows_total"]
