"""Online payment in messages (issue 12): reminders, final notices, broken promises and
invitations get a "Pay now" button (`pay_link`), and every sentence telling debtors they can pay
online is shown only when they can (`online_payment`). A stored template whose part is still
exactly the wording Settle shipped gets the new wording; a part an administrator changed is left
alone (it keeps working: every variable it uses still exists, it simply has no pay button). The
old wording is known by its SHA-256, so that it need not be copied here.
"""

import hashlib

from django.db import migrations

# (kind, channel, language, field) → the first 16 hex digits of the SHA-256 of the old default.
OLD_DEFAULTS = {
    ("arrangement_accepted", "email", "nl", "body_text"): "781b887724861694",
    ("arrangement_accepted", "letter", "nl", "body_html"): "28920d81f13534a0",
    ("arrangement_ended", "email", "nl", "body_html"): "b9ad3ca5a9d3139f",
    ("arrangement_ended", "email", "nl", "body_text"): "a761210071c4685f",
    ("arrangement_ended", "letter", "nl", "body_html"): "3f9779914692e45d",
    ("arrangement_rejected", "email", "nl", "body_html"): "2ea9a4a62da2156a",
    ("arrangement_rejected", "email", "nl", "body_text"): "ac63a077732fc580",
    ("arrangement_rejected", "letter", "nl", "body_html"): "3af127c98ec84f85",
    ("final_notice", "email", "nl", "body_html"): "46c5ecc2283fd98b",
    ("final_notice", "email", "nl", "body_text"): "afcae62ab97a2a6c",
    ("final_notice", "letter", "nl", "body_html"): "b37ac18e970990cf",
    ("final_notice", "sms", "nl", "body_text"): "34060e23c76bdd07",
    ("invoice_copy", "email", "nl", "body_html"): "c99b1fea659d361f",
    ("invoice_copy", "email", "nl", "body_text"): "11b580caa048ff3c",
    ("portal_invitation", "email", "nl", "body_html"): "b74c015c5ba01ef5",
    ("portal_invitation", "email", "nl", "body_text"): "ffb5a23f3c553b16",
    ("portal_invitation", "letter", "nl", "body_html"): "613fa1440cce4196",
    ("portal_invitation", "sms", "nl", "body_text"): "0464dfa49d10e2fb",
    ("promise_broken", "email", "nl", "body_html"): "fc386dc8ccdb5f27",
    ("promise_broken", "email", "nl", "body_text"): "5f0695cda7048cf8",
    ("promise_broken", "letter", "nl", "body_html"): "549f1d42fec1ad7d",
    ("promise_broken", "sms", "nl", "body_text"): "d3da61b28e3bbd3b",
    ("promise_confirmed", "email", "nl", "body_html"): "bb035be964e3242d",
    ("promise_confirmed", "email", "nl", "body_text"): "36f543d254f4792e",
    ("promise_confirmed", "sms", "nl", "body_text"): "41eda83f71e3aa43",
    ("reminder_1", "email", "nl", "body_html"): "d4b8bfb2978f05e8",
    ("reminder_1", "email", "nl", "body_text"): "b7096f7041433121",
    ("reminder_1", "letter", "nl", "body_html"): "b7f0052a946503ad",
    ("reminder_1", "sms", "nl", "body_text"): "51c9873a31e32239",
    ("reminder_2", "email", "nl", "body_html"): "336f871986509419",
    ("reminder_2", "email", "nl", "body_text"): "e85f6383accd7833",
    ("reminder_2", "letter", "nl", "body_html"): "1b9fff454f7774bf",
    ("reminder_2", "sms", "nl", "body_text"): "30bf2007417640a6",
    ("arrangement_accepted", "email", "en", "body_text"): "7d529c7669ae25cc",
    ("arrangement_accepted", "letter", "en", "body_html"): "896327bd76a77fba",
    ("arrangement_ended", "email", "en", "body_html"): "cd290d12303cf653",
    ("arrangement_ended", "email", "en", "body_text"): "8979a89706686fc5",
    ("arrangement_ended", "letter", "en", "body_html"): "f85153fedf01b60d",
    ("arrangement_rejected", "email", "en", "body_html"): "7676cb263b8d3d33",
    ("arrangement_rejected", "email", "en", "body_text"): "cf27e4d585f6c35d",
    ("arrangement_rejected", "letter", "en", "body_html"): "990344351c573e94",
    ("final_notice", "email", "en", "body_html"): "b8eaf66f5e1ef610",
    ("final_notice", "email", "en", "body_text"): "a4dd4da87f19cd3d",
    ("final_notice", "letter", "en", "body_html"): "0cd5f716899a755c",
    ("final_notice", "sms", "en", "body_text"): "5dc464f9894f1518",
    ("invoice_copy", "email", "en", "body_html"): "0041c6256fede02b",
    ("invoice_copy", "email", "en", "body_text"): "7566d40fe1ade7e2",
    ("portal_invitation", "email", "en", "body_html"): "9e2776f05dc0de6f",
    ("portal_invitation", "email", "en", "body_text"): "26abf24d92dd1df0",
    ("portal_invitation", "letter", "en", "body_html"): "8febe5cb5ca3bad5",
    ("portal_invitation", "sms", "en", "body_text"): "12f6afe6ad8c933f",
    ("promise_broken", "email", "en", "body_html"): "fb84428a5a40ffb0",
    ("promise_broken", "email", "en", "body_text"): "a3ad29110ec93e8a",
    ("promise_broken", "letter", "en", "body_html"): "3dfc0ca711f9a9f3",
    ("promise_broken", "sms", "en", "body_text"): "844b8a7125409d42",
    ("promise_confirmed", "email", "en", "body_html"): "283a176e8b8bf9cb",
    ("promise_confirmed", "email", "en", "body_text"): "d0073f072ae14afd",
    ("promise_confirmed", "sms", "en", "body_text"): "d5681b672750f625",
    ("reminder_1", "email", "en", "body_html"): "e680ed299381916c",
    ("reminder_1", "email", "en", "body_text"): "a1fe3731c08f4b2a",
    ("reminder_1", "letter", "en", "body_html"): "76c0689c1e3e31fb",
    ("reminder_1", "sms", "en", "body_text"): "0d1a9288c6973daa",
    ("reminder_2", "email", "en", "body_html"): "69093c9e79c8856f",
    ("reminder_2", "email", "en", "body_text"): "830130609ab2d120",
    ("reminder_2", "letter", "en", "body_html"): "1faadeb34618de18",
    ("reminder_2", "sms", "en", "body_text"): "185a91fcdf0e9fa9",
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
    dependencies = [("correspondence", "0007_lease_token_index")]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
