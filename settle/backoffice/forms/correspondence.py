"""Forms of the messages list, sending a message from a debtor's page, the message templates and
the organisation's details. They check the shape of the input; the services in
settle.correspondence decide."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from settle.backoffice.forms.base import BackofficeForm
from settle.correspondence.configuration import CHANNEL_PARTS
from settle.correspondence.kinds import MANUAL_KINDS, Kind, kind_channels
from settle.correspondence.models import Channel, MessageStatus, Organisation
from settle.receivables.models import Debtor

DEBTOR_NUMBER_LENGTH = Debtor._meta.get_field("number").max_length


class MessageFilterForm(BackofficeForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *MessageStatus.choices]
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices]
    )

    def filters(self) -> dict:
        """The valid values as keyword arguments for the messages_for_list selector."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"status": data.get("status") or "", "channel": data.get("channel") or ""}


class SendMessageForm(BackofficeForm):
    """One message of a manual kind to the debtor on a chosen channel.

    `key` is new each time the page is drawn and travels in a hidden input, so a form that is
    sent twice (a double click, a reload) names the same message and queues it once.
    """

    kind = forms.ChoiceField(
        label=_("Message"),
        choices=[(kind.value, kind.label) for kind in MANUAL_KINDS],
        initial=Kind.PORTAL_INVITATION,
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        kind, channel = data.get("kind"), data.get("channel")
        if kind and channel and channel not in kind_channels(kind):
            self.add_error(
                "channel",
                _("A “%(kind)s” cannot be sent by %(channel)s.")
                % {"kind": Kind(kind).label, "channel": Channel(channel).label},
            )
        return data

    def idempotency_key(self, debtor: Debtor) -> str:
        # Kind and channel are part of the key: the same page may send an e-mail and then an
        # SMS, and each is one message however often its button is pressed.
        data = self.cleaned_data
        return f"backoffice:{debtor.pk}:{data['kind']}:{data['channel']}:{data['key']}"


PART_LABELS = {
    "subject": _("Subject"),
    "body_text": _("Text"),
    "body_html": _("HTML"),
}
PART_HELP = {
    (Channel.EMAIL, "body_text"): _("The plain-text version, for mail programs without HTML."),
    (Channel.EMAIL, "body_html"): _("Optional. Without it the e-mail is sent as text only."),
    (Channel.SMS, "body_text"): _("One text message is 160 characters, or 70 with emoji."),
    (Channel.LETTER, "body_html"): _(
        "The letter's text; Settle adds the addresses, the date and the payment block."
    ),
}


class TemplateForm(BackofficeForm):
    """The parts of one template that its channel uses (`CHANNEL_PARTS`), and a debtor whose
    data the preview uses instead of the sample."""

    subject = forms.CharField(required=False, strip=False)
    body_text = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 14})
    )
    body_html = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
    )
    debtor = forms.CharField(
        label=_("Preview for debtor"),
        required=False,
        max_length=DEBTOR_NUMBER_LENGTH,
        help_text=_("A debtor number, e.g. D-1001. Leave empty to preview with sample data."),
    )

    def __init__(self, *args, channel: str, preview_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        used = {part for part, _html in CHANNEL_PARTS[channel]}
        for part, label in PART_LABELS.items():
            if part not in used:
                del self.fields[part]
                continue
            self.fields[part].label = label
            self.fields[part].help_text = PART_HELP.get((channel, part), "")
        if preview_url:
            # htmx asks for a new preview when typing pauses; the form's target and swap apply.
            for part in used:
                self.fields[part].widget.attrs.update(
                    {"hx-post": preview_url, "hx-trigger": "keyup changed delay:500ms"}
                )
            self.fields["debtor"].widget.attrs.update(
                {"hx-post": preview_url, "hx-trigger": "change"}
            )
        self.parts = [self[part] for part, _html in CHANNEL_PARTS[channel]]

    def texts(self) -> dict[str, str]:
        """subject, body_text and body_html as posted; a part the channel lacks is empty."""
        # Browsers send a textarea's lines ending in CR LF; stored templates use LF.
        data = self.cleaned_data
        return {name: data.get(name, "").replace("\r\n", "\n") for name in PART_LABELS}


class OrganisationForm(BackofficeForm):
    name = forms.CharField(label=_("Name"))
    street = forms.CharField(label=_("Street and number"), required=False)
    postal_code = forms.CharField(label=_("Postal code"), required=False)
    city = forms.CharField(label=_("City"), required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False)
    website = forms.CharField(label=_("Website"), required=False)
    iban = forms.CharField(
        label=_("IBAN"),
        required=False,
        help_text=_("The account debtors pay to; printed on letters with a QR code."),
    )
    bic = forms.CharField(label=_("BIC"), required=False)

    @classmethod
    def initial_for(cls, organisation: Organisation) -> dict:
        return {name: getattr(organisation, name) for name in cls.base_fields}
