"""Imports run in upload order, and the worker reads a file without holding all of it."""

import tracemalloc
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from settle.common.claims import claim_due
from settle.receivables.imports import import_job_create, import_job_process_due
from settle.receivables.models import Debtor, ImportJob, ImportState, Invoice

INVOICE_HEADER = "number;debtor_number;issue_date;due_date;amount;open_amount"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("import.csv", text.encode(), content_type="text/csv")


def debtors_file(*numbers: str) -> SimpleUploadedFile:
    lines = ["number;name;email"] + [f"{n};Debtor {n};{n.lower()}@example.test" for n in numbers]
    return upload("\n".join(lines) + "\n")


def invoices_file(debtor: str, count: int = 2, prefix: str = "F") -> SimpleUploadedFile:
    lines = [INVOICE_HEADER]
    lines += [
        f"{prefix}{i:07d};{debtor};2025-01-02;2025-02-01;{i % 900 + 10},50;" for i in range(count)
    ]
    return upload("\n".join(lines) + "\n")


def run_worker() -> None:
    while import_job_process_due():
        pass


def test_it_imports_invoices_uploaded_right_after_the_debtors_they_name(bob):
    debtors = import_job_create(kind="debtors", uploaded_file=debtors_file("D-NEW"), user=bob)
    invoices = import_job_create(kind="invoices", uploaded_file=invoices_file("D-NEW"), user=bob)

    run_worker()

    debtors.refresh_from_db()
    invoices.refresh_from_db()
    assert (debtors.state, invoices.state) == (ImportState.DONE, ImportState.DONE)
    assert Invoice.objects.filter(debtor__number="D-NEW").count() == 2


def test_it_works_the_oldest_upload_first(bob):
    # Uploaded in the other order, the invoices' debtor comes only after them: they fail.
    invoices = import_job_create(kind="invoices", uploaded_file=invoices_file("D-LATE"), user=bob)
    import_job_create(kind="debtors", uploaded_file=debtors_file("D-LATE"), user=bob)

    run_worker()

    invoices.refresh_from_db()
    assert invoices.state == ImportState.FAILED
    assert "Unknown debtor D-LATE." in invoices.line_errors[0]["message"]
    assert Debtor.objects.filter(number="D-LATE").exists()


def test_it_starts_no_later_import_while_another_worker_holds_an_earlier_one(alice, bob):
    first = import_job_create(kind="invoices", uploaded_file=invoices_file("D-ALICE"), user=bob)
    second = import_job_create(
        kind="invoices", uploaded_file=invoices_file("D-ALICE", prefix="G"), user=bob
    )
    assert claim_due(ImportJob.objects.filter(pk=first.pk), limit=1)  # another worker's

    assert import_job_process_due() == 0

    second.refresh_from_db()
    assert second.state == ImportState.QUEUED
    assert not Invoice.objects.exists()


def test_it_starts_no_later_import_while_an_earlier_one_waits_for_a_retry(alice, bob):
    first = import_job_create(kind="invoices", uploaded_file=invoices_file("D-ALICE"), user=bob)
    second = import_job_create(
        kind="invoices", uploaded_file=invoices_file("D-ALICE", prefix="G"), user=bob
    )
    ImportJob.objects.filter(pk=first.pk).update(due_at=timezone.now() + timedelta(minutes=1))

    assert import_job_process_due() == 0

    second.refresh_from_db()
    assert second.state == ImportState.QUEUED


def test_it_writes_the_problems_in_the_uploaders_language(bob):
    with translation.override("nl"):
        job = import_job_create(kind="invoices", uploaded_file=invoices_file("D-NOBODY"), user=bob)

    run_worker()

    job.refresh_from_db()
    assert job.language == "nl"
    assert job.line_errors[0]["message"] == "Onbekende debiteur D-NOBODY."


LINES = 20_000


def test_it_checks_and_imports_a_long_file_in_bounded_memory(alice, bob):
    # The whole-file check held every line's row and record: 17 MB for 15,000 lines (1 MB of
    # CSV), about 23 MB for these 20,000. Streaming holds one batch, whatever the file's
    # length. A small file first, so what a first import loads once is not counted.
    import_job_create(kind="invoices", uploaded_file=invoices_file("D-ALICE", 10), user=bob)
    run_worker()
    Invoice.objects.all().delete()
    job = import_job_create(
        kind="invoices", uploaded_file=invoices_file("D-ALICE", LINES), user=bob
    )

    tracemalloc.start()
    try:
        run_worker()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    job.refresh_from_db()
    assert (job.state, job.rows_checked, job.created_count) == (ImportState.DONE, LINES, LINES)
    assert Invoice.objects.count() == LINES
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"
