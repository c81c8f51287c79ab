from django import template

from settle.correspondence.kinds import Kind

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    """The name of a message kind; a kind this version does not know is shown as stored."""
    return Kind(kind).label if kind in Kind.values else kind
