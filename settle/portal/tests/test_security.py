"""The portal's promises to carol, who must never see or touch alice's data, and to everyone
about CSRF. The walks go over every route of the `portal` urlconf, so a new portal page is
covered the day it is added."""

import itertools
import secrets

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from settle.portal.services import portal_link_issue
from settle.portal.tests.support import path_parameters, portal_patterns, sign_in, text_of
from settle.portal.tokens import key_new
from settle.receivables.models import Debtor, Invoice
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import Response, ResponseAttachment, ResponseType

pytestmark = pytest.mark.django_db

# Alice's rows get ids far from anything else in the test database, so an id of hers that a
# page accepts can only have been accepted as hers.
ALICE_INVOICES = (910001, 910002)
ALICE_RESPONSE = 920001
ALICE_ATTACHMENT = 930001
ALICE_MARKERS = ("A-SECRET", "Alice", "ALICE-SECRET", "D-ALICE", "alice@example.test")
ALICE_FILE = b"%PDF-1.4\nALICE-SECRET-FILE\n"


def _response(debtor, invoices, *, pk=None, text):
    response = Response.objects.create(
        pk=pk,
        debtor=debtor,
        response_type=ResponseType.objects.get(code="complaint"),
        values={"text": text},
        submission_key=secrets.token_urlsafe(24),
    )
    response.invoices.set(invoices)
    return response


def _attachment(response, *, pk=None, content):
    return ResponseAttachment.objects.create(
        pk=pk,
        response=response,
        field_key="attachment",
        file=SimpleUploadedFile("proof.pdf", content),
        original_name="proof.pdf",
        content_type="application/pdf",
        size=len(content),
    )


@pytest.fixture
def world(alice, carol):
    """Alice with an open invoice, one with a response and an attachment; carol likewise."""
    InvoiceFactory(pk=ALICE_INVOICES[0], debtor=alice, number="A-SECRET-1")
    alice_answered = InvoiceFactory(pk=ALICE_INVOICES[1], debtor=alice, number="A-SECRET-2")
    alice_response = _response(alice, [alice_answered], pk=ALICE_RESPONSE, text="ALICE-SECRET-TEXT")
    _attachment(alice_response, pk=ALICE_ATTACHMENT, content=ALICE_FILE)
    carol_open = InvoiceFactory(debtor=carol, number="C-OWN-1")
    carol_answered = InvoiceFactory(debtor=carol, number="C-OWN-2")
    carol_response = _response(carol, [carol_answered], text="carol's complaint")
    carol_attachment = _attachment(carol_response, content=b"%PDF-1.4\ncarol\n")
    return {
        "alice": {
            "invoice": list(ALICE_INVOICES),
            "response": [ALICE_RESPONSE],
            "attachment": [ALICE_ATTACHMENT],
            "debtor": [alice.pk],
        },
        "carol": {
            "invoice": [carol_open.pk, carol_answered.pk],
            "response": [carol_response.pk],
            "attachment": [carol_attachment.pk],
            "debtor": [carol.pk],
        },
        "alice_state": _alice_state(alice),
    }


def _alice_state(alice):
    return (
        list(Invoice.objects.filter(debtor=alice).order_by("pk").values()),
        list(Response.objects.filter(invoices__debtor=alice).order_by("pk").values("pk")),
        list(Response.objects.filter(debtor=alice).order_by("pk").values()),
        list(ResponseAttachment.objects.filter(response__debtor=alice).values()),
    )


def _ids_for(name: str, ids: dict) -> list[int]:
    """The ids to put in a parameter or field called `name`: by its name, or all of them."""
    for kind in ("invoice", "response", "attachment", "debtor"):
        if kind in name:
            return ids[kind]
    return [value for values in ids.values() for value in values]


def _path_fillings(pattern, ids: dict) -> list[dict]:
    """Every way to fill the route's parameters with the given debtor's ids."""
    choices = {}
    for name, kind in path_parameters(pattern).items():
        if kind == "int":
            choices[name] = _ids_for(name, ids)
        elif name == "key":
            choices[name] = [key_new()]
        elif kind == "uuid":
            choices[name] = ["00000000-0000-4000-8000-000000000000"]
        else:
            choices[name] = ["A-SECRET-1", str(ids["invoice"][0])]
    names = list(choices)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*choices.values())]


