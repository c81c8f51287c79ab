from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext

from settle.responses.forms import ResponseForm, amount_text_normalise
from settle.responses.models import FieldKind, ResponseType
from settle.responses.tests.factories import (
    ResponseFieldFactory,
    ResponseTypeFactory,
    pdf_bytes,
    pdf_upload,
    png_upload,
    text_disguised_as_pdf,
)
from settle.responses.uploads import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.django_db

KEY = "a-submission-key-of-32-characters"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-06-15 12:00 +02:00", tick=False):
        yield


def form_for(code: str, data: dict, files: dict | None = None, *, language: str = "en", **kw):
    with translation.override(language):
        form = ResponseForm(
            {"submission_key": KEY, **{f"f_{k}": v for k, v in data.items()}},
            MultiValueDict({f"f_{k}": [v] for k, v in (files or {}).items()}),
            response_type=ResponseType.objects.get(code=code),
            **kw,
        )
        form.is_valid()
        # Errors are rendered while the language is active, as they are in a request.
        errors = {name.removeprefix("f_"): list(errs) for name, errs in form.errors.items()}
    return form, errors


def test_it_accepts_valid_values_and_makes_them_json_safe():
    form, errors = form_for("arrangement", {"instalments": "6", "first_date": "2026-07-01"})

    assert errors == {}
    assert form.values() == {"instalments": 6, "first_date": "2026-07-01"}


def test_it_requires_visible_fields_that_are_not_optional():
    _form, errors = form_for("arrangement", {})

    assert errors == {
        "instalments": ["This field is required."],
        "first_date": ["This field is required."],
    }


def test_it_requires_fields_in_dutch_for_a_dutch_debtor():
    _form, errors = form_for("promise", {}, language="nl")

    with translation.override("nl"):
        required = gettext("This field is required.")
    # Dutch in Django's own catalogue already, whatever ours holds.
    assert required != "This field is required."
    assert errors == {"promised_date": [required]}


def test_it_lets_optional_fields_stay_empty():
    form, errors = form_for("not_approved", {"expected_approval_date": "2026-07-01", "text": ""})

    assert errors == {}
    assert form.values() == {"expected_approval_date": "2026-07-01"}


def test_it_leaves_hidden_fields_out_and_does_not_require_them():
    rtype = ResponseType.objects.get(code="already_paid")
    rtype.fields.filter(key="amount").update(visible=False)

    form, errors = form_for("already_paid", {"payment_date": "2026-06-01"})

    assert errors == {}
    assert "f_amount" not in form.fields
    assert form.values() == {"payment_date": "2026-06-01"}


def test_it_makes_a_field_optional_when_configured():
    ResponseType.objects.get(code="promise").fields.update(optional=True)

    form, errors = form_for("promise", {"promised_date": ""})

    assert errors == {}
    assert form.values() == {}


@pytest.mark.parametrize("typed", ["31-02-2026", "tomorrow", "2026-13-01", "9" * 500])
def test_it_refuses_a_date_it_cannot_read(typed):
    _form, errors = form_for("promise", {"promised_date": typed})

    assert errors == {"promised_date": ["Enter a valid date."]}


def test_it_reads_dutch_date_notation():
    form, errors = form_for("promise", {"promised_date": "01-07-2026"}, language="nl")

    assert errors == {}
    assert form.values() == {"promised_date": "2026-07-01"}


def test_it_refuses_a_past_date_where_a_future_one_is_needed():
    _form, errors = form_for("promise", {"promised_date": "2026-06-14"})
    _form, today_errors = form_for("promise", {"promised_date": "2026-06-15"})

    assert errors == {"promised_date": ["Choose today or a later date."]}
    assert today_errors == {}


def test_it_refuses_a_future_date_where_a_past_one_is_needed():
    _form, errors = form_for("already_paid", {"payment_date": "2026-06-16", "amount": "10"})

    assert errors == {"payment_date": ["Choose today or an earlier date."]}


@pytest.mark.parametrize(
    ("typed", "language", "amount"),
    [
        ("12,50", "nl", "12.50"),
        ("12.50", "nl", "12.50"),
        ("1.234,56", "nl", "1234.56"),
        ("1.250", "nl", "1250"),
        ("€ 7,5", "nl", "7.5"),
        ("12.50", "en", "12.50"),
        ("12,50", "en", "12.50"),
        ("1,234.56", "en", "1234.56"),
        ("1,250", "en", "1250"),
        ("1,000,000", "en", "1000000"),
    ],
)
def test_it_reads_amounts_as_people_type_them(typed, language, amount):
    form, errors = form_for(
        "already_paid", {"payment_date": "2026-06-01", "amount": typed}, language=language
    )

    assert errors == {}
    assert form.cleaned_data["f_amount"] == Decimal(amount)


