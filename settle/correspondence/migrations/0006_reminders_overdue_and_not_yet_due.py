"""Reminders name the overdue invoices and say of the others that they are not due yet (issue 10,
point 9). A stored reminder template whose body is still exactly the wording Settle shipped gets
the new wording; a body an administrator changed is left alone (it keeps working: the variables
it uses still exist). The old wording is known by its SHA-256, so that it need not be copied here.
"""

import hashlib

from django.db import migrations

# (kind, channel, language, field) → the first 16 hex digits of the SHA-256 of the old default.
OLD_DEFAULTS = {
    ("reminder_1", "email", "nl", "body_text"): "e54953b91baf4bec",
    ("reminder_1", "email", "nl", "body_html"): "f94c9fabe4ea27d5",
    ("reminder_1", "sms", "nl", "body_text"): "188cb8a64d8bbd3e",
    ("reminder_1", "letter", "nl", "body_html"): "92e6136af8bca982",
    ("reminder_2", "email", "nl", "body_text"): "80f2b8be043d8554",
    ("reminder_2", "email", "nl", "body_html"): "b5163df320ba9bc1",
    ("reminder_2", "sms", "nl", "body_text"): "c0426dc7e61cb551",
    ("reminder_2", "letter", "nl", "body_html"): "c79e46f7e6586bb5",
    ("final_notice", "email", "nl", "body_text"): "a8afe8636dbcc911",
    ("final_notice", "email", "nl", "body_html"): "4849a419b0d20c46",
    ("final_notice", "sms", "nl", "body_text"): "e17b27aeaae9271a",
    ("final_notice", "letter", "nl", "body_html"): "4542942421c39c7c",
    ("reminder_1", "email", "en", "body_text"): "6b890dd8ef4d4b69",
    ("reminder_1", "email", "en", "body_html"): "dfdd29962ccc8203",
    ("reminder_1", "sms", "en", "body_text"): "6d12ca363363a4e5",
    ("reminder_1", "letter", "en", "body_html"): "8fba2b7bde54696f",
    ("reminder_2", "email", "en", "body_text"): "2800931b171cc809",
    ("reminder_2", "email", "en", "body_html"): "31b8177c03c7fb81",
    ("reminder_2", "sms", "en", "body_text"): "960e14fe340ab916",
    ("reminder_2", "letter", "en", "body_html"): "3882577d25f80b98",
    ("final_notice", "email", "en", "body_text"): "d54081847760e1f7",
    ("final_notice", "email", "en", "body_html"): "4bc93c2e4165ef6a",
    ("final_notice", "sms", "en", "body_text"): "a634f5df22a91dec",
    ("final_notice", "letter", "en", "body_html"): "1cbb7f6ae006bac4",
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def reword(apps, schema_editor):
    from settle.correspondence.defaults import default_fields

    template_model = apps.get_model("correspondence", "Template")
    kinds = {kind for kind, _channel, _language, _field in OLD_DEFAULTS}
    for template in template_model.objects.filter(kind__in=kinds):
        key = (template.kind, template.channel, template.language)
        changed = []
        for field in ("body_text", "body_html"):
            old = OLD_DEFAULTS.get((*key, field))
            if old is not None and _digest(getattr(template, field)) == old:
                new = default_fields(
                    kind=template.kind, channel=template.channel, language=template.language
                )
                setattr(template, field, new[field])
                changed.append(field)
        if changed:
            template.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("correspondence", "0005_arrangement_ended_templates")]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