def _fields(ids: dict, own_invoice: int) -> dict:
    """Query string and form fields naming alice's objects, next to one invoice of carol's."""
    fields = {
        name: _ids_for(name, ids)
        for name in (
            "invoice",
            "invoices",
            "invoice_id",
            "response",
            "response_id",
            "attachment",
            "attachment_id",
            "id",
            "pk",
        )
    }
    fields["invoice"] = [own_invoice, *fields["invoice"]]
    fields.update(type="complaint", text="walked", submission_key=secrets.token_urlsafe(24))
    return fields


def _requests(client_factory, url: str, fields: dict):
    """GET and POST, plain and as htmx, each from a fresh client; yields (label, response)."""
    for method, htmx in itertools.product(("get", "post"), (False, True)):
        client = client_factory()
        headers = {"HX-Request": "true"} if htmx else {}
        response = getattr(client, method)(url, fields, headers=headers)
        chain = [response]
        if response.status_code in (301, 302, 303) and not response.get("HX-Redirect"):
            chain.append(client.get(response["Location"]))
        yield f"{method.upper()}{' htmx' if htmx else ''} {url}", chain


def _assert_nothing_of_alice(label, chain):
    for response in chain:
        body = text_of(response)
        for marker in ALICE_MARKERS:
            assert marker not in body, f"{label} shows {marker}"
        assert b"ALICE-SECRET-FILE" not in response.getvalue(), label


def _carol_client():
    client = Client()
    sign_in(client, Debtor.objects.get(number="D-CAROL"))
    return client


def test_it_never_shows_or_touches_alices_data_on_any_portal_url(world, alice):
    alice_ids, carol_ids = world["alice"], world["carol"]
    fields = _fields(alice_ids, own_invoice=carol_ids["invoice"][0])
    seen, with_alices_path_ids, own_shown = set(), set(), False
    routes = dict(portal_patterns())

    for name, pattern in routes.items():
        seen.add(name)
        has_int = "int" in path_parameters(pattern).values()
        for kwargs in _path_fillings(pattern, alice_ids):
            url = reverse(name, kwargs=kwargs)
            for label, chain in _requests(_carol_client, url, fields):
                _assert_nothing_of_alice(label, chain)
                own_shown = own_shown or any("C-OWN-1" in text_of(r) for r in chain)
                if has_int:
                    # An id of alice's in the path is not found, whatever the method.
                    assert chain[0].status_code in (404, 405), label
                    with_alices_path_ids.add(name)
        if has_int:
            # The same route with carol's own ids is found: the 404 above came from the scoping.
            answers = [
                chain[0].status_code
                for kwargs in _path_fillings(pattern, carol_ids)
                for _label, chain in _requests(_carol_client, reverse(name, kwargs=kwargs), {})
            ]
            assert any(status not in (404, 405) for status in answers), name

    assert own_shown, "carol never saw her own invoice: the walk proves nothing"
    assert seen == set(routes)
    assert with_alices_path_ids == {
        name for name, p in routes.items() if "int" in path_parameters(p).values()
    }
    assert _alice_state(alice) == world["alice_state"]


def test_it_shows_nothing_to_anonymous_visitors_on_any_portal_url(world, alice):
    fields = _fields(world["alice"], own_invoice=world["carol"]["invoice"][0])
    for name, pattern in portal_patterns():
        for kwargs in _path_fillings(pattern, world["alice"]):
            for label, chain in _requests(Client, reverse(name, kwargs=kwargs), fields):
                _assert_nothing_of_alice(label, chain)
                for response in chain:
                    assert "C-OWN" not in text_of(response), label
    assert _alice_state(alice) == world["alice_state"]