@pytest.mark.parametrize("typed", ["twaalf", "12,5,0", "1.23.4", "1,2.3,4", ",50", "NaN", "Inf"])
def test_it_refuses_an_amount_that_is_not_a_number(typed):
    _form, errors = form_for("already_paid", {"payment_date": "2026-06-01", "amount": typed})

    assert errors == {"amount": ["Enter a number."]}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 0.01."),
        ("-5", "Ensure this value is greater than or equal to 0.01."),
        ("12.345", "Ensure that there are no more than 2 decimal places."),
        ("12345678901", "Ensure that there are no more than 10 digits before the decimal point."),
        ("9" * 40, "Enter a number."),
    ],
)
def test_it_refuses_amounts_out_of_range(typed, message):
    _form, errors = form_for("already_paid", {"payment_date": "2026-06-01", "amount": typed})

    assert errors == {"amount": [message]}


def test_amount_text_normalise_returns_none_for_garbage():
    assert amount_text_normalise("12€34", dutch=True) == "1234"
    assert amount_text_normalise("", dutch=True) is None
    assert amount_text_normalise("12 abc", dutch=False) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("121", "Ensure this value is less than or equal to 120."),
        ("drie", "Enter a whole number."),
        ("2.5", "Enter a whole number."),
        ("9" * 5000, "Enter a whole number."),
    ],
)
def test_it_refuses_a_whole_number_out_of_range_or_not_whole(typed, message):
    _form, errors = form_for("arrangement", {"instalments": typed, "first_date": "2026-07-01"})

    assert errors == {"instalments": [message]}


@pytest.mark.parametrize("typed", ["alice", "alice@", "@example.test", "a b@example.test"])
def test_it_refuses_a_bad_email_address(typed):
    _form, errors = form_for("copy_request", {"email": typed})

    assert errors == {"email": ["Enter a valid email address."]}


def test_it_offers_the_choices_of_a_choice_field_in_the_active_language():
    rtype = ResponseTypeFactory(code="reason")
    ResponseFieldFactory(
        response_type=rtype,
        key="reason",
        kind=FieldKind.CHOICE,
        choices=[
            {"value": "price", "label_nl": "Prijs", "label_en": "Price"},
            {"value": "quality", "label_nl": "Kwaliteit", "label_en": "Quality"},
        ],
    )

    form, errors = form_for("reason", {"reason": "quality"}, language="nl")
    _wrong, wrong_errors = form_for("reason", {"reason": "free-beer"})

    assert errors == {}
    assert form.values() == {"reason": "quality"}
    with translation.override("nl"):
        assert "Kwaliteit" in str(form["f_reason"])
    assert wrong_errors["reason"][0].startswith("Select a valid choice.")


def test_it_limits_free_text():
    _form, errors = form_for("complaint", {"text": "x" * 2001})

    assert errors == {"text": ["Ensure this value has at most 2000 characters (it has 2001)."]}


def test_it_accepts_a_real_png_and_a_real_pdf():
    png, png_errors = form_for(
        "already_paid", {"payment_date": "2026-06-01", "amount": "5"}, {"proof": png_upload()}
    )
    pdf, pdf_errors = form_for("complaint", {"text": "zie bijlage"}, {"attachment": pdf_upload()})

    assert png_errors == pdf_errors == {}
    assert set(png.files_by_key()) == {"proof"}
    assert set(pdf.files_by_key()) == {"attachment"}


def test_it_judges_a_file_by_its_content_not_its_name():
    _form, errors = form_for(
        "complaint", {"text": "zie bijlage"}, {"attachment": text_disguised_as_pdf()}
    )
    renamed, renamed_errors = form_for(
        "complaint",
        {"text": "zie bijlage"},
        {"attachment": SimpleUploadedFile("scan.txt", pdf_bytes(), content_type="text/plain")},
    )

    assert errors == {"attachment": ["Only PDF, JPEG and PNG files are accepted."]}
    assert renamed_errors == {}


def test_it_refuses_a_file_over_10_mb():
    big = SimpleUploadedFile("big.pdf", pdf_bytes() + b"0" * MAX_UPLOAD_BYTES)

    _form, errors = form_for("complaint", {"text": "zie bijlage"}, {"attachment": big})

    assert errors == {"attachment": ["The file is larger than 10 MB."]}


def test_it_refuses_an_empty_file():
    empty = SimpleUploadedFile("empty.pdf", b"")

    _form, errors = form_for("complaint", {"text": "zie bijlage"}, {"attachment": empty})

    assert errors == {"attachment": ["The submitted file is empty."]}


def test_it_accepts_a_file_of_exactly_10_mb():
    exact = SimpleUploadedFile("exact.pdf", pdf_bytes().ljust(MAX_UPLOAD_BYTES, b"\n"))

    _form, errors = form_for("complaint", {"text": "zie bijlage"}, {"attachment": exact})

    assert errors == {}


def test_it_requires_the_submission_key():
    with translation.override("en"):
        form = ResponseForm({}, response_type=ResponseType.objects.get(code="unknown_invoice"))

        assert not form.is_valid()
        assert form.errors == {"submission_key": ["This field is required."]}


def test_it_puts_service_field_errors_next_to_their_fields():
    from settle.common.errors import FieldError

    form, _errors = form_for("promise", {"promised_date": "2026-07-01"})

    form.add_field_errors([FieldError("promised_date", "Too late."), FieldError("nope", "Odd.")])

    assert form.errors["f_promised_date"] == ["Too late."]
    assert form.non_field_errors() == ["Odd."]
