"""A field with errors points a screen reader at them: Django gives the input
`aria-describedby="<id>_error"` (and `_helptext`), and every id it names must be on the page."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string

from settle.backoffice.tests.support import (
    action_url,
    complaint_task,
    edit_url,
    form_data,
    type_named,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


class _Described(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, str]] = []  # (tag, named ids) of each invalid element

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("aria-invalid") == "true" or (
            tag == "fieldset" and attrs.get("aria-describedby")
        ):
            self.described.append((tag, attrs.get("aria-describedby") or ""))


def missing_descriptions(html: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The invalid elements with what they name, and the named ids that are not on the page."""
    parser = _Described()
    parser.feed(html)
    named = [name for _tag, names in parser.described for name in names.split()]
    return parser.described, [name for name in named if name not in parser.ids]


def assert_described(html: str, at_least: int) -> None:
    described, missing = missing_descriptions(html)
    with_ids = [names for _tag, names in described if names]
    # Without invalid elements that name something, the check below would prove nothing.
    assert len(with_ids) >= at_least, described
    assert missing == []


def test_it_links_the_outcome_to_its_error_on_the_task_page(bob_client, alice):
    task, _response, _invoice = complaint_task(alice)

    page = bob_client.post(action_url(task, "complete"), {"outcome": "", "close_response": "on"})

    assert page.status_code == 400
    assert 'aria-describedby="id_outcome_helptext id_outcome_error"' in page.content.decode()
    assert_described(page.content.decode(), at_least=1)


def test_it_links_policy_and_workflow_inputs_to_their_errors(dave_client):
    arrangement = type_named("arrangement")

    page = dave_client.post(
        edit_url(arrangement),
        form_data(
            arrangement,
            on_broken="explode",
            **{"policy-max_instalments": "0", "policy-max_total_amount": "lots"},
        ),
    )

    assert page.status_code == 400
    html = page.content.decode()
    assert '<fieldset class="field field--choices field--invalid" aria-describedby=' in html
    assert_described(html, at_least=3)


def test_it_links_the_cells_of_the_field_table_to_their_errors(dave_client):
    promise = type_named("promise")

    page = dave_client.post(
        edit_url(promise),
        form_data(
            promise, field_promised_date__label_nl="   ", field_promised_date__position="1000"
        ),
    )

    assert page.status_code == 400
    assert_described(page.content.decode(), at_least=2)


def unfilled(field: forms.Field) -> forms.BoundField:
    """`field`, required, in a form sent without it."""
    return type("_Form", (forms.Form,), {"value": field})(data={})["value"]


@pytest.mark.parametrize(
    ("include", "field"),
    [
        ("field", forms.CharField()),
        ("field", forms.CharField(help_text="A word.")),
        ("cell_field", forms.CharField()),
        ("check_field", forms.BooleanField()),
        ("check_field", forms.BooleanField(help_text="Tick to agree.")),
    ],
)
def test_it_gives_each_field_include_the_ids_django_names(include, field):
    html = render_to_string(f"backoffice/includes/{include}.html", {"field": unfilled(field)})

    assert 'id="id_value_error"' in html
    assert_described(html, at_least=1)
