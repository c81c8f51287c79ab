"""Adds the shipped templates of the new kind "arrangement ended" (an employee ended a running
arrangement early) to existing installations; templates that exist are left alone."""

from django.db import migrations


def seed(apps, schema_editor):
    # The shipped wording lives in files (see defaults.py); only missing rows are created.
    from settle.correspondence.defaults import templates_seed

    templates_seed(apps.get_model("correspondence", "Template"))


class Migration(migrations.Migration):
    dependencies = [("correspondence", "0004_confirmations_without_link_wording")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
