import pytest
from django.conf import settings
from django.urls import reverse

from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # the cast's, from the root conftest


@pytest.fixture(autouse=True)
def english(client):
    # Assert on the English source strings whatever catalogues are compiled.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def back_office_pages(invoice) -> list[str]:
    return [
        reverse("backoffice:home"),
        reverse("backoffice:debtor_list"),
        reverse("backoffice:debtor_detail", kwargs={"pk": invoice.debtor_id}),
        reverse("backoffice:invoice_list"),
        reverse("backoffice:invoice_detail", kwargs={"pk": invoice.pk}),
        reverse("backoffice:invoice_document", kwargs={"pk": invoice.pk}),
        reverse("backoffice:import_list"),
        reverse("backoffice:import_detail", kwargs={"pk": 1}),
    ]


def test_it_sends_anonymous_visitors_to_the_sign_in_page_from_every_page(client):
    login = reverse("backoffice:login")
    for url in back_office_pages(InvoiceFactory()):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next="), url


def test_it_turns_away_a_signed_in_user_who_is_not_staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="eve", password=PASSWORD))
    login = reverse("backoffice:login")
    for url in back_office_pages(InvoiceFactory()):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url


def test_it_shows_a_sign_in_form_with_labelled_inputs_and_csrf(client):
    response = client.get(reverse("backoffice:login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html


def test_it_signs_an_employee_in(client, bob):
    response = client.post(
        reverse("backoffice:login"), {"username": "bob", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("backoffice:home")
    assert response.context["user"] == bob
    assert "Overview" in response.content.decode()


def test_it_returns_to_the_page_asked_for_after_signing_in(client, bob):
    debtors = reverse("backoffice:debtor_list")
    response = client.post(
        f"{reverse('backoffice:login')}?next={debtors}",
        {"username": "bob", "password": PASSWORD, "next": debtors},
    )

    assert response["Location"] == debtors


def test_it_shows_a_clear_error_for_a_wrong_password(client, bob):
    response = client.post(reverse("backoffice:login"), {"username": "bob", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_user_who_is_not_staff(client, django_user_model):
    django_user_model.objects.create_user(username="eve", password=PASSWORD)

    response = client.post(reverse("backoffice:login"), {"username": "eve", "password": PASSWORD})

    assert response.status_code == 200
    assert "This account has no access to the back office" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_signs_out_with_a_post(bob_client):
    page = bob_client.get(reverse("backoffice:home")).content.decode()
    assert f'action="{reverse("backoffice:logout")}"' in page

    response = bob_client.post(reverse("backoffice:logout"))

    assert response["Location"] == reverse("backoffice:login")
    assert bob_client.get(reverse("backoffice:home")).status_code == 302


def test_it_shows_employees_the_navigation_without_settings(bob_client):
    bob_page = bob_client.get(reverse("backoffice:home")).content.decode()
    for item in ("Worklist", "Invoices", "Debtors", "Imports", "Dunning", "Messages"):
        assert item in bob_page
    assert f'href="{reverse("backoffice:invoice_list")}"' in bob_page
    assert f'href="{reverse("backoffice:debtor_list")}"' in bob_page
    assert f'href="{reverse("backoffice:import_list")}"' in bob_page
    assert "Settings" not in bob_page


def test_it_shows_settings_to_administrators(dave_client):
    assert "Settings" in dave_client.get(reverse("backoffice:home")).content.decode()


def test_it_shows_who_is_signed_in(bob_client):
    assert '<span class="account__name">Bob</span>' in (
        bob_client.get(reverse("backoffice:home")).content.decode()
    )


def test_it_shows_the_page_in_english_after_switching_the_language(client, bob):
    client.cookies.clear()
    client.force_login(bob)
    invoice = InvoiceFactory(issue_date="2026-03-05", amount="1234.56", open_amount="1234.56")
    url = reverse("backoffice:invoice_detail", kwargs={"pk": invoice.pk})

    dutch = client.get(url).content.decode()
    assert '<html lang="nl">' in dutch
    assert "5 maart 2026" in dutch
    assert "€\xa01.234,56" in dutch

    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response["Location"] == url

    english = client.get(url).content.decode()
    assert '<html lang="en">' in english
    assert "5 March 2026" in english
    assert "€1,234.56" in english
