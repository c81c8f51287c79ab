import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from settle.receivables.imports import import_job_process_due
from settle.receivables.models import Debtor, ImportJob, ImportState, Invoice

PASSWORD = "correct-horse-battery-staple"
LIST = reverse("backoffice:import_list")
INVOICES = (
    "number;debtor_number;issue_date;due_date;amount;open_amount;payment_reference\n"
    "F1;D-ALICE;2025-01-02;2025-02-01;1.210,00;1.210,00;RF01\n"
    "F2;D-ALICE;02-01-2025;01-02-2025;99,95;;RF02\n"
    "F3;D-CAROL;2025-01-05;2025-02-04;12,50;0,00;RF03\n"
)
DEBTORS = (
    "number,name,language,email,mobile,street,postal_code,city,country,"
    "payment_method,delivery_method,active\n"
    "D1,Bakkerij de Vries,nl,info@bakkerij.test,06 12345678,Kerkstraat 1,1234 AB,Epe,NL,"
    "direct_debit,email,ja\n"
    'D2,"Smith & Sons, Ltd",en,office@smith.test,,"1 High Street",SW1A 1AA,London,GB,'
    "bank_transfer,post,yes\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def english(settings):
    # The assertions read the English source texts, whatever the catalogues say.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def upload(client, text: str | bytes, *, kind: str = "invoices", name: str = "export.csv"):
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        LIST, {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )


def import_and_run(client, text, **kwargs):
    response = upload(client, text, **kwargs)
    assert response.status_code == 302, response.content.decode()
    assert import_job_process_due() == 1
    return client.get(response["Location"])


def test_it_queues_a_good_file_and_shows_its_progress(bob_client, alice, carol):
    response = upload(bob_client, INVOICES)

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("backoffice:import_detail", kwargs={"pk": job.pk})
    assert (job.state, job.file_name) == (ImportState.QUEUED, "export.csv")
    page = bob_client.get(response["Location"])
    html = page.content.decode()
    assert "Waiting for the worker to check the file." in html
    assert '<meta http-equiv="refresh" content="2">' in html
    assert page["Refresh"] == "2"
    assert Invoice.objects.count() == 0


def test_it_stores_the_upload_without_reading_it(bob_client):
    # Neither UTF-8 nor CSV: a check in the request would refuse it; the upload only stores it.
    response = upload(bob_client, b"\xff\xfe" + b"\x00garbage;" * 1000)

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.state, job.rows_checked, job.rows_total, job.line_errors) == (
        ImportState.QUEUED,
        0,
        0,
        [],
    )


def test_it_shows_the_lines_checked_and_those_imported(bob_client, alice, carol):
    response = upload(bob_client, INVOICES)
    ImportJob.objects.update(state=ImportState.CHECKING, rows_checked=2)

    html = bob_client.get(response["Location"]).content.decode()
    assert "2 lines checked" in html

    ImportJob.objects.update(state=ImportState.RUNNING, rows_checked=3, rows_total=3, rows_done=1)

    html = bob_client.get(response["Location"]).content.decode()
    assert '<progress id="import-progress" max="3" value="1">' in html
    assert "1 of 3 rows (33 %)" in html


def test_it_says_how_many_earlier_imports_go_first(bob_client, alice, carol):
    upload(bob_client, INVOICES)
    response = upload(bob_client, INVOICES)

    html = bob_client.get(response["Location"]).content.decode()

    assert "1 earlier import goes first." in html


def test_it_shows_the_counts_when_the_worker_is_done(bob_client, alice, carol):
    page = import_and_run(bob_client, INVOICES)

    html = page.content.decode()
    assert "3 of 3 rows (100 %)" in html
    assert str(ImportState.DONE.label) in html
    assert '<th scope="row">Created</th><td class="num">3</td>' in html
    assert "http-equiv" not in html
    assert not page.has_header("Refresh")
    assert Invoice.objects.get(number="F1").amount == Invoice.objects.get(number="F1").open_amount
    assert str(Invoice.objects.get(number="F1").amount) == "1210.00"
    assert Invoice.objects.get(number="F3").debtor == carol


