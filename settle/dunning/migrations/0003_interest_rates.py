"""The statutory commercial interest rates (wettelijke handelsrente, art. 6:119a BW) of recent
periods, as published by the Dutch government (the ECB's main refinancing rate plus 8 points,
set each 1 January and 1 July). Administrators extend the table as new periods are published;
a period that is already there is left alone."""

from decimal import Decimal

from django.db import migrations

RATES = [
    ("2024-01-01", Decimal("12.50")),
    ("2024-07-01", Decimal("12.25")),
    ("2025-01-01", Decimal("11.15")),
    ("2025-07-01", Decimal("10.15")),
]


def seed(apps, schema_editor):
    InterestRate = apps.get_model("dunning", "InterestRate")
    for valid_from, rate in RATES:
        InterestRate.objects.get_or_create(valid_from=valid_from, defaults={"rate": rate})


class Migration(migrations.Migration):
    dependencies = [("dunning", "0002_default_groups")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
