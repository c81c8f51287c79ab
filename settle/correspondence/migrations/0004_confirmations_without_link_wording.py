"""Messages that answer a debtor's own action in the portal no longer carry a link of their own:
their `portal_link` is the page where a debtor asks for a new link (issue 10, point 12). Stored
templates of those kinds still say how long "this link" is valid; the shipped sentence is
replaced with the new one. A sentence an administrator reworded is left alone (it then shows an
empty validity, never an error)."""

from django.db import migrations

KINDS = (
    "response_received",
    "promise_confirmed",
    "arrangement_accepted",
    "arrangement_under_review",
    "arrangement_rejected",
    "invoice_copy",
)

REPLACEMENTS = (
    (
        "This link is valid for {{ portal_link_validity }}, up to and including "
        "{{ portal_link_valid_until }}. The link is personal: please do not share it with anyone.",
        "You sign in with the personal link from our latest invitation or reminder, or ask for a "
        "new link on this page; we send it to the contact details we have on file.",
    ),
    (
        "Deze link is {{ portal_link_validity }} geldig, tot en met {{ portal_link_valid_until }}. "
        "De link is persoonlijk: deel hem niet met anderen.",
        "U logt in met de persoonlijke link uit onze laatste uitnodiging of herinnering, of vraagt "
        "op deze pagina een nieuwe link aan; die sturen wij naar de contactgegevens die wij van u "
        "hebben.",
    ),
    (
        "You can pay via {{ portal_link }} (personal link, valid for {{ portal_link_validity }} "
        "to {{ portal_link_valid_until }} inclusive; do not share)",
        "To pay online, ask for a personal link via {{ portal_link }}",
    ),
    (
        "Betalen kan via {{ portal_link }} (persoonlijke link, {{ portal_link_validity }} geldig "
        "t/m {{ portal_link_valid_until }}; niet delen)",
        "Online betalen? Vraag een persoonlijke link aan via {{ portal_link }}",
    ),
)


def reword(apps, schema_editor):
    template_model = apps.get_model("correspondence", "Template")
    for template in template_model.objects.filter(kind__in=KINDS):
        changed = False
        for field in ("subject", "body_text", "body_html"):
            value = original = getattr(template, field)
            for old, new in REPLACEMENTS:
                value = value.replace(old, new)
            if value != original:
                setattr(template, field, value)
                changed = True
        if changed:
            template.save(update_fields=["subject", "body_text", "body_html"])


class Migration(migrations.Migration):
    dependencies = [("correspondence", "0003_default_templates")]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