def test_it_lists_every_bad_line_and_imports_nothing(bob_client, alice):
    text = (
        "number;debtor_number;issue_date;due_date;amount\n"
        "F1;D-ALICE;2025-01-02;2025-02-01;10,00\n"
        "F2;D-NOBODY;2025-01-02;2025-02-01;10,00\n"
        "F3;D-ALICE;2025-01-02;2025-02-01;10,00\n"
        "F4;D-NOBODY;tomorrow;2025-02-01;-5\n"
        "F1;D-ALICE;2025-01-02;2025-02-01;10,00\n"
        "F6;D-ALICE;2025-01-02\n"
    )

    page = import_and_run(bob_client, text)

    html = page.content.decode()
    assert "4 lines have problems; nothing was imported." in html
    rows = _error_rows(html)
    assert [(line, column) for line, column, _problem in rows] == [
        ("3", "debtor_number"),
        ("5", "debtor_number"),
        ("5", "issue_date"),
        ("5", "amount"),
        ("6", "number"),
        ("7", "—"),
    ]
    assert "Unknown debtor D-NOBODY." in html
    assert "Expected 5 values, found 3." in html
    assert ImportJob.objects.get().state == ImportState.FAILED
    assert not Invoice.objects.exists()


def _error_rows(html: str) -> list[tuple[str, str, str]]:
    body = html.split("Problems in the file", 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    rows = []
    for row in body.split("<tr>")[1:]:
        cells = [cell.split("</td>")[0].strip() for cell in row.split("<td")[1:]]
        rows.append(tuple(cell.split(">", 1)[1] for cell in cells))
    return rows


def test_it_changes_nothing_when_the_same_file_comes_again(bob_client, alice, carol):
    import_and_run(bob_client, INVOICES)
    stamps = dict(Invoice.objects.values_list("number", "updated_at"))

    page = import_and_run(bob_client, INVOICES)

    html = page.content.decode()
    assert '<th scope="row">Created</th><td class="num">0</td>' in html
    assert '<th scope="row">Updated</th><td class="num">0</td>' in html
    assert '<th scope="row">Unchanged</th><td class="num">3</td>' in html
    assert dict(Invoice.objects.values_list("number", "updated_at")) == stamps


def test_it_reads_comma_separated_debtors(bob_client):
    import_and_run(bob_client, DEBTORS, kind="debtors")

    vries, smith = Debtor.objects.order_by("number")
    assert (vries.mobile, vries.payment_method, vries.active) == (
        "+31612345678",
        "direct_debit",
        True,
    )
    assert (smith.name, smith.city, smith.delivery_method) == (
        "Smith & Sons, Ltd",
        "London",
        "post",
    )


def test_it_reads_semicolon_separated_debtors(bob_client):
    text = "number;name;email;city\nD1;Jansen, Piet;piet@example.test;Zwolle\n"

    import_and_run(bob_client, text, kind="debtors")

    assert Debtor.objects.get().name == "Jansen, Piet"


def test_it_accepts_a_byte_order_mark_and_windows_line_ends(bob_client, alice, carol):
    content = b"\xef\xbb\xbf" + INVOICES.replace("\n", "\r\n").encode()

    import_and_run(bob_client, content)

    assert Invoice.objects.count() == 3


def test_it_fails_a_file_that_is_not_utf8(bob_client, alice):
    text = "number;name;email\nD1;Café Zoë;cafe@example.test\n"

    page = import_and_run(bob_client, text.encode("cp1252"), kind="debtors")

    assert "The file is not UTF-8 text" in page.content.decode()
    assert not Debtor.objects.filter(number="D1").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\n\n", "The file is empty."),
        (b"D1;Jansen;piet@example.test\n", "The first line must be a header"),
        (b"number;name;email\n", "The file holds a header but no rows."),
    ],
)
def test_it_fails_a_file_without_header_or_rows(bob_client, content, message):
    page = import_and_run(bob_client, content, kind="debtors")

    assert message in page.content.decode()
    assert ImportJob.objects.get().state == ImportState.FAILED


