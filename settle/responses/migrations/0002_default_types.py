from django.db import migrations

# (code, workflow, name_nl, name_en, external id, excludes from dunning, fields)
# field: (key, kind, label_nl, label_en, optional, date_rule)
DEFAULTS = [
    ("complaint", "complaint", "Klacht", "Complaint", "KLACHT", True, [
        ("text", "text", "Omschrijving van uw klacht", "Describe your complaint", False, "any"),
        ("attachment", "file", "Bijlage", "Attachment", True, "any"),
    ]),
    ("already_paid", "already_paid", "Is betaald", "Already paid", "BETAALD", True, [
        ("payment_date", "date", "Betaaldatum", "Payment date", False, "past"),
        ("amount", "amount", "Betaald bedrag", "Amount paid", False, "any"),
        ("proof", "file", "Betaalbewijs", "Proof of payment", True, "any"),
    ]),
    ("promise", "promise", "Ik ga betalen", "I will pay", "BELOFTE", True, [
        ("promised_date", "date", "Ik betaal uiterlijk op", "I will pay by", False, "future"),
    ]),
    ("unknown_invoice", "unknown_invoice", "Factuur is onbekend", "I don't recognise this invoice",
     "ONBEKEND", True, [
        ("text", "text", "Toelichting", "Explanation", True, "any"),
    ]),
    ("not_approved", "not_approved", "Nog niet goedgekeurd", "Not yet approved", "GOEDKEURING",
     True, [
        ("expected_approval_date", "date", "Verwachte datum van goedkeuring",
         "Expected approval date", False, "future"),
        ("text", "text", "Toelichting", "Explanation", True, "any"),
    ]),
    ("copy_request", "copy_request", "Kopie factuur", "Send me a copy", "KOPIE", False, [
        ("email", "email", "Stuur de kopie naar", "Send the copy to", False, "any"),
    ]),
    ("arrangement", "arrangement", "Betalingsregeling", "Payment arrangement", "REGELING", True, [
        ("instalments", "integer", "Aantal termijnen", "Number of instalments", False, "any"),
        ("first_date", "date", "Datum eerste termijn", "First instalment date", False, "future"),
        ("text", "text", "Toelichting", "Explanation", True, "any"),
    ]),
]


def seed(apps, schema_editor):
    ResponseType = apps.get_model("responses", "ResponseType")
    ResponseField = apps.get_model("responses", "ResponseField")
    for position, (code, workflow, name_nl, name_en, action_id, excludes, fields) in enumerate(
        DEFAULTS, start=1
    ):
        rtype, created = ResponseType.objects.get_or_create(
            code=code,
            defaults={
                "workflow": workflow,
                "name_nl": name_nl,
                "name_en": name_en,
                "external_action_id": action_id,
                "excludes_from_dunning": excludes,
                "position": position * 10,
            },
        )
        if not created:
            continue
        for field_position, (key, kind, label_nl, label_en, optional, date_rule) in enumerate(
            fields, start=1
        ):
            ResponseField.objects.create(
                response_type=rtype,
                key=key,
                kind=kind,
                label_nl=label_nl,
                label_en=label_en,
                optional=optional,
                date_rule=date_rule,
                position=field_position * 10,
            )


class Migration(migrations.Migration):
    dependencies = [("responses", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
