"""Which channel a dunning action reaches a debtor by: the pure rule the confirmation's counts,
the worker and the action checks share, so what the employee is told is what happens.

An action names its preferred channel; a debtor without an address for it gets the message by
their own delivery method instead, if the action's template has that channel; otherwise the
debtor cannot receive it (the item is skipped with "no_address").
"""

from dataclasses import dataclass

from settle.correspondence.kinds import kind_channels
from settle.correspondence.models import Channel
from settle.dunning.models import Action, ActionType
from settle.receivables.models import Debtor, DeliveryMethod

FOURTEEN_DAY_LETTER = "fourteen_day_letter"

# The templates a dunning action may use: the organisation reaching out about overdue invoices.
# The others (a promise confirmed, an arrangement ended …) answer something the debtor did.
DUNNING_KINDS = (
    "reminder_1",
    "reminder_2",
    "final_notice",
    "portal_invitation",
    FOURTEEN_DAY_LETTER,
)

# Actions that send a message; the others set a status or hand the debtor over.
MESSAGE_ACTION_TYPES = frozenset(
    {
        ActionType.EMAIL,
        ActionType.SMS,
        ActionType.LETTER,
        ActionType.INVITATION,
        ActionType.FOURTEEN_DAY_LETTER,
    }
)

# The channel an action type itself stands for (an invitation and a 14-day letter name theirs).
TYPE_CHANNEL = {
    ActionType.EMAIL: Channel.EMAIL,
    ActionType.SMS: Channel.SMS,
    ActionType.LETTER: Channel.LETTER,
}

DELIVERY_CHANNEL = {
    DeliveryMethod.EMAIL: Channel.EMAIL,
    DeliveryMethod.SMS: Channel.SMS,
    DeliveryMethod.POST: Channel.LETTER,
}


def template_channels(kind: str) -> tuple[str, ...]:
    """The channels a kind's templates exist for; () for an unknown kind. The 14-day letter is
    being added to the correspondence catalogue alongside this module: until it is there it
    counts as a letter and an e-mail, as it will be."""
    try:
        return tuple(kind_channels(kind))
    except KeyError:
        if kind == FOURTEEN_DAY_LETTER:
            return (Channel.LETTER, Channel.EMAIL)
        return ()


def action_preferred_channel(action: Action) -> str:
    """The channel the action asks for, before any fallback."""
    if action.action_type in TYPE_CHANNEL:
        return TYPE_CHANNEL[action.action_type]
    if action.action_type == ActionType.FOURTEEN_DAY_LETTER:
        return action.channel or Channel.LETTER
    return action.channel


@dataclass(frozen=True)
class Reach:
    """What a debtor can be reached by; counted per kind of debtor, so the confirmation page
    need not load every debtor."""

    email: bool
    mobile: bool
    address: bool
    delivery_method: str

    @classmethod
    def of(cls, debtor: Debtor) -> "Reach":
        return cls(
            email=bool(debtor.email),
            mobile=bool(debtor.mobile),
            address=has_postal_address(
                street=debtor.street,
                postal_code=debtor.postal_code,
                city=debtor.city,
                country=debtor.country,
            ),
            delivery_method=debtor.delivery_method,
        )

    def has(self, channel: str) -> bool:
        if channel == Channel.EMAIL:
            return self.email
        if channel == Channel.SMS:
            return self.mobile
        if channel == Channel.LETTER:
            return self.address
        return False


def has_postal_address(*, street: str, postal_code: str, city: str, country: str) -> bool:
    """A letter needs a line besides the name, as correspondence addresses it (a street, a
    place, or a foreign country)."""
    return bool(street or postal_code or city or country not in ("", "NL"))


def action_channel(*, action: Action, debtor: Debtor) -> str | None:
    """The channel `action` reaches `debtor` by, or None when the debtor cannot receive it (the
    item is then skipped with "no_address"). Only for actions that send a message
    (MESSAGE_ACTION_TYPES); a ValueError for the others, which have no channel.

    A mobile number counts as present here; one correspondence cannot text (a landline) is
    refused when the message is queued.
    """
    return reach_channel(action=action, reach=Reach.of(debtor))


def reach_channel(*, action: Action, reach: Reach) -> str | None:
    """`action_channel` for a debtor described by what they can be reached by."""
    if action.action_type not in MESSAGE_ACTION_TYPES:
        raise ValueError(f"A {action.action_type} action sends no message.")
    preferred = action_preferred_channel(action)
    if reach.has(preferred):
        return preferred
    fallback = DELIVERY_CHANNEL.get(reach.delivery_method)
    if fallback and reach.has(fallback) and fallback in template_channels(action.message_kind):
        return fallback
    return None
