"""Dunning runs as employees follow and look back on them: a run's page with its live progress
and items, the history of runs (Betalingsherinneringenhistorie), an item with its invoices,
messages and letters, the letters as one PDF to print, and the collection agency's CSV."""

import logging

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from settle.backoffice import dunning_selectors as selectors
from settle.backoffice.decorators import staff_required
from settle.common.errors import ApplicationError
from settle.correspondence.letters import letters_combine
from settle.correspondence.models import Message
from settle.dunning import exports
from settle.dunning import runs as dunning_runs
from settle.dunning.models import ActionGroup, DunningRun, DunningRunItem
from settle.dunning.selectors import SKIP_REASONS

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
# Letters per combined PDF: a run of thousands of letters is printed in parts of this size.
LETTERS_PER_PDF = 500
# How often the run's page asks for its progress while the run works.
POLL_SECONDS = 2


def _reason(code: str) -> str:
    return str(SKIP_REASONS.get(code, code)) if code else ""


def _run_or_404(pk: int) -> DunningRun:
    try:
        return selectors.run_detail(pk=pk)
    except DunningRun.DoesNotExist as exc:
        raise Http404 from exc


def _progress_context(run: DunningRun) -> dict:
    progress = dunning_runs.run_progress(run=run)
    done = progress.sent + progress.skipped + progress.failed
    return {"run": run, "progress": progress, "done": done, "poll_seconds": POLL_SECONDS}


@require_GET
@staff_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(pk)
    page = Paginator(selectors.run_items(run=run), PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    found = selectors.messages_by_item(run=run, items=items)
    rows = [
        {"item": item, "reason": _reason(item.reason), "messages": found.get(item.pk, [])}
        for item in items
    ]
    run_messages = selectors.run_messages(run=run)
    letters = selectors.letters_ready(run_messages).count()
    skipped = sorted(
        ((_reason(code), count) for code, count in (run.skipped or {}).items() if count),
        key=lambda pair: -pair[1],
    )
    return render(
        request,
        "backoffice/dunning/run_detail.html",
        {
            **_progress_context(run),
            "page": page,
            "rows": rows,
            "skipped_at_start": skipped,
            "letters": letters,
            "letter_parts": _letter_parts(letters),
            "letters_in_making": selectors.letters_in_making(run_messages),
            "has_agency_action": selectors.has_agency_action(run),
        },
    )


def _letter_parts(count: int) -> list[dict]:
    """The combined PDFs to print, LETTERS_PER_PDF letters each (none without letters)."""
    return [
        {"part": number + 1, "first": start + 1, "last": min(start + LETTERS_PER_PDF, count)}
        for number, start in enumerate(range(0, count, LETTERS_PER_PDF))
    ]


@never_cache
@require_GET
@staff_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, for the run's page to swap in: it polls only while the run works,
    so the finished fragment carries no trigger and the polling stops."""
    try:
        run = DunningRun.objects.select_related("group").get(pk=pk)
    except DunningRun.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "backoffice/dunning/run_progress.html", _progress_context(run))


class RunListFilter(forms.Form):
    group = forms.ModelChoiceField(
        label=gettext_lazy("Action group"),
        queryset=ActionGroup.objects.order_by("name", "pk"),
        required=False,
        empty_label=gettext_lazy("All groups"),
    )


@require_GET
@staff_required
def run_list(request: HttpRequest) -> HttpResponse:
    form = RunListFilter(request.GET)
    # An unknown or tampered group is no filter, as an empty one is.
    group = form.cleaned_data["group"] if form.is_valid() else None
    page = Paginator(selectors.run_list(group=group), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/dunning/run_list.html",
        {"form": form, "page": page, "filtered": group is not None},
    )


def _item_or_404(pk: int) -> DunningRunItem:
    try:
        return selectors.item_detail(pk=pk)
    except DunningRunItem.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
@staff_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(pk)
    item_messages = dunning_runs.item_messages(item=item)
    lines = [{"line": line, "reason": _reason(line.skipped_reason)} for line in item.lines.all()]
    return render(
        request,
        "backoffice/dunning/item_detail.html",
        {
            "item": item,
            "run": item.run,
            "reason": _reason(item.reason),
            "lines": lines,
            "messages_sent": item_messages.defer("body_html", "body_text").order_by("pk"),
            "letters": list(selectors.letters_ready(item_messages)),
            "letters_in_making": selectors.letters_in_making(item_messages),
        },
    )


@require_GET
@staff_required
def item_letters(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(pk)
    found = list(selectors.letters_ready(dunning_runs.item_messages(item=item)))
    return _combined(
        request, found, filename=f"dunning-item-{item.pk}-letters.pdf", back=("dunning_item", pk)
    )


@require_GET
@staff_required
def run_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's letters with a PDF, in item order, one part of LETTERS_PER_PDF (?part=N)."""
    run = _run_or_404(pk)
    try:
        part = max(int(request.GET.get("part", "1")), 1)
    except ValueError:
        part = 1
    start = (part - 1) * LETTERS_PER_PDF
    letters = selectors.letters_ready(selectors.run_messages(run=run)).order_by("run_item", "pk")
    found = list(letters[start : start + LETTERS_PER_PDF])
    suffix = f"-{part}" if part > 1 else ""
    return _combined(
        request,
        found,
        filename=f"dunning-run-{run.pk}-letters{suffix}.pdf",
        back=("dunning_run", pk),
    )


def _combined(request: HttpRequest, found: list[Message], *, filename: str, back) -> HttpResponse:
    try:
        combined = letters_combine(_pdf_contents(found))
    except ApplicationError:
        messages.error(request, _("There are no letters with a PDF to print yet."))
        return redirect(f"backoffice:{back[0]}", pk=back[1])
    response = HttpResponse(combined, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _pdf_contents(found: list[Message]):
    for message in found:
        try:
            with message.pdf.open("rb") as handle:
                yield handle.read()
        except OSError:
            # A file lost from storage must not keep the other letters from printing.
            logger.warning("letter %s: its PDF %s cannot be read", message.pk, message.pdf.name)


@require_GET
@staff_required
def run_agency_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The debtors and invoices handed over to the collection agency, for a group that does."""
    run = _run_or_404(pk)
    if not selectors.has_agency_action(run):
        raise Http404
    response = HttpResponse(exports.agency_export(run=run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dunning-run-{run.pk}-agency.csv"'
    return response
