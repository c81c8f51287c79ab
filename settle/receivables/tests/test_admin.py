from django.urls import reverse

from settle.receivables.models import CollectionStatus


def test_it_lets_an_administrator_configure_collection_statuses(dave_client):
    response = dave_client.post(
        reverse("admin:receivables_collectionstatus_add"),
        {
            "code": "payment_plan",
            "label_nl": "Betalingsregeling",
            "label_en": "Payment plan",
            "position": 60,
        },
    )
    assert response.status_code == 302
    assert CollectionStatus.objects.get(code="payment_plan").label_en == "Payment plan"


def test_it_keeps_employees_out_of_the_admin(bob_client):
    response = bob_client.get(reverse("admin:receivables_collectionstatus_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_it_shows_invoices_without_letting_them_be_changed(dave_client):
    assert dave_client.get(reverse("admin:receivables_invoice_changelist")).status_code == 200
    assert dave_client.get(reverse("admin:receivables_invoice_add")).status_code == 403
