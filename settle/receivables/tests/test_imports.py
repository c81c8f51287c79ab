from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation

from settle.common.claims import claim_due
from settle.receivables.imports import (
    ERRORS_KEPT,
    MAX_ATTEMPTS,
    import_job_create,
    import_job_process_due,
)
from settle.receivables.models import Debtor, ImportJob, ImportState, Invoice
from settle.receivables.services.checks import invoice_records_check
from settle.receivables.services.invoices import invoices_upsert
from settle.receivables.tests.factories import DebtorFactory

INVOICE_HEADER = "number;debtor_number;issue_date;due_date;amount;open_amount"
DEBTOR_HEADER = "number,name,language,email,mobile,delivery_method"


@pytest.fixture(autouse=True)
def english():
    # The assertions read the English source texts, whatever the catalogues say.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(text: str, name: str = "import.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def invoices_csv(count: int, debtor: str = "D-ALICE") -> str:
    lines = [INVOICE_HEADER]
    lines += [f"F{i:06d};{debtor};2025-01-02;2025-02-01;{100 + i},50;" for i in range(count)]
    return "\n".join(lines) + "\n"


def test_it_queues_an_upload_without_reading_it(bob):
    # Not even CSV: the upload stores the file, and the worker finds out what is in it.
    job = import_job_create(
        kind="invoices", uploaded_file=upload_bytes(b"\xff\x00garbage"), user=bob
    )

    assert job.state == ImportState.QUEUED
    assert (job.rows_total, job.rows_checked, job.error_count) == (0, 0, 0)
    assert job.created_by == bob
    assert job.file_name == "import.csv"
    assert job.due_at <= timezone.now()
    assert job.file.read() == b"\xff\x00garbage"


def test_it_imports_a_queued_file_when_the_worker_comes(alice, bob):
    job = import_job_create(kind="invoices", uploaded_file=upload(invoices_csv(3)), user=bob)

    assert import_job_process_due() == 1

    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert (job.rows_checked, job.rows_total) == (3, 3)
    assert (job.rows_done, job.created_count, job.updated_count, job.unchanged_count) == (
        3,
        3,
        0,
        0,
    )
    assert job.finished_at is not None
    assert job.lease_token is None
    invoice = Invoice.objects.get(number="F000001")
    assert invoice.debtor == alice
    assert invoice.amount == invoice.open_amount == Decimal("101.50")
    assert import_job_process_due() == 0


def problems(job: ImportJob) -> list[tuple[int, str]]:
    return [(e["line"], e["field"]) for e in job.line_errors]


def test_it_fails_a_file_with_bad_lines_naming_every_fault_of_each(alice, bob):
    text = (
        f"{INVOICE_HEADER}\n"
        "F1;D-ALICE;2025-01-02;2025-02-01;10,00;\n"
        "F2;D-NOBODY;yesterday;2025-02-01;ten;\n"
        "F3;D-ALICE;2025-01-02;2025-02-01;10,00;\n"
        "F3;D-NOBODY;2025-01-02;2025-02-01;-1;\n"
    )
    job = import_job_create(kind="invoices", uploaded_file=upload(text), user=bob)

    import_job_process_due()

    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert job.error == "2 lines have problems; nothing was imported."
    # Line 3: its unknown debtor as well as its date and amount (once only the latter two).
    assert problems(job) == [
        (3, "debtor_number"),
        (3, "issue_date"),
        (3, "amount"),
        (5, "number"),
        (5, "debtor_number"),
        (5, "amount"),
    ]
    assert job.error_count == 6
    assert "Unknown debtor D-NOBODY." in job.line_errors[0]["message"]
    assert "first at 4" in job.line_errors[3]["message"]
    assert Invoice.objects.count() == 0


def test_it_keeps_the_first_problems_and_counts_all(alice, bob):
    text = invoices_csv(3) + "".join(f"X{i};D-ALICE;never;2025-02-01;1;\n" for i in range(1500))
    job = import_job_create(kind="invoices", uploaded_file=upload(text), user=bob)

    import_job_process_due()

    job.refresh_from_db()
    assert job.error == "1500 lines have problems; nothing was imported."
    assert job.error_count == 1500
    assert len(job.line_errors) == ERRORS_KEPT
    assert [e["line"] for e in job.line_errors[:2]] == [5, 6]
    assert Invoice.objects.count() == 0


