from django.db import migrations


def seed(apps, schema_editor):
    # The shipped wording lives in files (see defaults.py); rows that exist are left alone.
    from settle.correspondence.defaults import templates_seed

    templates_seed(apps.get_model("correspondence", "Template"))


class Migration(migrations.Migration):
    dependencies = [("correspondence", "0002_templates_organisation_attachments")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
