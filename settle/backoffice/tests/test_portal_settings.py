import re
import secrets
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from settle.backoffice.tests.support import (
    edit_url,
    form_data,
    type_named,
    unlabelled_inputs,
)
from settle.portal.models import PortalSettings
from settle.portal.services import portal_link_check, portal_link_issue
from settle.receivables.tests.factories import InvoiceFactory
from settle.responses.models import Response, ResponseField

pytestmark = pytest.mark.django_db

SETTINGS = reverse("backoffice:portal_settings")
OTHER = reverse("backoffice:portal_settings_other")


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def field_of(code: str, key: str) -> ResponseField:
    return ResponseField.objects.get(response_type__code=code, key=key)


def sign_in_as_debtor(client, debtor):
    issued = portal_link_issue(debtor=debtor)
    response = client.post(reverse("portal:link", kwargs={"key": issued.key}))
    assert response.status_code == 302
    return client


# --- Who may come in ----------------------------------------------------------------------


def test_it_lists_the_response_types_for_an_administrator(dave_client):
    response = dave_client.get(SETTINGS)

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Klacht", "Complaint", "KLACHT", "Betalingsregeling", "Payment date"):
        assert text in html
    assert edit_url(type_named("promise")) in html


def test_it_refuses_an_employee_with_a_page_that_says_why(bob_client):
    promise = type_named("promise")
    pages = [SETTINGS, OTHER, edit_url(promise)]

    for url in pages:
        response = bob_client.get(url)
        assert response.status_code == 403
        assert "Only administrators can change the settings." in response.content.decode()
    refused_posts = [
        bob_client.post(edit_url(promise), form_data(promise, enabled_in_portal=False)),
        bob_client.post(OTHER, {"link_validity_days": "3"}),
    ]

    assert [post.status_code for post in refused_posts] == [403, 403]
    assert type_named("promise").enabled_in_portal
    assert PortalSettings.load().link_validity_days == 14


def test_it_sends_someone_signed_out_to_sign_in(client):
    for url in (SETTINGS, OTHER, edit_url(type_named("promise"))):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("backoffice:login"))


def test_it_shows_the_settings_link_to_administrators_only(bob_client, dave):
    employee_page = bob_client.get(reverse("backoffice:home")).content.decode()
    bob_client.force_login(dave)
    administrator_page = bob_client.get(reverse("backoffice:home")).content.decode()

    assert f'href="{SETTINGS}"' not in employee_page
    assert f'href="{SETTINGS}"' in administrator_page
    assert f'href="{reverse("backoffice:response_list")}"' in employee_page


# --- Editing a response type --------------------------------------------------------------


def test_it_saves_a_type_and_its_fields(dave_client):
    paid = type_named("already_paid")

    response = dave_client.post(
        edit_url(paid),
        form_data(
            paid,
            name_nl="Al betaald",
            name_en="Paid already",
            external_action_id=" PAID-2 ",
            excludes_from_dunning=False,
            position="5",
            field_amount__label_en="How much did you pay?",
            field_amount__optional="on",
            field_proof__visible=False,
            field_payment_date__position="99",
        ),
    )

    assert response.status_code == 302
    assert response.url == edit_url(paid)
    paid.refresh_from_db()
    assert (paid.name_nl, paid.name_en, paid.external_action_id) == (
        "Al betaald",
        "Paid already",
        "PAID-2",
    )
    assert not paid.excludes_from_dunning
    assert paid.enabled_in_portal
    assert paid.position == 5
    amount = field_of("already_paid", "amount")
    assert amount.label_en == "How much did you pay?" and amount.optional and amount.visible
    assert not field_of("already_paid", "proof").visible
    assert [field.key for field in paid.fields.all()] == ["amount", "proof", "payment_date"]
    page = dave_client.get(response.url).content.decode()
    assert "“Paid already” has been saved." in page
    assert 'value="How much did you pay?"' in page


