"""Reading an uploaded CSV file of debtors or invoices one line at a time.

The worker reads files of millions of lines, so nothing here holds more than one line (and the
header) at once: the caller takes rows as they come and keeps what it needs of them.
"""

import csv
import itertools
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from settle.common.errors import ApplicationError, FieldError
from settle.receivables.models import ImportKind

COLUMNS = {
    ImportKind.DEBTORS: (
        "number",
        "name",
        "language",
        "email",
        "mobile",
        "street",
        "postal_code",
        "city",
        "country",
        "payment_method",
        "delivery_method",
        "active",
        "kind",
    ),
    ImportKind.INVOICES: (
        "number",
        "debtor_number",
        "issue_date",
        "due_date",
        "amount",
        "open_amount",
        "currency",
        "payment_reference",
        "collection_status",
    ),
}
REQUIRED_COLUMNS = {
    ImportKind.DEBTORS: ("number", "name"),
    ImportKind.INVOICES: ("number", "debtor_number", "issue_date", "due_date", "amount"),
}
# A longer line is no debtor or invoice; refusing it keeps a file without line ends (or a broken
# quote swallowing the rest of the file) from being read into memory whole.
MAX_LINE_BYTES = 64 * 1024
BOM = b"\xef\xbb\xbf"

# One row of the file: (line number where it starts, {column: value}, None), or
# (line number, None, the error) for a line that cannot be a row.
Row = tuple[int, dict[str, str] | None, FieldError | None]


def refusal(message: str, errors: list[FieldError] | None = None) -> ApplicationError:
    return ApplicationError(message, errors=errors or [])


def _text_lines(handle: BinaryIO) -> Iterator[str]:
    """The file's lines as text, each checked for UTF-8 and NUL on its own."""
    number = 0
    while True:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise refusal(
                _("Line %(line)d is longer than %(limit)d KB; is this a CSV file?")
                % {"line": number, "limit": MAX_LINE_BYTES // 1024}
            )
        if number == 1:
            # Excel puts a byte order mark before "CSV UTF-8" files.
            raw = raw.removeprefix(BOM)
        try:
            # A line ends at a newline byte, which never occurs inside a UTF-8 character.
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise refusal(
                _(
                    "The file is not UTF-8 text (unreadable byte on line %(line)d). "
                    "Save it as “CSV UTF-8” and upload it again."
                )
                % {"line": number}
            ) from exc
        if "\x00" in line:
            # No database column takes a NUL; refuse it here rather than fail while writing.
            raise refusal(
                _("The file is not a text file (a NUL character on line %(line)d).")
                % {"line": number}
            )
        yield line


def _columns(header: list[str], kind: str, *, line: int) -> list[str]:
    """Check the header row and return the column names in file order ('' for unnamed columns)."""
    names = [cell.strip().lower() for cell in header]
    known = COLUMNS[kind]
    if not any(name in known for name in names):
        raise refusal(
            _("The first line must be a header naming the columns, e.g.: %(columns)s.")
            % {"columns": ", ".join(known)}
        )
    errors = []
    unknown = [name for name in names if name and name not in known]
    if unknown:
        errors.append(
            FieldError(
                index=line,
                field="header",
                message=_("Unknown columns: %(unknown)s. Known columns are: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(known)},
            )
        )
    missing = [name for name in REQUIRED_COLUMNS[kind] if name not in names]
    if missing:
        errors.append(
            FieldError(
                index=line,
                field="header",
                message=_("Missing required columns: %(missing)s.")
                % {"missing": ", ".join(missing)},
            )
        )
    doubled = sorted({name for name in names if name and names.count(name) > 1})
    if doubled:
        errors.append(
            FieldError(
                index=line,
                field="header",
                message=_("Columns named more than once: %(doubled)s.")
                % {"doubled": ", ".join(doubled)},
            )
        )
    if errors:
        raise refusal(_("The header line of the file is not right."), errors)
    return names


def csv_rows(handle: BinaryIO, *, kind: str) -> Iterator[Row]:
    """Read a CSV file row by row; the header is line 1 (or the first line that is not blank).

    File-level problems (encoding, no header, wrong columns, broken quoting) raise
    ApplicationError. A line that cannot be read as a row comes back as an error, so that it is
    reported with all the others.
    """
    lines = _text_lines(handle)
    skipped = []
    for line in lines:
        skipped.append(line)
        if line.strip():
            break
    else:
        raise refusal(_("The file is empty."))
    header_text = skipped[-1]
    # Semicolon (what Excel writes in Dutch settings) or comma, whichever the header uses more.
    delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
    reader = csv.reader(itertools.chain(skipped, lines), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise refusal(_("The file is empty."))
        header_line = reader.line_num
        names = _columns(header, kind, line=header_line)
        width = len(names)
        named = [(i, name) for i, name in enumerate(names) if name]
        plain = len(named) == width
        line = header_line
        for row in reader:
            # A quoted value may span lines: the row starts after the previous row's last line.
            start = line + 1
            line = reader.line_num
            if len(row) != width:
                if not row or not any(cell.strip() for cell in row):
                    continue  # blank lines are no rows
                if len(row) < width or any(cell.strip() for cell in row[width:]):
                    yield (
                        start,
                        None,
                        FieldError(
                            index=start,
                            field="",
                            message=_("Expected %(expected)d values, found %(found)d.")
                            % {"expected": width, "found": len(row)},
                        ),
                    )
                    continue
            if plain:
                yield start, dict(zip(names, row)), None  # noqa: B905 (may be longer)
            else:
                yield start, {name: row[i] for i, name in named}, None
    except csv.Error as exc:
        # After a broken quote the reader cannot tell where rows begin, so stop here.
        raise refusal(
            _("The file cannot be read as CSV."),
            [
                FieldError(
                    index=reader.line_num,
                    field="",
                    message=_("This line is not valid CSV: %(reason)s.") % {"reason": exc},
                )
            ],
        ) from exc
