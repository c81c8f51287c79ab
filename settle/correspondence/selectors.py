"""Reads of the correspondence app that views and services share."""

from functools import lru_cache

from jinja2 import meta as jinja_meta

from settle.correspondence.defaults import default_fields
from settle.correspondence.models import Message, Template
from settle.correspondence.rendering import HTML, TEXT

LINK_VARIABLES = frozenset({"portal_link", "portal_link_valid_until", "portal_link_validity"})


def template_for(*, kind: str, channel: str, language: str) -> Template:
    """The template in use: the stored one, or the shipped default if none was stored (e.g. a
    kind added by an upgrade before its templates were seeded)."""
    template = Template.objects.filter(kind=kind, channel=channel, language=language).first()
    if template is None:
        template = Template(
            kind=kind,
            channel=channel,
            language=language,
            **default_fields(kind=kind, channel=channel, language=language),
        )
    return template


def template_variables(template: Template) -> frozenset[str]:
    """The variables the template's parts use."""
    return _variables(template.subject, template.body_text, template.body_html)


@lru_cache(maxsize=256)
def _variables(subject: str, body_text: str, body_html: str) -> frozenset[str]:
    names: set[str] = set()
    for source, environment in ((subject, TEXT), (body_text, TEXT), (body_html, HTML)):
        names |= jinja_meta.find_undeclared_variables(environment.parse(source))
    return frozenset(names)


def template_uses_link(template: Template) -> bool:
    """Whether rendering needs a portal link, which is then issued for the message."""
    return bool(template_variables(template) & LINK_VARIABLES)


def messages_for_list(*, status: str = "", channel: str = "", debtor_id: int | None = None):
    messages = Message.objects.select_related("debtor").order_by("-created_at", "-pk")
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    if debtor_id is not None:
        messages = messages.filter(debtor_id=debtor_id)
    return messages
