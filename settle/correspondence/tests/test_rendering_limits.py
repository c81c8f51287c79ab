"""The limits on what a template may build and write (issue #10, point 4)."""

import time

import pytest
from django.utils import translation

from settle.common.errors import ApplicationError
from settle.correspondence.kinds import Kind
from settle.correspondence.limits import MAX_OUTPUT, LimitError
from settle.correspondence.models import Channel, MessageStatus, Template
from settle.correspondence.rendering import template_compile, template_problems, template_render
from settle.correspondence.services import message_retry, message_send
from settle.portal.models import PortalLink
from settle.receivables.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


HUGE = [
    ("{{ 10**100000 }}", "number of more than 100 digits"),
    ("{{ (10**60) * (10**60) }}", "number of more than 100 digits"),
    ("{{ 1.5 ** 100000 }}", "number of more than 100 digits"),
    ("{{ 'x'*100000000 }}", "text or list of more than"),
    ("{{ ['x']*100000000 }}", "text or list of more than 50000"),
    ("{{ [1]|batch(1000000, 0) }}", "text or list of more than 50000"),
    ("{% set a = 'x'*400000 %}{{ a ~ a }}", "text or list of more than"),
    ("{% set a = 'x'*400000 %}{{ a + a }}", "text or list of more than"),
    ("{{ 'x'.ljust(1000000000) }}", "text or list of more than"),
    ("{{ 'x'|center(1000000000) }}", "text or list of more than"),
    ("{{ '%100000000d' % 1 }}", "text or list of more than"),
    ("{{ '%*d' % (100000000, 1) }}", "text or list of more than"),
    ("{{ '{:>100000000}'.format(1) }}", "text or list of more than"),
    ("{{ ('x'*10000)|replace('x', 'y'*10000) }}", "text or list of more than"),
    ("{{ ('x'*10000).replace('x', 'y'*10000) }}", "text or list of more than"),
    ("{{ (['x'*1000]*1000)|join('y'*1000) }}", "text or list of more than"),
    ("{% for a in 'x'*1000 %}{% for b in 'x'*1000 %}{% endfor %}{% endfor %}", "repeats too much"),
    (
        "{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(40) }}",
        "repeats too much",
    ),
    (
        "{% set s = 'x'*500000 %}{% for i in 'x'*100 %}{{ s.count('y') }}{% endfor %}",
        "repeats too much",
    ),
    ("{% for i in 'x'*1000 %}{{ ([i]|slice(50000))|list|length }}{% endfor %}", "repeats too much"),
    ("{{ " + "9" * 5000 + " }}", "number of more than 100 digits"),
    ("{% for a in 'x'*500 %}{% for b in 'x'*500 %}abcdefgh{% endfor %}{% endfor %}", "longer than"),
    (
        "{% set s %}{% for a in 'x'*300 %}{% for b in 'x'*300 %}{{ 'abcdefgh' }}{% endfor %}"
        "{% endfor %}{% endset %}short",
        "longer than",
    ),
]


@pytest.mark.parametrize("html", [False, True])
@pytest.mark.parametrize(("source", "reason"), HUGE)
def test_it_refuses_what_is_too_big_before_building_it(source, reason, html):
    started = time.monotonic()

    with pytest.raises(LimitError) as refused:
        template_render(template_compile(source, html=html), {})

    assert reason in refused.value.reason
    # Milliseconds for most; the budget cases do a little of the work first (slow CI: ample).
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(("source", "reason"), HUGE[:4])
def test_it_reports_a_limit_as_a_problem_of_the_template(source, reason):
    problems = template_problems(
        "Dear {{ debtor_name }},\n" + source,
        part="body_text",
        html=False,
        allowed=frozenset({"debtor_name"}),
        sample={"debtor_name": "Alice"},
    )

    assert [(p.line, reason in p.reason) for p in problems] == [(2, True)]


def test_it_says_so_in_the_editors_language():
    with translation.override("nl"):
        problems = template_problems(
            "{{ 10**100000 }}", part="body_text", html=False, allowed=frozenset(), sample={}
        )

    assert "een getal van meer dan 100 cijfers maken" in problems[0].reason


def test_it_still_renders_what_an_ordinary_template_does():
    source = (
        "{{ 2**10 }} {{ 'ab'*3 }} {{ 'a%sb' % 'c' }} {{ 'x'|upper ~ 'y' }} "
        "{% for i in items %}{{ loop.index }}:{{ i }}{{ ', ' if not loop.last }}{% endfor %} "
        "{{ items|join('/') }} {{ '{:>5}'.format(7) }} {{ 'x'|center(5) }}|"
    )

    rendered = template_render(template_compile(source, html=False), {"items": ["p", "q"]})

    assert rendered == "1024 ababab acb Xy 1:p, 2:q p/q     7   x  |"


def test_it_limits_the_output_to_what_the_part_may_have():
    compiled = template_compile("{{ text }}", html=False)

    assert len(template_render(compiled, {"text": "x" * MAX_OUTPUT})) == MAX_OUTPUT
    with pytest.raises(LimitError):
        template_render(compiled, {"text": "x" * 1001}, limit=1000)


def test_a_message_over_a_limit_fails_with_a_clear_last_error(alice):
    # A template stored before the limits existed, which passes with three sample invoices but
    # not with alice's four.
    Template.objects.filter(
        kind=Kind.PORTAL_INVITATION, channel=Channel.EMAIL, language=alice.language
    ).update(body_text="{% for invoice in invoices %}{{ 'x' * 150000 }}{% endfor %}")
    InvoiceFactory.create_batch(4, debtor=alice)

    message = message_send(
        kind=Kind.PORTAL_INVITATION,
        channel=Channel.EMAIL,
        debtor=alice,
        cause="test",
        idempotency_key="too-long",
    )

    assert message.status == MessageStatus.FAILED
    assert "cannot be rendered" in message.last_error
    assert "longer than 524288 characters" in message.last_error
    assert (message.body_text, message.body_html) == ("", "")
    # No link was issued for a message that was never written.
    assert not PortalLink.objects.filter(debtor=alice).exists()
    with pytest.raises(ApplicationError) as refused:
        message_retry(message=message)
    assert "correct the template" in refused.value.message
