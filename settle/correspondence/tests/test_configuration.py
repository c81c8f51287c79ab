import pytest
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.correspondence.configuration import (
    organisation_update,
    template_preview,
    template_reset,
    template_update,
)
from settle.correspondence.defaults import default_fields
from settle.correspondence.kinds import Kind
from settle.correspondence.models import Channel, Organisation, Template
from settle.portal.models import PortalLink
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _template(kind=Kind.REMINDER_1, channel=Channel.EMAIL, language="nl") -> Template:
    return Template.objects.get(kind=kind, channel=channel, language=language)


def _refusal(template: Template, **parts) -> ApplicationError:
    values = {"subject": template.subject, "body_text": template.body_text}
    values["body_html"] = template.body_html
    with pytest.raises(ApplicationError) as refusal:
        template_update(template=template, **(values | parts))
    return refusal.value


def test_it_seeds_every_kind_on_its_channels_in_both_languages():
    stored = set(Template.objects.values_list("kind", "channel", "language"))
    assert (Kind.PORTAL_INVITATION, Channel.SMS, "en") in stored
    assert (Kind.FINAL_NOTICE, Channel.LETTER, "nl") in stored
    assert (Kind.INVOICE_COPY, Channel.EMAIL, "en") in stored
    assert len({kind for kind, _channel, _language in stored}) == len(Kind.values)


def test_it_refuses_an_unknown_variable_with_its_line():
    template = _template()
    before = template.body_text
    error = _refusal(template, body_text="Beste klant,\n{{ debtor_nmae }}")
    [field_error] = error.errors
    assert field_error.field == "body_text"
    assert field_error.index == 2
    assert field_error.message == "Line 2: unknown variable “debtor_nmae”."
    template.refresh_from_db()
    assert template.body_text == before


def test_it_refuses_a_syntax_error_with_its_line():
    error = _refusal(_template(), body_html="<p>a</p>\n<p>{% if debtor_name %}</p>")
    [field_error] = error.errors
    assert field_error.field == "body_html"
    assert field_error.message.startswith("Line 2:")


def test_it_refuses_an_attribute_invoices_do_not_have_with_its_line():
    source = (
        "{% for invoice in invoices %}\n{{ invoice.number }}\n{{ invoice.colour }}\n{% endfor %}"
    )
    error = _refusal(_template(), body_text=source)
    [field_error] = error.errors
    assert field_error.message == "Line 3: “colour” does not exist here."


@pytest.mark.parametrize(
    "source",
    [
        "{{ debtor_name.__class__.__mro__ }}",
        "{{ invoices.__class__.__subclasses__() }}",
        "{% include 'backoffice/base.html' %}",
        "{{ range(10) }}",
        "{{ lipsum() }}",
        "{{ invoices.append(1) }}",
    ],
)
def test_it_keeps_templates_inside_their_variables(source):
    error = _refusal(_template(), body_text=source)
    assert error.errors


def test_it_refuses_a_variable_of_another_kind():
    error = _refusal(_template(), body_text="{{ promise_date }}")
    assert "unknown variable “promise_date”" in error.errors[0].message


def test_it_saves_a_valid_template_and_restores_the_default(dave):
    template = _template()
    template_update(
        template=template,
        subject="Herinnering {{ debtor_number }}",
        body_text="{{ invoice_table }}",
        body_html="<p>{{ debtor_name }}</p>",
        updated_by=dave,
    )
    template.refresh_from_db()
    assert template.subject == "Herinnering {{ debtor_number }}"
    assert template.updated_by == dave

    template_reset(template=template, updated_by=dave)

    template.refresh_from_db()
    expected = default_fields(kind=Kind.REMINDER_1, channel=Channel.EMAIL, language="nl")
    assert template.body_text == expected["body_text"]


def test_it_requires_the_parts_of_the_channel():
    error = _refusal(_template(channel=Channel.SMS), body_text="  ")
    assert [e.field for e in error.errors] == ["body_text"]


def test_it_refuses_an_sms_longer_than_eight_parts():
    error = _refusal(_template(channel=Channel.SMS), body_text="{{ invoice_table }}" * 30)
    assert "at most 8" in error.errors[0].message


@pytest.mark.parametrize(
    "html",
    [
        '<img src="https://example.org/logo.png">',
        '<img src="file:///etc/passwd">',
        '<p style="background: url(http://127.0.0.1:9/x.png)">x</p>',
    ],
)
def test_it_refuses_a_letter_that_fetches_from_outside(html):
    error = _refusal(_template(channel=Channel.LETTER), body_html=html)
    assert "Letters may only use Settle's own files" in error.errors[0].message


def test_it_previews_for_a_debtor_without_creating_a_link(alice):
    InvoiceFactory(debtor=alice, number="F-PREVIEW")
    template = _template(kind=Kind.PORTAL_INVITATION)
    preview = template_preview(
        kind=template.kind,
        channel=template.channel,
        language="nl",
        subject=template.subject,
        body_text=template.body_text,
        body_html=template.body_html,
        debtor=alice,
    )
    assert not preview.errors
    assert "Alice Jansen" in preview.body_text
    assert "F-PREVIEW" in preview.body_html
    assert not PortalLink.objects.exists()


def test_it_previews_an_sms_with_its_size():
    template = _template(kind=Kind.PORTAL_INVITATION, channel=Channel.SMS)
    preview = template_preview(
        kind=template.kind,
        channel=template.channel,
        language="nl",
        subject="",
        body_text=template.body_text,
        body_html="",
        debtor=None,
    )
    assert preview.sms.parts in (1, 2)
    assert preview.sms.units == len(preview.body_text) + preview.body_text.count("€")


def test_it_stores_the_organisation_with_a_checked_iban():
    organisation = organisation_update(
        values={"name": "Acme BV", "iban": "nl91 abna 0417 1643 00", "city": "Utrecht"}
    )
    assert organisation.iban == "NL91ABNA0417164300"
    with pytest.raises(ApplicationError) as refusal:
        organisation_update(values={"name": "", "iban": "NL00ABNA0417164300"})
    assert {e.field for e in refusal.value.errors} == {"name", "iban"}
    assert Organisation.load().name == "Acme BV"
