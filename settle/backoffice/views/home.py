from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from settle.backoffice.decorators import staff_required
from settle.backoffice.selectors import dashboard_figures
from settle.worklist.selectors import task_figures


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/home.html",
        {"figures": dashboard_figures(), "tasks": task_figures(user=request.user)},
    )