def test_it_finds_a_number_repeated_far_apart_in_a_long_file(alice, bob):
    text = invoices_csv(6000) + "F000007;D-ALICE;2025-01-02;2025-02-01;1,00;\n"
    job = import_job_create(kind="invoices", uploaded_file=upload(text), user=bob)

    import_job_process_due()

    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert problems(job) == [(6002, "number")]
    assert job.line_errors[0]["message"] == ("Number F000007 appears more than once (first at 9).")
    assert Invoice.objects.count() == 0


def test_it_fails_a_job_whose_debtor_went_before_the_worker_came(bob):
    debtor = DebtorFactory(number="D-GONE")
    job = import_job_create(
        kind="invoices", uploaded_file=upload(invoices_csv(2, "D-GONE")), user=bob
    )
    Debtor.objects.filter(pk=debtor.pk).delete()

    import_job_process_due()

    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert problems(job) == [(2, "debtor_number"), (3, "debtor_number")]
    assert "D-GONE" in job.line_errors[0]["message"]
    assert Invoice.objects.count() == 0


def test_it_takes_over_a_job_whose_worker_died(alice, bob):
    job = import_job_create(kind="invoices", uploaded_file=upload(invoices_csv(2)), user=bob)
    # A worker claimed it ten minutes ago and was never heard of again.
    ImportJob.objects.filter(pk=job.pk).update(due_at=timezone.now() - timedelta(minutes=20))
    claim_due(ImportJob.objects.all(), limit=1, now=timezone.now() - timedelta(minutes=10))

    assert import_job_process_due() == 1

    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert job.attempts == 2
    assert Invoice.objects.count() == 2


def test_it_resumes_after_the_last_chunk_a_dead_worker_committed(alice, bob):
    job = import_job_create(kind="invoices", uploaded_file=upload(invoices_csv(5)), user=bob)
    # What a worker leaves behind when it dies right after committing the first three rows.
    rows = list(enumerate(csv_dicts(invoices_csv(5)), start=2))
    records, errors = invoice_records_check(rows, decimal_comma=True)
    assert not errors
    invoices_upsert(records=records[:3])
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.RUNNING,
        rows_total=5,
        rows_done=3,
        created_count=3,
        attempts=1,
        leased_until=timezone.now() - timedelta(seconds=1),
    )

    import_job_process_due()

    job.refresh_from_db()
    assert job.state == ImportState.DONE
    # Resumed, not redone: a rerun from the top would count the first three as unchanged.
    assert (job.rows_done, job.created_count, job.unchanged_count) == (5, 5, 0)
    assert Invoice.objects.count() == 5


def csv_dicts(text: str) -> list[dict[str, str]]:
    header, *lines = text.strip().split("\n")
    names = header.split(";")
    return [dict(zip(names, line.split(";"), strict=True)) for line in lines]


def test_it_gives_up_after_too_many_attempts(alice, bob):
    job = import_job_create(kind="invoices", uploaded_file=upload(invoices_csv(2)), user=bob)
    ImportJob.objects.filter(pk=job.pk).update(attempts=MAX_ATTEMPTS, error="Disk full")

    import_job_process_due()

    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert str(MAX_ATTEMPTS) in job.error
    assert "Disk full" in job.error
    assert Invoice.objects.count() == 0


def test_it_fails_a_job_whose_file_is_gone(alice, bob):
    job = import_job_create(kind="invoices", uploaded_file=upload(invoices_csv(2)), user=bob)
    job.file.storage.delete(job.file.name)

    import_job_process_due()

    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert job.error


def test_it_changes_nothing_when_the_same_file_comes_twice(alice, bob):
    text = invoices_csv(4)
    import_job_create(kind="invoices", uploaded_file=upload(text), user=bob)
    import_job_process_due()
    stamps = dict(Invoice.objects.values_list("number", "updated_at"))

    second = import_job_create(kind="invoices", uploaded_file=upload(text), user=bob)
    import_job_process_due()

    second.refresh_from_db()
    assert second.state == ImportState.DONE
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 4)
    assert dict(Invoice.objects.values_list("number", "updated_at")) == stamps


def test_it_imports_debtors_with_their_mobile_numbers_in_e164(bob):
    text = (
        f"{DEBTOR_HEADER}\n"
        "D1,Jan de Vries,nl,jan@example.test,06 1234 5678,sms\n"
        'D2,"Smith, Carol",en,carol@example.test,,email\n'
    )
    import_job_create(kind="debtors", uploaded_file=upload(text), user=bob)

    import_job_process_due()

    jan, carol = Debtor.objects.order_by("number")
    assert jan.mobile == "+31612345678"
    assert jan.delivery_method == "sms"
    assert carol.name == "Smith, Carol"
    assert carol.language == "en"