def test_it_refuses_an_empty_upload(bob_client):
    response = upload(bob_client, b"", kind="debtors")

    assert response.status_code == 400
    assert "The submitted file is empty." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_it_names_unknown_and_missing_columns(bob_client):
    page = import_and_run(
        bob_client, "number;naam;e-mail\nD1;Jansen;x@example.test\n", kind="debtors"
    )

    html = page.content.decode()
    assert "Unknown columns: naam, e-mail." in html
    assert "Missing required columns: name." in html
    assert not Debtor.objects.exists()


def test_it_refuses_a_file_above_the_size_limit_in_the_users_language(bob_client, settings):
    settings.SETTLE_IMPORT_MAX_BYTES = 3 * 1024 * 1024
    content = b"number;name;email\n" + b"D1;Jansen;x@example.test\n" * 130_000

    response = upload(bob_client, content, kind="debtors")
    with translation.override("nl"):
        dutch = bob_client.post(
            LIST,
            {"kind": "debtors", "file": SimpleUploadedFile("x.csv", content)},
            HTTP_ACCEPT_LANGUAGE="nl",
        )

    assert response.status_code == 400
    assert "The file is larger than the limit of 3 MB." in response.content.decode()
    assert "groter dan" in dutch.content.decode()
    assert not ImportJob.objects.exists()


def test_it_escapes_what_the_file_says(bob_client):
    text = "number;name;<script>x</script>\nD1;Jansen;x@example.test\n"

    page = import_and_run(bob_client, text, kind="debtors")

    html = page.content.decode()
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_it_lists_recent_imports_with_who_and_counts(bob_client, bob, alice, carol):
    import_and_run(bob_client, INVOICES, name="januari.csv")

    html = bob_client.get(LIST).content.decode()

    job = ImportJob.objects.get()
    assert reverse("backoffice:import_detail", kwargs={"pk": job.pk}) in html
    assert "januari.csv" in html
    assert "Bob" in html
    assert str(ImportState.DONE.label) in html


def test_it_shows_why_an_import_failed(bob_client, alice):
    text = "number;debtor_number;issue_date;due_date;amount\nF1;D-ALICE;2025-01-02;2025-02-01;5\n"
    response = upload(bob_client, text)
    alice.delete()
    import_job_process_due()

    html = bob_client.get(response["Location"]).content.decode()

    assert str(ImportState.FAILED.label) in html
    assert "Unknown debtor D-ALICE." in html
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("name", ["import_list", "import_detail"])
def test_it_sends_anonymous_visitors_to_the_sign_in_page(client, name):
    url = reverse(f"backoffice:{name}", kwargs={"pk": 1} if name == "import_detail" else {})

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("backoffice:login"))


def test_it_keeps_people_who_are_not_staff_out(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="eve", password="x"))

    response = upload(client, DEBTORS, kind="debtors")

    assert response.status_code == 302
    assert not ImportJob.objects.exists()


def test_it_answers_404_for_an_unknown_import(bob_client):
    response = bob_client.get(reverse("backoffice:import_detail", kwargs={"pk": 999}))

    assert response.status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_follows_the_worker_in_the_browser_without_script(page, bob, alice, carol):
    from playwright.sync_api import expect

    page.goto(f"{page.base}{LIST}")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.select_option("#id_kind", "invoices")
    page.set_input_files(
        "#id_file", files=[{"name": "f.csv", "mimeType": "text/csv", "buffer": INVOICES.encode()}]
    )
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .state--queued")).to_be_visible()

    assert import_job_process_due() == 1

    # No script on the page: the browser reloads it by itself until the job is done.
    progress = page.locator("progress#import-progress")
    expect(progress).to_have_attribute("value", "3", timeout=10_000)
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
