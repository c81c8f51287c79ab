"""`{% arrangement_task_panel task %}`: a task's payment arrangement on the task's page, with the
accept and reject forms while its proposal waits for review."""

from django import template

from settle.arrangements.models import ArrangementState
from settle.arrangements.selectors import arrangement_for_response
from settle.worklist.models import TaskKind

register = template.Library()


@register.inclusion_tag("backoffice/includes/arrangement_task_panel.html", takes_context=True)
def arrangement_task_panel(context, task) -> dict:
    # Imported here: the views module loads templates, and templates load this library.
    from settle.backoffice.views.arrangements import review_forms

    arrangement = arrangement_for_response(response_id=task.response_id)
    data = {
        "arrangement": arrangement,
        "reviewing": False,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
    if (
        arrangement is not None
        and task.kind == TaskKind.ARRANGEMENT_REVIEW
        and arrangement.state == ArrangementState.UNDER_REVIEW
    ):
        # The decision forms as they were posted from this page, with their errors, if so.
        data |= review_forms(
            arrangement,
            task_id=task.pk,
            schedule_form=context.get("schedule_form"),
            reject_form=context.get("reject_form"),
        )
        data["reviewing"] = True
    return data
