import re

import pytest
from django.conf import settings
from django.urls import reverse

from settle.backoffice.tests.support import unlabelled_inputs
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Organisation
from settle.correspondence.services import message_send

pytestmark = pytest.mark.django_db

PAGE = reverse("backoffice:organisation_settings")
VALID = {
    "name": "Acme Incasso BV",
    "street": "Stationsplein 1",
    "postal_code": "3511 ED",
    "city": "Utrecht",
    "email": "debiteuren@acme.test",
    "phone": "030 123 4567",
    "website": "https://acme.test",
    "iban": "nl91 abna 0417 1643 00",
    "bic": "ABNANL2A",
}


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_it_refuses_employees(bob_client):
    assert bob_client.get(PAGE).status_code == 403
    assert bob_client.post(PAGE, VALID).status_code == 403
    assert Organisation.load().name != VALID["name"]


def test_it_shows_the_current_details_in_a_labelled_form(dave_client):
    Organisation.objects.update_or_create(pk=1, defaults={"name": "Old Name BV", "city": "Zeist"})

    response = dave_client.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Old Name BV"' in html and 'value="Zeist"' in html
    assert 'aria-current="page">Organisation<' in html
    assert unlabelled_inputs(html) == []


def test_it_saves_the_details_that_the_next_message_uses(dave_client, alice):
    response = dave_client.post(PAGE, VALID, follow=True)

    assert "The organisation&#x27;s details have been saved." in response.content.decode()
    organisation = Organisation.load()
    assert organisation.name == "Acme Incasso BV"
    assert organisation.iban == "NL91ABNA0417164300"
    assert organisation.address_lines == ["Stationsplein 1", "3511 ED Utrecht"]
    message = message_send(
        kind=Kind.PORTAL_INVITATION,
        channel=Channel.EMAIL,
        debtor=alice,
        cause="test",
        idempotency_key="after-organisation",
    )
    assert "Acme Incasso BV" in message.body_text


def test_it_shows_each_problem_next_to_its_input_and_saves_nothing(dave_client):
    before = Organisation.load().name

    response = dave_client.post(
        PAGE, {**VALID, "name": "", "iban": "NL00 ABNA 0000 0000 00", "email": "not-an-address"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<div class="errors" role="alert">\s*<p>Nothing was saved.', html)
    assert re.search(r'id="id_name_error"><li>This field is required.</li>', html)
    assert re.search(r'id="id_email_error"><li>Enter a valid email address.</li>', html)
    assert Organisation.load().name == before


def test_it_refuses_an_iban_with_wrong_check_digits(dave_client):
    response = dave_client.post(PAGE, {**VALID, "iban": "NL00 ABNA 0000 0000 00"})

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'id="id_iban_error"><li>“NL00 ABNA 0000 0000 00” is not a valid IBAN.', html)
    assert 'value="NL00 ABNA 0000 0000 00"' in html
    assert Organisation.load().iban == ""
