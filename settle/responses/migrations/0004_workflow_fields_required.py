"""Fields a workflow needs (a promise's date, an arrangement's number of instalments and first
date) could be hidden or made optional before the rule existed; they are made visible and
required again, so no installation keeps a promise form without a date."""

from django.db import migrations

# A copy of WORKFLOW_REQUIRED_FIELDS as it was when this migration was written.
NEEDED = {"promise": ("promised_date",), "arrangement": ("instalments", "first_date")}


def require(apps, schema_editor):
    ResponseField = apps.get_model("responses", "ResponseField")
    for workflow, keys in NEEDED.items():
        ResponseField.objects.filter(response_type__workflow=workflow, key__in=keys).update(
            visible=True, optional=False
        )


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0003_workflow_parameters"),
    ]

    operations = [migrations.RunPython(require, migrations.RunPython.noop)]
