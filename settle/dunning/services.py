"""Action groups and their actions, and holds: the changes administrators and employees make
by hand. Runs are made and worked in `runs.py` and `processing.py`."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from settle.common.dates import organisation_today
from settle.common.errors import ApplicationError, FieldError
from settle.correspondence.models import Channel
from settle.dunning.channels import (
    DUNNING_KINDS,
    FOURTEEN_DAY_LETTER,
    TYPE_CHANNEL,
    template_channels,
)
from settle.dunning.models import Action, ActionGroup, ActionType, DunningHold
from settle.receivables.models import CollectionStatus, Debtor, Invoice

NAME_LENGTH = ActionGroup._meta.get_field("name").max_length
ACTION_NAME_LENGTH = Action._meta.get_field("name").max_length
REASON_LENGTH = DunningHold._meta.get_field("reason").max_length
INVITATION_CHANNELS = (Channel.EMAIL, Channel.SMS)


def action_group_create(*, name: str) -> ActionGroup:
    """A new, empty group; the name is required and unique among the groups in use."""
    with transaction.atomic():
        name = _group_name_check(name=name, group=None)
        return ActionGroup.objects.create(name=name)


def action_group_rename(*, group: ActionGroup, name: str) -> ActionGroup:
    """Rename a group in use; its runs show the new name, as they name the group, not a copy."""
    with transaction.atomic():
        group = _group_locked(group)
        group.name = _group_name_check(name=name, group=group)
        group.save(update_fields=["name", "updated_at"])
        return group


def action_group_delete(*, group: ActionGroup) -> bool:
    """Delete a group, or archive it when it has history (runs, or a schedule): True when it
    was deleted, False when archived. An archived group keeps its runs readable and is offered
    no more; its schedules stop, since they would run a group no one can choose."""
    with transaction.atomic():
        group = _group_locked(group, allow_archived=True)
        if group.runs.exists() or group.schedules.exists():
            if group.archived_at is None:
                group.archived_at = timezone.now()
                group.save(update_fields=["archived_at", "updated_at"])
            group.schedules.filter(active=True).update(active=False, updated_at=timezone.now())
            return False
        group.delete()
        return True


def action_add(
    *,
    group: ActionGroup,
    name: str,
    action_type: str,
    message_kind: str = "",
    channel: str = "",
    resulting_status: CollectionStatus | None = None,
) -> Action:
    """Add an action at the end of the group's actions (see `_action_check` for what an action
    of each type needs)."""
    with transaction.atomic():
        group = _group_locked(group)
        values = _action_check(
            name=name,
            action_type=action_type,
            message_kind=message_kind,
            channel=channel,
            resulting_status=resulting_status,
        )
        position = _positions_dense(group)
        return Action.objects.create(group=group, position=position, **values)


def action_update(
    *,
    action: Action,
    name: str,
    action_type: str,
    message_kind: str,
    channel: str,
    resulting_status: CollectionStatus | None,
) -> Action:
    """Change an action in place; its position stays."""
    with transaction.atomic():
        _group_locked(action.group)
        values = _action_check(
            name=name,
            action_type=action_type,
            message_kind=message_kind,
            channel=channel,
            resulting_status=resulting_status,
        )
        for field, value in values.items():
            setattr(action, field, value)
        action.save(update_fields=list(values))
        return action


def action_move(*, action: Action, up: bool) -> None:
    """Swap the action with the one before (`up`) or after it; the first stays first when moved
    up, the last last when moved down. Positions stay 0, 1, 2 … whatever came before."""
    with transaction.atomic():
        group = _group_locked(action.group)
        _positions_dense(group)
        actions = list(group.actions.order_by("position", "pk"))
        index = next((i for i, other in enumerate(actions) if other.pk == action.pk), None)
        if index is None:  # deleted meanwhile by someone else
            return
        other = index - 1 if up else index + 1
        if not 0 <= other < len(actions):
            return
        actions[index], actions[other] = actions[other], actions[index]
        for position, moved in enumerate(actions):
            moved.position = position
        Action.objects.bulk_update(actions, ["position"])
        action.position = other


def action_delete(*, action: Action) -> None:
    """Remove an action; the ones after it move up. Past runs keep their messages: those name
    the action only in their idempotency key."""
    with transaction.atomic():
        group = _group_locked(action.group)
        Action.objects.filter(pk=action.pk).delete()
        _positions_dense(group)


def hold_create(
    *,
    until: date,
    reason: str,
    created_by: AbstractBaseUser | None,
    invoice: Invoice | None = None,
    debtor: Debtor | None = None,
) -> DunningHold:
    """Keep an invoice, or all of a debtor's invoices, out of dunning up to and including
    `until`. It ends by itself after that day; `hold_lift` ends it earlier."""
    errors = []
    if (invoice is None) == (debtor is None):
        raise ApplicationError(_("Choose an invoice or a debtor to put on hold."))
    if until is None:
        errors.append(FieldError("until", _("This field is required.")))
    elif until < organisation_today():
        errors.append(FieldError("until", _("A hold cannot end in the past.")))
    reason = (reason or "").strip()
    if not reason:
        errors.append(FieldError("reason", _("Say why dunning is put on hold.")))
    elif len(reason) > REASON_LENGTH:
        errors.append(FieldError("reason", _too_long(REASON_LENGTH)))
    if errors:
        raise ApplicationError(_("The hold was not made."), errors=errors)
    return DunningHold.objects.create(
        invoice=invoice, debtor=debtor, until=until, reason=reason, created_by=created_by
    )


def hold_lift(*, hold: DunningHold, lifted_by: AbstractBaseUser | None) -> DunningHold:
    """End a hold before its date, recording who and when. One that has ended already is
    refused, so two employees lifting it at once record one lifting."""
    with transaction.atomic():
        hold = DunningHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            raise ApplicationError(_("This hold was lifted already."))
        if hold.until < organisation_today():
            raise ApplicationError(
                _("This hold ended on %(date)s.") % {"date": date_format(hold.until)}
            )
        hold.lifted_at = timezone.now()
        hold.lifted_by = lifted_by
        hold.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
        return hold


def _group_locked(group: ActionGroup, *, allow_archived: bool = False) -> ActionGroup:
    """The group, locked so that concurrent edits of its actions keep their positions apart."""
    group = ActionGroup.objects.select_for_update().get(pk=group.pk)
    if group.archived_at is not None and not allow_archived:
        raise ApplicationError(_("This action group is archived and cannot be changed."))
    return group


def _group_name_check(*, name: str, group: ActionGroup | None) -> str:
    name = " ".join((name or "").split())
    message = None
    if not name:
        message = _("Give the group a name.")
    elif len(name) > NAME_LENGTH:
        message = _too_long(NAME_LENGTH)
    else:
        taken = ActionGroup.objects.filter(archived_at__isnull=True, name__iexact=name)
        if group is not None:
            taken = taken.exclude(pk=group.pk)
        if taken.exists():
            message = _("There is already an action group named “%(name)s”.") % {"name": name}
    if message:
        raise ApplicationError(message, errors=[FieldError("name", message)])
    return name


def _action_check(
    *,
    name: str,
    action_type: str,
    message_kind: str,
    channel: str,
    resulting_status: CollectionStatus | None,
) -> dict:
    """The action's fields as stored, or an ApplicationError naming each wrong field.

    E-mail, SMS and letter actions use a dunning template that exists for their channel; an
    invitation goes by e-mail or SMS; a 14-day letter uses its own template, by letter unless
    e-mail is chosen; "set the status only" needs the status. Fields a type does not use are
    cleared, so a changed type leaves nothing behind that the worker might read.
    """
    errors: list[FieldError] = []
    name = " ".join((name or "").split())
    if not name:
        errors.append(FieldError("name", _("Give the action a name.")))
    elif len(name) > ACTION_NAME_LENGTH:
        errors.append(FieldError("name", _too_long(ACTION_NAME_LENGTH)))
    message_kind = (message_kind or "").strip()
    channel = (channel or "").strip()
    if action_type not in ActionType.values:
        errors.append(FieldError("action_type", _("Choose an action type.")))
    elif action_type in TYPE_CHANNEL:
        channel = TYPE_CHANNEL[action_type]
        if message_kind not in DUNNING_KINDS:
            errors.append(FieldError("message_kind", _("Choose a template.")))
        elif channel not in template_channels(message_kind):
            errors.append(
                FieldError(
                    "message_kind",
                    _("This template cannot be sent as “%(channel)s”.")
                    % {"channel": Channel(channel).label},
                )
            )
    elif action_type == ActionType.INVITATION:
        message_kind = "portal_invitation"
        if channel not in INVITATION_CHANNELS:
            errors.append(FieldError("channel", _("Choose e-mail or SMS for an invitation.")))
    elif action_type == ActionType.FOURTEEN_DAY_LETTER:
        if message_kind not in ("", FOURTEEN_DAY_LETTER):
            errors.append(FieldError("message_kind", _("A 14-day letter uses its own template.")))
        message_kind = FOURTEEN_DAY_LETTER
        channel = channel or Channel.LETTER
        if channel not in (Channel.LETTER, Channel.EMAIL):
            errors.append(FieldError("channel", _("Send a 14-day letter by letter or e-mail.")))
    else:
        message_kind = channel = ""
        if action_type == ActionType.STATUS_ONLY and resulting_status is None:
            errors.append(FieldError("resulting_status", _("Choose the status to set.")))
    if errors:
        raise ApplicationError(_("The action was not saved."), errors=errors)
    return {
        "name": name,
        "action_type": action_type,
        "message_kind": message_kind,
        "channel": channel,
        "resulting_status": resulting_status,
    }


def _positions_dense(group: ActionGroup) -> int:
    """Number the group's actions 0, 1, 2 … in their order; the next free position."""
    actions = list(group.actions.order_by("position", "pk"))
    changed = []
    for position, action in enumerate(actions):
        if action.position != position:
            action.position = position
            changed.append(action)
    if changed:
        Action.objects.bulk_update(changed, ["position"])
    return len(actions)


def _too_long(limit: int) -> str:
    return _("Use at most %(limit)d characters.") % {"limit": limit}