def test_it_saves_nothing_when_one_input_is_wrong(dave_client):
    promise = type_named("promise")
    before = list(ResponseField.objects.filter(response_type=promise).values())

    response = dave_client.post(
        edit_url(promise),
        form_data(
            promise,
            name_en="Promise",
            enabled_in_portal=False,
            field_promised_date__label_nl="   ",
            field_promised_date__position="1000",
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved. Correct the marked fields and save again." in html
    assert "This field is required." in html
    assert "Ensure this value is less than or equal to 999." in html
    # What the administrator typed stays in the form, to be corrected rather than retyped.
    assert 'value="Promise"' in html
    promise.refresh_from_db()
    assert promise.name_en == "I will pay"
    assert promise.enabled_in_portal
    assert list(ResponseField.objects.filter(response_type=promise).values()) == before


def test_it_refuses_an_empty_name_and_a_negative_order(dave_client):
    promise = type_named("promise")

    response = dave_client.post(edit_url(promise), form_data(promise, name_nl="", position="-1"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert "Ensure this value is greater than or equal to 0." in html
    assert type_named("promise").name_nl == "Ik ga betalen"


def test_it_does_not_let_a_form_change_the_fields_of_another_type(dave_client):
    promise = type_named("promise")
    complaint_text = field_of("complaint", "text")
    data = form_data(promise)
    data[f"field-{complaint_text.pk}-label_nl"] = "Gekaapt"
    data[f"field-{complaint_text.pk}-visible"] = ""

    response = dave_client.post(edit_url(promise), data)

    assert response.status_code == 302
    complaint_text.refresh_from_db()
    assert complaint_text.label_nl == "Omschrijving van uw klacht"
    assert complaint_text.visible


def test_it_answers_404_for_an_unknown_type(dave_client):
    assert (
        dave_client.get(reverse("backoffice:response_type_edit", args=[999999])).status_code == 404
    )


def test_it_labels_every_input_on_the_settings_pages(dave_client):
    pages = [SETTINGS, OTHER, edit_url(type_named("already_paid"))]

    for url in pages:
        assert unlabelled_inputs(dave_client.get(url).content.decode()) == [], url
    failed = dave_client.post(
        edit_url(type_named("already_paid")), form_data(type_named("already_paid"), name_nl="")
    )
    assert unlabelled_inputs(failed.content.decode()) == []


def test_it_names_the_field_in_each_input_label(dave_client):
    html = dave_client.get(edit_url(type_named("already_paid"))).content.decode()

    assert "“Payment date” is visible" in html
    assert "“Proof of payment” is optional" in html
    assert "Order of “Amount paid”" in html


def test_it_has_no_inline_script_or_style(dave_client):
    html = dave_client.get(edit_url(type_named("complaint"))).content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "style=" not in html
    assert "<style" not in html


# --- Workflow parameters ------------------------------------------------------------------


def input_names(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html))


def test_it_shows_the_parameters_of_the_types_workflow_only(dave_client):
    promise = dave_client.get(edit_url(type_named("promise"))).content.decode()
    complaint = dave_client.get(edit_url(type_named("complaint"))).content.decode()

    assert {"promise_max_days", "grace_days", "on_broken", "notify_broken"} <= input_names(promise)
    assert "task_due_days" not in input_names(promise)
    assert "Maximum days until the promised date" in promise
    assert "Close the response, so dunning resumes" in promise
    assert 'name="promise_max_days" value="30"' in promise
    assert "task_due_days" in input_names(complaint)
    assert not {"promise_max_days", "grace_days", "on_broken"} & input_names(complaint)
    assert "A change applies to new responses" in complaint


def test_it_saves_the_workflow_parameters(dave_client):
    promise = type_named("promise")

    response = dave_client.post(
        edit_url(promise),
        form_data(
            promise,
            promise_max_days="14",
            grace_days="0",
            on_broken="resume",
            notify_broken=False,
            task_due_days="99",  # not a setting of a promise: ignored
        ),
    )

    assert response.status_code == 302
    promise.refresh_from_db()
    assert (promise.promise_max_days, promise.grace_days) == (14, 0)
    assert (promise.on_broken, promise.notify_broken, promise.task_due_days) == ("resume", False, 2)
    page = dave_client.get(edit_url(promise)).content.decode()
    assert re.search(r'value="resume"[^>]* checked', page)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"promise_max_days": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"grace_days": "61"}, "Ensure this value is less than or equal to 60."),
        ({"on_broken": "forget"}, "Select a valid choice."),
        ({"grace_days": ""}, "This field is required."),
    ],
)
def test_it_refuses_a_parameter_out_of_range_and_saves_nothing(dave_client, changes, message):
    promise = type_named("promise")

    response = dave_client.post(edit_url(promise), form_data(promise, name_en="Pay", **changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    promise.refresh_from_db()
    assert (promise.name_en, promise.promise_max_days, promise.grace_days) == ("I will pay", 30, 2)


def test_it_labels_every_parameter_input(dave_client):
    for code in ("promise", "arrangement", "not_approved", "copy_request"):
        html = dave_client.get(edit_url(type_named(code))).content.decode()
        assert unlabelled_inputs(html) == [], code


def test_it_explains_the_due_date_of_a_not_approved_task(dave_client):
    html = dave_client.get(edit_url(type_named("not_approved"))).content.decode()

    assert "The task is due on the expected approval date the debtor gives" in html


# --- Other settings -----------------------------------------------------------------------


def test_it_changes_the_link_validity_for_new_links(dave_client, alice):
    old_link = portal_link_issue(debtor=alice).link

    response = dave_client.post(OTHER, {"link_validity_days": "3"})

    assert response.status_code == 302
    assert PortalSettings.load().link_validity_days == 3
    assert "The portal settings have been saved." in dave_client.get(OTHER).content.decode()
    new_link = portal_link_issue(debtor=alice).link
    # Up to and including the third day from today, to its end.
    last_day = timezone.localtime(new_link.expires_at)
    assert last_day.date() == timezone.localdate() + timedelta(days=3)
    assert (last_day.hour, last_day.minute) == (23, 59)
    old_link.refresh_from_db()
    assert old_link.expires_at - timezone.now() > timedelta(days=13)


@pytest.mark.parametrize("value", ["0", "366", "-1", "two weeks", ""])
def test_it_refuses_a_link_validity_outside_one_to_365_days(dave_client, value):
    response = dave_client.post(OTHER, {"link_validity_days": value})

    assert response.status_code == 400
    assert 'class="errors field__errors"' in response.content.decode()
    assert PortalSettings.load().link_validity_days == 14


def test_it_lets_an_administrator_keep_one_valid_link_per_debtor(dave_client, alice):
    old_key = portal_link_issue(debtor=alice).key
    form = dave_client.get(OTHER).content.decode()
    assert "One valid link per debtor" in form
    assert not re.search(r'name="one_link_per_debtor"[^>]*checked', form)

    response = dave_client.post(OTHER, {"link_validity_days": "14", "one_link_per_debtor": "on"})

    assert response.status_code == 302
    assert PortalSettings.load().one_link_per_debtor
    assert re.search(
        r'name="one_link_per_debtor"[^>]*checked', dave_client.get(OTHER).content.decode()
    )
    new_key = portal_link_issue(debtor=alice).key
    assert portal_link_check(key=old_key).refusal == "revoked"
    assert portal_link_check(key=new_key).ok

    dave_client.post(OTHER, {"link_validity_days": "14"})
    assert not PortalSettings.load().one_link_per_debtor


def test_it_shows_the_current_link_validity(dave_client):
    PortalSettings.objects.filter(pk=PortalSettings.load().pk).update(link_validity_days=30)

    html = dave_client.get(OTHER).content.decode()

    assert re.search(r'name="link_validity_days"[^>]*value="30"', html)


# --- What the debtor sees -----------------------------------------------------------------


def respond_page(client, invoice, code: str = "") -> str:
    params = {"invoice": invoice.pk}
    if code:
        params["type"] = code
    response = client.get(reverse("portal:respond"), params)
    assert response.status_code == 200
    return response.content.decode()


def offered_types(html: str) -> list[str]:
    return re.findall(r'name="type" value="([^"]+)"', html)


def test_it_takes_a_disabled_type_out_of_the_portal(dave_client, client, alice):
    invoice = InvoiceFactory(debtor=alice)
    arrangement = type_named("arrangement")
    dave_client.post(edit_url(arrangement), form_data(arrangement, enabled_in_portal=False))
    client.logout()
    sign_in_as_debtor(client, alice)

    html = respond_page(client, invoice)

    assert "arrangement" not in offered_types(html)
    assert "promise" in offered_types(html)
    assert "Betalingsregeling" not in html


def test_it_hides_a_hidden_field_from_the_debtor(dave_client, client, alice):
    invoice = InvoiceFactory(debtor=alice)
    complaint = type_named("complaint")
    dave_client.post(edit_url(complaint), form_data(complaint, field_attachment__visible=False))
    client.logout()
    sign_in_as_debtor(client, alice)

    html = respond_page(client, invoice, "complaint")

    assert 'name="f_text"' in html
    assert 'name="f_attachment"' not in html
    assert "Bijlage" not in html


def test_it_lets_the_debtor_leave_a_field_empty_once_it_is_optional(dave_client, client, alice):
    invoice = InvoiceFactory(debtor=alice)
    complaint = type_named("complaint")
    dave_client.post(edit_url(complaint), form_data(complaint, field_text__optional="on"))
    client.logout()
    sign_in_as_debtor(client, alice)

    response = client.post(
        reverse("portal:respond"),
        {
            "invoice": [invoice.pk],
            "type": "complaint",
            "submission_key": secrets.token_urlsafe(24),
            "f_text": "",
        },
    )

    assert response.status_code == 302
    stored = Response.objects.get(debtor=alice)
    assert stored.response_type.code == "complaint"
    assert stored.values == {}


def test_it_still_requires_a_field_that_is_not_optional(client, alice):
    invoice = InvoiceFactory(debtor=alice)
    sign_in_as_debtor(client, alice)

    response = client.post(
        reverse("portal:respond"),
        {
            "invoice": [invoice.pk],
            "type": "complaint",
            "submission_key": secrets.token_urlsafe(24),
            "f_text": "",
        },
    )

    assert response.status_code == 200
    assert not Response.objects.exists()


def test_it_shows_fields_in_the_order_the_administrator_set(dave_client, client, alice):
    invoice = InvoiceFactory(debtor=alice)
    paid = type_named("already_paid")
    dave_client.post(
        edit_url(paid),
        form_data(paid, field_payment_date__position="30", field_amount__position="10"),
    )
    client.logout()
    sign_in_as_debtor(client, alice)

    html = respond_page(client, invoice, "already_paid")

    assert html.index('name="f_amount"') < html.index('name="f_payment_date"')


def test_it_refuses_an_empty_form_with_errors_rather_than_ignoring_it(dave_client):
    promise = type_named("promise")

    for url in (edit_url(promise), OTHER):
        response = dave_client.post(url, {})
        assert response.status_code == 400, url
        assert "This field is required." in response.content.decode(), url
    assert type_named("promise").name_nl == "Ik ga betalen"


def test_it_says_which_fields_the_workflow_needs_and_keeps_them_visible(dave_client):
    promise = type_named("promise")
    date_field = field_of("promise", "promised_date")
    page = dave_client.get(edit_url(promise)).content.decode()

    assert "Needed by the workflow: always visible and required." in page
    visible = re.search(rf'<input[^>]*name="field-{date_field.pk}-visible"[^>]*>', page).group(0)
    assert "disabled" in visible and "checked" in visible

    # A posted change to the disabled checkboxes (a tampered form) does not reach the field.
    response = dave_client.post(
        edit_url(promise),
        form_data(promise, field_promised_date__visible=False, field_promised_date__optional="on"),
    )

    assert response.status_code == 302
    date_field.refresh_from_db()
    assert date_field.visible and not date_field.optional


def test_it_lets_an_optional_field_of_the_same_page_be_hidden(dave_client):
    complaint = type_named("complaint")
    page = dave_client.get(edit_url(complaint)).content.decode()
    assert "Needed by the workflow" not in page