def test_it_never_runs_script_a_debtor_or_an_import_wrote(client, carol):
    script = "<script>alert(1)</script>"
    invoice = InvoiceFactory(debtor=carol, number=f"C-{script}")
    _response(carol, [invoice], text=script)
    sign_in(client, carol)

    for name, pattern in portal_patterns():
        for kwargs in _path_fillings(pattern, {"invoice": [invoice.pk]} | _no_ids()):
            url = reverse(name, kwargs=kwargs)
            for data in ({}, {"invoice": [invoice.pk], "type": "complaint", "text": script}):
                body = text_of(client.get(url, data))
                assert "<script>alert" not in body, url


def _no_ids():
    return {"response": [0], "attachment": [0], "debtor": [0]}


# --- CSRF -----------------------------------------------------------------------------------


def _post_urls():
    for name, pattern in portal_patterns():
        for kwargs in _path_fillings(pattern, {"invoice": [1]} | _no_ids()):
            yield reverse(name, kwargs=kwargs)
    yield reverse("set_language")


def test_it_refuses_every_post_without_a_csrf_token(carol):
    signed_in = Client(enforce_csrf_checks=True)
    key = sign_in_with_token(signed_in, carol)
    anonymous = Client(enforce_csrf_checks=True)

    for url in [*_post_urls(), reverse("portal:link", kwargs={"key": key})]:
        for client in (signed_in, anonymous):
            response = client.post(url, {"identifier": "carol@example.test"})
            assert response.status_code == 403, url


def sign_in_with_token(client: Client, debtor) -> str:
    """Sign in through the real button, token and all; returns a fresh key for later use."""
    key = portal_link_issue(debtor=debtor).key
    token = _token(client, reverse("portal:link", kwargs={"key": key}))
    response = client.post(
        reverse("portal:link", kwargs={"key": key}), {"csrfmiddlewaretoken": token}
    )
    assert response["Location"] == reverse("portal:home")
    return portal_link_issue(debtor=debtor).key


def _token(client: Client, url: str) -> str:
    html = text_of(client.get(url))
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


NEW_LINK = reverse("portal:new_link")


@pytest.fixture
def csrf_client():
    client = Client(enforce_csrf_checks=True)
    client.token = _token(client, NEW_LINK)
    return client


def _ask(client, *, token: str | None, **headers):
    data = {"identifier": "nobody@example.test"}
    if token:
        data["csrfmiddlewaretoken"] = token
    return client.post(NEW_LINK, data, headers=headers).status_code


def test_it_accepts_a_null_origin_post_with_a_valid_token(csrf_client):
    # What browsers send under Referrer-Policy: no-referrer: Origin null, no Referer.
    assert _ask(csrf_client, token=csrf_client.token, Origin="null") == 302
    assert (
        _ask(
            csrf_client, token=csrf_client.token, Origin="null", **{"Sec-Fetch-Site": "same-origin"}
        )
        == 302
    )


def test_it_refuses_a_null_origin_post_without_a_valid_token(csrf_client):
    assert _ask(csrf_client, token=None, Origin="null") == 403
    assert _ask(csrf_client, token="x" * 64, Origin="null") == 403


def test_it_refuses_a_null_origin_post_from_another_site(csrf_client):
    for site in ("cross-site", "same-site"):
        assert (
            _ask(csrf_client, token=csrf_client.token, Origin="null", **{"Sec-Fetch-Site": site})
            == 403
        )


def test_it_refuses_a_post_from_another_origin_even_with_a_token(csrf_client):
    assert _ask(csrf_client, token=csrf_client.token, Origin="https://evil.example") == 403


def test_it_accepts_a_post_from_its_own_origin(csrf_client):
    assert _ask(csrf_client, token=csrf_client.token, Origin="http://testserver") == 302


def test_it_accepts_the_link_button_under_no_referrer(alice):
    client = Client(enforce_csrf_checks=True)
    url = reverse("portal:link", kwargs={"key": portal_link_issue(debtor=alice).key})
    token = _token(client, url)

    refused = client.post(url, headers={"Origin": "null"})
    accepted = client.post(url, {"csrfmiddlewaretoken": token}, headers={"Origin": "null"})

    assert refused.status_code == 403
    assert accepted["Location"] == reverse("portal:home")
    assert settings.SESSION_COOKIE_NAME in accepted.cookies