def test_it_updates_only_the_rows_that_changed(alice, bob):
    import_job_create(kind="invoices", uploaded_file=upload(invoices_csv(3)), user=bob)
    import_job_process_due()
    changed = invoices_csv(3).replace(
        "F000001;D-ALICE;2025-01-02;2025-02-01;101,50;",
        "F000001;D-ALICE;2025-01-02;2025-02-01;101,50;50,00",
    )

    job = import_job_create(kind="invoices", uploaded_file=upload(changed), user=bob)
    import_job_process_due()

    job.refresh_from_db()
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 2)
    assert Invoice.objects.get(number="F000001").open_amount == Decimal("50.00")


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        (b"number;name;email\nD1;De\x00Korst;a@example.test\n", "NUL character on line 2", None),
        ("number;name\nD1;Café\n".encode("cp1252"), "unreadable byte on line 2", None),
        (b'number;name;email\nD1;"De" Korst;a@example.test\n', "not be read as CSV", 2),
        (b"\xef\xbb\xbf", "The file is empty.", None),
        (b"\n\n", "The file is empty.", None),
        (b"number;name;email\n", "The file holds a header but no rows.", None),
        (b"D1;Jansen;piet@example.test\n", "The first line must be a header", None),
        (b"number;name;e-mail\nD1;x;y\n", "The header line of the file is not right.", 1),
        (b"number;name\n" + b"x" * 70_000 + b"\n", "Line 2 is longer than 64 KB", None),
    ],
)
def test_it_fails_a_file_that_is_no_csv_text(bob, content, message, line):
    job = import_job_create(kind="debtors", uploaded_file=upload_bytes(content), user=bob)

    import_job_process_due()

    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert message in job.error
    assert [e["line"] for e in job.line_errors] == ([line] if line else [])
    assert not Debtor.objects.exists()


def upload_bytes(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("import.csv", content, content_type="text/csv")


def test_it_reads_columns_in_any_order_and_skips_blank_lines_and_empty_columns(bob):
    text = "\nEmail;Number;Name;;\nd1@example.test;D1;Jansen;;\n\nd2@example.test;D2;Smit;;\n"

    job = import_job_create(kind="debtors", uploaded_file=upload(text), user=bob)
    import_job_process_due()

    job.refresh_from_db()
    assert (job.state, job.rows_total) == (ImportState.DONE, 2)
    assert list(Debtor.objects.values_list("number", "name", "email")) == [
        ("D1", "Jansen", "d1@example.test"),
        ("D2", "Smit", "d2@example.test"),
    ]


def test_it_counts_lines_from_the_top_of_the_file_even_past_blank_lines_and_quoted_breaks(bob):
    text = 'number;name;email\n\nD1;"Jansen\nen zoon";d1@example.test\nD2;Smit;not-an-address\n'
    job = import_job_create(kind="debtors", uploaded_file=upload(text), user=bob)

    import_job_process_due()

    job.refresh_from_db()
    assert problems(job) == [(5, "email")]


@pytest.mark.django_db(transaction=True)
def test_it_is_worked_by_the_worker_command(bob, capsys):
    # Transactional: the worker closes its connections between tasks, as in production.
    text = f"{DEBTOR_HEADER}\nD1,Jan de Vries,nl,jan@example.test,,email\n"
    job = import_job_create(kind="debtors", uploaded_file=upload(text), user=bob)

    call_command("worker", "--once")

    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert Debtor.objects.get().name == "Jan de Vries"
    assert "handled 1" in capsys.readouterr().out


def test_it_imports_whether_debtors_are_consumers(bob):
    DebtorFactory(number="D2", kind="consumer")
    text = (
        "number,name,email,kind\n"
        "D1,Jan de Vries,jan@example.test,particulier\n"
        "D2,Bakkerij Smit,info@smit.test,business\n"
        "D3,Carol Smith,carol@example.test,\n"
    )
    import_job_create(kind="debtors", uploaded_file=upload(text), user=bob)

    import_job_process_due()

    kinds = dict(Debtor.objects.values_list("number", "kind"))
    assert kinds == {"D1": "consumer", "D2": "business", "D3": "business"}
