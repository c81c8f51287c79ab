from decimal import Decimal

from django.utils import translation

from settle.backoffice.templatetags.money import money


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
