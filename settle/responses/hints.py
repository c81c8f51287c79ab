"""Hints a response form shows while the debtor fills it in (what a proposed arrangement
comes to, and whether it is accepted at once).

The responses app only shows them: the apps that judge a response (arrangements) compute them
through the functions in settings.SETTLE_RESPONSE_FORM_HINTS, so the rule stays in one place.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from settle.common.hooks import hooks
from settle.receivables.models import Debtor, Invoice
from settle.responses.models import ResponseType


@dataclass(frozen=True)
class FormHint:
    """What to show under a response form, in the active language. `inputs` are the keys of the
    fields whose values change it; `accepted` is None while nothing can be judged yet."""

    inputs: tuple[str, ...]
    summary: str
    accepted: bool | None = None
    verdict: str = ""
    reasons: Sequence[str] = field(default_factory=tuple)


def response_form_hint(
    *,
    response_type: ResponseType,
    debtor: Debtor,
    invoices: Sequence[Invoice],
    values: Mapping[str, object],
) -> FormHint | None:
    """The first hint a hook gives for this type and these (possibly partial) values; None for
    a type without hints."""
    for hook in hooks("SETTLE_RESPONSE_FORM_HINTS"):
        hint = hook(response_type=response_type, debtor=debtor, invoices=invoices, values=values)
        if hint is not None:
            return hint
    return None
