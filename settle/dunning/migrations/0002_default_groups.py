"""The action groups an organisation starts with, one per step of the usual Dutch sequence,
each setting the collection status that says the step was taken. Administrators rename,
change or archive them like any other; Dutch names, as Dutch is the default language.

The 14-day letter gets a collection status of its own (between the second reminder and the
final notice), since the statuses seeded with the receivables had none for it.
"""

from django.db import migrations

FOURTEEN_DAY_STATUS = ("fourteen_day_letter", "Veertiendagenbrief verstuurd", "14-day letter sent")

# (group name, action name, action type, template kind, channel, resulting status)
GROUPS = [
    ("Herinnering 1", "Herinnering 1 per e-mail", "email", "reminder_1", "email", "reminder_1"),
    ("Herinnering 2", "Herinnering 2 per e-mail", "email", "reminder_2", "email", "reminder_2"),
    ("Aanmaning", "Aanmaning per e-mail", "email", "final_notice", "email", "final_notice"),
    (
        "Veertiendagenbrief",
        "Veertiendagenbrief per brief",
        "fourteen_day_letter",
        "fourteen_day_letter",
        "letter",
        "fourteen_day_letter",
    ),
]


def seed(apps, schema_editor):
    CollectionStatus = apps.get_model("receivables", "CollectionStatus")
    ActionGroup = apps.get_model("dunning", "ActionGroup")
    Action = apps.get_model("dunning", "Action")
    code, label_nl, label_en = FOURTEEN_DAY_STATUS
    CollectionStatus.objects.get_or_create(
        code=code, defaults={"label_nl": label_nl, "label_en": label_en, "position": 35}
    )
    for group_name, name, action_type, kind, channel, status in GROUPS:
        if ActionGroup.objects.filter(name__iexact=group_name, archived_at__isnull=True).exists():
            continue
        group = ActionGroup.objects.create(name=group_name)
        Action.objects.create(
            group=group,
            position=0,
            name=name,
            action_type=action_type,
            message_kind=kind,
            channel=channel,
            resulting_status=CollectionStatus.objects.filter(code=status).first(),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dunning", "0001_initial"),
        ("receivables", "0002_collection_statuses"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
