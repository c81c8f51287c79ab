"""The wording Settle ships with, in files under `defaults/<language>/<kind>/`.

A new installation starts from these (`templates_seed`), and an administrator can go back to
them for one template at any time.
"""

from pathlib import Path

from django.conf import settings

from settle.correspondence.kinds import CHANNELS
from settle.correspondence.models import Channel

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"

# Which file holds which field of a template on each channel. A letter's subject line is the
# e-mail's subject of the same kind.
PARTS: dict[str, dict[str, str]] = {
    Channel.EMAIL: {"subject": "subject.txt", "body_text": "body.txt", "body_html": "body.html"},
    Channel.SMS: {"body_text": "sms.txt"},
    Channel.LETTER: {"subject": "subject.txt", "body_html": "letter.html"},
}


def default_fields(*, kind: str, channel: str, language: str) -> dict[str, str]:
    """The shipped subject and bodies of one template, with empty strings for unused fields."""
    folder = DEFAULTS_DIR / language / kind
    fields = {"subject": "", "body_text": "", "body_html": ""}
    for field, filename in PARTS[channel].items():
        fields[field] = (folder / filename).read_text(encoding="utf-8").strip()
    return fields


def default_templates() -> list[dict[str, str]]:
    """Every template a fresh installation has: each kind on each of its channels, per language."""
    return [
        {
            "kind": kind,
            "channel": channel,
            "language": language,
            **default_fields(kind=kind, channel=channel, language=language),
        }
        for kind, channels in CHANNELS.items()
        for channel in channels
        for language, _name in settings.LANGUAGES
    ]


def templates_seed(template_model) -> int:
    """Create the templates that do not exist yet; return how many. Takes the model as an
    argument so that a migration can pass its historical one."""
    existing = set(template_model.objects.values_list("kind", "channel", "language"))
    missing = [
        template_model(**fields)
        for fields in default_templates()
        if (fields["kind"], fields["channel"], fields["language"]) not in existing
    ]
    template_model.objects.bulk_create(missing)
    return len(missing)
