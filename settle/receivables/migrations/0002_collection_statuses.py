from django.db import migrations

SEED = [
    ("open", "Open", "Open", 10),
    ("reminder_1", "1e herinnering verstuurd", "Reminder 1 sent", 20),
    ("reminder_2", "2e herinnering verstuurd", "Reminder 2 sent", 30),
    ("final_notice", "Laatste aanmaning", "Final notice", 40),
    ("collection_agency", "Uit handen gegeven aan incassobureau", "Handed to collection agency", 50),
]


def seed(apps, schema_editor):
    CollectionStatus = apps.get_model("receivables", "CollectionStatus")
    for code, label_nl, label_en, position in SEED:
        CollectionStatus.objects.get_or_create(
            code=code, defaults={"label_nl": label_nl, "label_en": label_en, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("receivables", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
