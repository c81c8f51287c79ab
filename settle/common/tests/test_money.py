from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from settle.common.money import money


def test_it_writes_euros_the_dutch_way_in_dutch():
    with translation.override("nl"):
        assert money(Decimal("1234.56")) == "€\xa01.234,56"
        assert money(Decimal("0")) == "€\xa00,00"
        assert money(Decimal("1234567.8")) == "€\xa01.234.567,80"
        assert money(Decimal("-12.5")) == "€\xa0-12,50"


def test_it_writes_euros_the_english_way_in_english():
    with translation.override("en"):
        assert money(Decimal("1234.56")) == "€1,234.56"
        assert money(Decimal("-12.5")) == "-€12.50"
        assert money("99") == "€99.00"


def test_it_rounds_half_cents_up():
    with translation.override("en"):
        assert money(Decimal("0.005")) == "€0.01"


def test_it_names_other_currencies():
    with translation.override("en"):
        assert money(Decimal("5"), "USD") == "$5.00"
        assert money(Decimal("5"), "CHF") == "CHF\xa05.00"


def test_it_renders_nothing_for_nothing():
    assert money(None) == ""
    assert money("") == ""
    assert money("not a number") == ""


def test_templates_write_amounts_with_the_same_function():
    template = Template("{% load money %}{{ amount|money }} {{ amount|money:'USD' }}")

    with translation.override("nl"):
        shown = template.render(Context({"amount": Decimal("-1234.5")}))

    assert shown == "€\xa0-1.234,50 $\xa0-1.234,50"
