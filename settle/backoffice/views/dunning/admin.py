"""Actiegroepenbeheer: administrators keep the action groups an employee runs on a selection,
and each group's ordered actions. The services in settle.dunning.services decide what may be
done (a group with runs is archived, not deleted; an action's type, template and channel must
fit together); these views show their refusals on the forms."""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from settle.backoffice.decorators import administrator_required
from settle.backoffice.forms.base import service_errors_show
from settle.backoffice.forms.dunning import ActionForm, GroupNameForm, MoveForm
from settle.common.errors import ApplicationError
from settle.correspondence.models import Channel
from settle.dunning import services
from settle.dunning.models import Action, ActionGroup
from settle.dunning.selectors import groups_active

TAB = "dunning"


def _list_page(request: HttpRequest, *, create_form=None, status=200) -> HttpResponse:
    archived = ActionGroup.objects.filter(archived_at__isnull=False).order_by("-archived_at")
    return render(
        request,
        "backoffice/dunning/group_list.html",
        {
            "groups": groups_active().annotate(action_count=Count("actions")),
            "archived": archived.annotate(action_count=Count("actions")),
            "create_form": create_form or GroupNameForm(auto_id="create_%s"),
            "tab": TAB,
            "dunning_tab": "groups",
        },
        status=status,
    )


def _detail_page(
    request: HttpRequest, group: ActionGroup, *, rename_form=None, action_form=None, status=200
) -> HttpResponse:
    actions = list(group.actions.select_related("resulting_status").order_by("position", "pk"))
    channels = dict(Channel.choices)
    for action in actions:
        action.channel_label = channels.get(action.channel, action.channel)
    return render(
        request,
        "backoffice/dunning/group_detail.html",
        {
            "group": group,
            "actions": actions,
            "rename_form": rename_form
            or GroupNameForm(initial={"name": group.name}, auto_id="rename_%s"),
            "action_form": action_form or ActionForm(auto_id="action_%s"),
            "tab": TAB,
            "dunning_tab": "groups",
        },
        status=status,
    )


@require_GET
@administrator_required
def group_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@administrator_required
def group_create(request: HttpRequest) -> HttpResponse:
    form = GroupNameForm(request.POST, auto_id="create_%s")
    if form.is_valid():
        try:
            group = services.action_group_create(name=form.cleaned_data["name"])
        except ApplicationError as exc:
            service_errors_show(form, exc)
        else:
            messages.success(request, _("The action group has been added; now add its actions."))
            return redirect("backoffice:settings_dunning_group", pk=group.pk)
    return _list_page(request, create_form=form, status=400)


@require_GET
@administrator_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_object_or_404(ActionGroup, pk=pk))


def _active_group(request: HttpRequest, pk: int) -> ActionGroup | None:
    """The group to change, or None (with a message) when it is archived: an archived group is
    kept as its runs' history and no longer changes."""
    group = get_object_or_404(ActionGroup, pk=pk)
    if group.archived_at is not None:
        messages.error(request, _("This action group is archived and can no longer be changed."))
        return None
    return group


@require_POST
@administrator_required
def group_rename(request: HttpRequest, pk: int) -> HttpResponse:
    group = _active_group(request, pk)
    if group is None:
        return redirect("backoffice:settings_dunning_group", pk=pk)
    form = GroupNameForm(request.POST, auto_id="rename_%s")
    if form.is_valid():
        try:
            services.action_group_rename(group=group, name=form.cleaned_data["name"])
        except ApplicationError as exc:
            service_errors_show(form, exc)
        else:
            messages.success(request, _("The action group has been renamed."))
            return redirect("backoffice:settings_dunning_group", pk=group.pk)
    group.refresh_from_db()
    return _detail_page(request, group, rename_form=form, status=400)


@require_POST
@administrator_required
def group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(ActionGroup, pk=pk)
    if group.archived_at is not None:
        messages.info(request, _("This action group was already archived."))
        return redirect("backoffice:settings_dunning_groups")
    name = group.name
    try:
        deleted = services.action_group_delete(group=group)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:settings_dunning_group", pk=pk)
    if deleted:
        messages.success(
            request, _("The action group “%(name)s” has been deleted.") % {"name": name}
        )
    else:
        text = _(
            "The action group “%(name)s” has runs in the history, so it has been archived "
            "instead of deleted: it can no longer be chosen, and its history stays."
        )
        messages.info(request, text % {"name": name})
    return redirect("backoffice:settings_dunning_groups")


# --- The actions of a group -------------------------------------------------------------------


@require_POST
@administrator_required
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = _active_group(request, pk)
    if group is None:
        return redirect("backoffice:settings_dunning_group", pk=pk)
    form = ActionForm(request.POST, auto_id="action_%s")
    if form.is_valid():
        try:
            services.action_add(group=group, **form.values())
        except ApplicationError as exc:
            service_errors_show(form, exc)
        else:
            messages.success(request, _("The action has been added."))
            return redirect("backoffice:settings_dunning_group", pk=group.pk)
    return _detail_page(request, group, action_form=form, status=400)


def _action(pk: int) -> Action:
    return get_object_or_404(Action.objects.select_related("group"), pk=pk)


@require_http_methods(["GET", "POST"])
@administrator_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    if action.group.archived_at is not None:
        messages.error(request, _("This action group is archived and can no longer be changed."))
        return redirect("backoffice:settings_dunning_group", pk=action.group_id)
    initial = {
        "name": action.name,
        "action_type": action.action_type,
        "message_kind": action.message_kind,
        "channel": action.channel,
        "resulting_status": action.resulting_status_id,
    }
    posted = request.POST if request.method == "POST" else None
    form = ActionForm(posted, initial=initial)
    if posted is not None and form.is_valid():
        try:
            services.action_update(action=action, **form.values())
        except ApplicationError as exc:
            service_errors_show(form, exc)
        else:
            messages.success(request, _("The action has been saved."))
            return redirect("backoffice:settings_dunning_group", pk=action.group_id)
    return render(
        request,
        "backoffice/dunning/group_action_edit.html",
        {
            "action": action,
            "group": action.group,
            "form": form,
            "tab": TAB,
            "dunning_tab": "groups",
        },
        status=400 if posted is not None else 200,
    )


@require_POST
@administrator_required
def action_move(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    form = MoveForm(request.POST)
    if action.group.archived_at is not None:
        messages.error(request, _("This action group is archived and can no longer be changed."))
    elif not form.is_valid():
        messages.error(request, _("The action was not moved: the request was incomplete."))
    else:
        try:
            services.action_move(action=action, up=form.cleaned_data["direction"] == "up")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect(_group_url(action))


@require_POST
@administrator_required
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(pk)
    if action.group.archived_at is not None:
        messages.error(request, _("This action group is archived and can no longer be changed."))
        return redirect(_group_url(action))
    try:
        services.action_delete(action=action)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The action “%(name)s” has been deleted.") % {"name": action.name}
        )
    return redirect(_group_url(action))


def _group_url(action: Action) -> str:
    # Back to the list of actions, so the person keeps their place on the page.
    return reverse("backoffice:settings_dunning_group", args=[action.group_id]) + "#actions"
