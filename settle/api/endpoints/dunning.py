"""Dunning runs for the ERP: start a run of an action group on a list of invoice numbers, and
follow its progress. The same runs as the back office's: the worker works them, they show in
the history, and the debtors' timelines."""

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status

from settle.api.dunning_schemas import DunningRunIn, DunningRunOut
from settle.api.schemas import ErrorOut
from settle.common.errors import ApplicationError, FieldError
from settle.dunning.models import ActionGroup, DunningRun, RunSource
from settle.dunning.runs import run_progress, run_start
from settle.dunning.selectors import groups_active
from settle.receivables.models import Invoice

router = Router(tags=["dunning"])

MAX_ID = 2**63 - 1


@router.post(
    "",
    response={201: DunningRunOut, 401: ErrorOut, 422: ErrorOut},
    summary="Start a dunning run",
)
def dunning_run_post(request: HttpRequest, payload: DunningRunIn):
    """Run an action group on the invoices named, as an employee does from the overview.

    Each debtor gets one message per action listing all of their invoices of the run. The run
    is made at once (201); the worker sends its messages in the background: follow
    `progress_url` until `finished`. Unknown invoice numbers refuse the whole request with 422,
    each listed with its index; invoices that are excluded from dunning (an open response, a
    running arrangement, a payment in progress), on hold or paid are not refused but skipped,
    and counted by reason in `skipped_invoices`.
    """
    group = _group(payload.group)
    numbers = list(dict.fromkeys(payload.invoice_numbers))
    found = dict(Invoice.objects.filter(number__in=numbers).values_list("number", "pk"))
    unknown = [
        FieldError(
            index=index,
            field="invoice_numbers",
            message=_("Unknown invoice %(number)s.") % {"number": number},
        )
        for index, number in enumerate(payload.invoice_numbers)
        if number not in found
    ]
    if unknown:
        raise ApplicationError(_("The run was refused; nothing was started."), errors=unknown)
    run = run_start(
        group=group,
        invoices=Invoice.objects.filter(pk__in=found.values()),
        source=RunSource.API,
    )
    return Status(201, _run_out(run))


@router.get(
    "/{int:run_id}",
    response={200: DunningRunOut, 401: ErrorOut, 404: ErrorOut},
    summary="A dunning run's progress",
    url_name="dunning_run_get",
)
def dunning_run_get(request: HttpRequest, run_id: int):
    """A run, started here or in the back office, with how many of its items (one per debtor)
    are pending, done, skipped or failed."""
    # A number past the database's integers names no run (and must not reach the database).
    run = None
    if run_id <= MAX_ID:
        run = DunningRun.objects.select_related("group").filter(pk=run_id).first()
    if run is None:
        raise Http404(_("There is no dunning run %(id)s.") % {"id": run_id})
    return _run_out(run)


def _group(value: int | str) -> ActionGroup:
    """The active group named by id or by name; a 422 naming the field otherwise."""
    groups = groups_active()
    matches = list(
        groups.filter(pk=value)[:2] if isinstance(value, int) else groups.filter(name=value)[:2]
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        message = _("More than one action group is called %(name)s; give its id.") % {"name": value}
    else:
        message = _("There is no action group %(group)s (or it is archived).") % {"group": value}
    raise ApplicationError(message, errors=[FieldError(field="group", message=message)])


def _run_out(run: DunningRun) -> dict:
    progress = run_progress(run=run)
    return {
        "id": run.pk,
        "group": run.group_id,
        "group_name": run.group.name,
        "source": run.source,
        "state": run.state,
        "finished": progress.finished,
        "created_at": run.created_at,
        "processed_at": run.processed_at,
        "invoice_count": run.invoice_count,
        "debtor_count": run.debtor_count,
        "skipped_invoices": run.skipped or {},
        "items": {
            "total": progress.total,
            "pending": progress.pending,
            "sent": progress.sent,
            "skipped": progress.skipped,
            "failed": progress.failed,
        },
        "progress_url": reverse("api-v1:dunning_run_get", kwargs={"run_id": run.pk}),
    }
