"""Statutory costs in messages (issue 13): installs the shipped templates of the new kind
"14-day letter" (the consumer's veertiendagenbrief), and gives the second reminder and the final
notice a paragraph on collection costs (consumers, once a 14-day letter's term has passed) and,
on the final notice, commercial interest and the EU compensation (businesses). As in 0008, a
stored part is reworded only while it is still exactly the wording Settle shipped (known by the
first 16 hex digits of its SHA-256); a part an administrator changed is left alone.
"""

import hashlib

from django.db import migrations

# (kind, channel, language, field) → the first 16 hex digits of the SHA-256 of the old default.
OLD_DEFAULTS = {
    ("reminder_2", "email", "nl", "body_text"): "e75eae596e3b12f0",
    ("reminder_2", "email", "nl", "body_html"): "c7c301831d9b9c16",
    ("reminder_2", "letter", "nl", "body_html"): "bbaed972971ffe64",
    ("final_notice", "email", "nl", "body_text"): "1a13a25bc1502049",
    ("final_notice", "email", "nl", "body_html"): "8ecf12755261dc56",
    ("final_notice", "letter", "nl", "body_html"): "d9d7e666e47b9450",
    ("reminder_2", "email", "en", "body_text"): "a17d0d9d32ca3636",
    ("reminder_2", "email", "en", "body_html"): "9e4056633318394b",
    ("reminder_2", "letter", "en", "body_html"): "23026a7b021eb425",
    ("final_notice", "email", "en", "body_text"): "e49332e39fb2e5e9",
    ("final_notice", "email", "en", "body_html"): "6bb28cf5e30a9638",
    ("final_notice", "letter", "en", "body_html"): "6322540da19e6d58",
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def forward(apps, schema_editor):
    # The shipped wording lives in files (see defaults.py); only missing rows are created.
    from settle.correspondence.defaults import default_fields, templates_seed

    template_model = apps.get_model("correspondence", "Template")
    templates_seed(template_model)
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
    dependencies = [("correspondence", "0008_online_payment_wording")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
