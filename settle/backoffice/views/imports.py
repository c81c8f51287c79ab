from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from settle.backoffice.decorators import staff_required
from settle.backoffice.forms.imports import ImportForm
from settle.common.errors import ApplicationError
from settle.receivables.imports import (
    COLUMNS,
    REQUIRED_COLUMNS,
    import_job_create,
    import_jobs_ahead,
)
from settle.receivables.models import ImportJob, ImportKind, ImportState

RECENT_IMPORTS = 50
REFRESH_SECONDS = 2


@require_http_methods(["GET", "POST"])
@staff_required
def import_list(request: HttpRequest) -> HttpResponse:
    refusal = None
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = import_job_create(
                    kind=form.cleaned_data["kind"],
                    uploaded_file=form.cleaned_data["file"],
                    user=request.user,
                )
            except ApplicationError as exc:
                refusal = exc
            else:
                return redirect("backoffice:import_detail", pk=job.pk)
        status = 400
    else:
        form = ImportForm()
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at", "-pk")
    return render(
        request,
        "backoffice/import_list.html",
        {
            "form": form,
            "refusal": refusal,
            "jobs": jobs[:RECENT_IMPORTS],
            "columns": [
                (ImportKind(kind).label, names, REQUIRED_COLUMNS[kind])
                for kind, names in COLUMNS.items()
            ],
        },
        status=status,
    )


@require_GET
@staff_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    finished = job.state in (ImportState.DONE, ImportState.FAILED)
    response = render(
        request,
        "backoffice/import_detail.html",
        {
            "job": job,
            "finished": finished,
            "refresh_seconds": REFRESH_SECONDS,
            "error_lines": job.error.splitlines(),
            "errors": job.line_errors,
            "errors_hidden": max(0, job.error_count - len(job.line_errors)),
            "waiting": import_jobs_ahead(job=job) if job.state == ImportState.QUEUED else 0,
        },
    )
    if not finished:
        # The page follows the worker without script (the CSP allows none inline): the browser
        # reloads it until the job is done. The header backs up the meta tag in the body.
        response["Refresh"] = str(REFRESH_SECONDS)
    return response
