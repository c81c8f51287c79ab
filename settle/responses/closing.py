"""Closing a response: by an employee, by its workflow, or when its last task is done."""

from collections.abc import Sequence

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError
from settle.common.hooks import hooks
from settle.responses.models import Response, ResponseState
from settle.worklist.models import Task, TaskKind


def response_hold(*, response: Response) -> str:
    """Why an employee cannot close `response` by hand now, or "" when they can: a workflow
    still running on it (an arrangement under review or running) says so through the functions
    in settings.SETTLE_RESPONSE_HOLDS."""
    for hold in hooks("SETTLE_RESPONSE_HOLDS"):
        if reason := hold(response=response):
            return reason
    return ""


def response_close(
    *,
    response: Response,
    closed_by: AbstractBaseUser | None = None,
    note: str = "",
    by_hand: bool = False,
) -> Response:
    """Close an open response, once; its invoices are no longer excluded from dunning by it.

    Closing a response that is already closed is refused, so two employees closing the same
    response at the same moment cannot overwrite each other's note. Closed `by_hand` (by an
    employee, not by its workflow), a response that a workflow holds is refused with the reason.
    """
    with transaction.atomic():
        if by_hand and (reason := response_hold(response=response)):
            raise ApplicationError(reason)
        updated = Response.objects.filter(pk=response.pk, state=ResponseState.OPEN).update(
            state=ResponseState.CLOSED,
            closed_at=timezone.now(),
            closed_by=closed_by,
            close_note=note.strip(),
            updated_at=timezone.now(),
        )
        if not updated:
            raise ApplicationError(_("This response has already been closed."))
    response.refresh_from_db()
    return response


def responses_close(*, response_ids: Sequence[int], note: str) -> int:
    """Close those of `response_ids` that are still open, with `note`, in one statement; for
    responses that settle themselves (a promise kept, a payment arrived). In the caller's
    transaction. Returns how many were closed; one closed meanwhile by someone else keeps that
    person's note."""
    if not response_ids:
        return 0
    now = timezone.now()
    return Response.objects.filter(pk__in=response_ids, state=ResponseState.OPEN).update(
        state=ResponseState.CLOSED, closed_at=now, close_note=note.strip(), updated_at=now
    )


def task_hold(*, task: Task) -> str:
    """Task hook (settings.SETTLE_TASK_HOLDS): why an employee cannot complete `task` by hand
    now, or "". A review of an arrangement proposal is held as its response is (response_hold):
    while the proposal waits, the review ends by accepting or rejecting it."""
    if task.kind == TaskKind.ARRANGEMENT_REVIEW and task.response:
        return response_hold(response=task.response)
    return ""


def task_completed(
    *,
    task: Task,
    closed_by: AbstractBaseUser | None,
    outcome: str,
    close_response: bool,
    by_hand: bool,
) -> None:
    """Task hook (settings.SETTLE_ON_TASK_COMPLETED), in task_complete's transaction: with
    `close_response`, the response that caused the task closes with its outcome once no other
    open task still needs it."""
    response = task.response
    if (
        close_response
        and response is not None
        and response.state == ResponseState.OPEN
        and not response.tasks.open().exists()
    ):
        response_close(response=response, closed_by=closed_by, note=outcome, by_hand=by_hand)
