"""Benchmark: 500 one-page payment letters to PDF, against WeasyPrint rendering one fixed page.

    python bench/letters.py

Uses a new SQLite database in a temporary folder (letters cost the same on any database).

Measured, each in this one process (so per core; a worker process makes letters one at a time):
1. floor   - WeasyPrint's `write_pdf()` of one fixed letter 500 times: the same layout, CSS and
             size, its EPC QR code already embedded, with WeasyPrint's own URL fetcher. This is
             the least any letter of this kind can cost.
2. Settle  - the first reminder by letter to 500 different debtors (name, address, language,
             amount, reference) through the outbox: `message_send` (the stored template, the
             letter layout, dates and amounts in the debtor's language, a new EPC QR code) and
             the worker's delivery (WeasyPrint with Settle's fetcher, the PDF stored).
Reported: letters per second of both and Settle / floor (goal >= 80 %).

`settle_letters(n)` at the top is the path under test.
"""

import argparse
import itertools
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

LETTERS = int(os.environ.get("BENCH_LETTERS", "500"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "1"))
BATCH = 25
GOAL = 0.80
SEED = 20261207
LETTER_DATE = date(2026, 12, 7)
FIRST_NAMES = ["Anna", "Bram", "Carla", "Daan", "Eva", "Finn", "Greet", "Hugo", "Iris", "Joost"]
SURNAMES = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "Mulder"]
STREETS = ["Dorpsstraat", "Kerkweg", "Molenlaan", "Stationsplein", "Oude Gracht", "Lindelaan"]
TOWNS = [("3511", "Utrecht"), ("1012", "Amsterdam"), ("3811", "Amersfoort"), ("9711", "Groningen")]


# --- the path under test ----------------------------------------------------------------------

_RUNS = itertools.count()


def settle_letters(n: int, start: int = 0) -> list[bytes]:
    """Settle's whole path for the first reminder by letter to `n` debtors (start to start + n):
    `message_send` (the stored template rendered in the debtor's language, the letter layout, a
    new EPC QR code, the outbox row), then the worker's delivery (`messages_process_due`: the
    PDF made with Settle's fetcher and stored). Returns the stored PDFs."""
    from settle.correspondence.delivery import messages_process_due
    from settle.correspondence.kinds import Kind
    from settle.correspondence.models import Channel, Message
    from settle.correspondence.services import message_send
    from settle.receivables.models import Debtor

    run = next(_RUNS)
    numbers = [debtor_number(i) for i in range(start, start + n)]
    ids = [
        message_send(
            kind=Kind.REMINDER_1,
            channel=Channel.LETTER,
            debtor=debtor,
            cause="bench",
            idempotency_key=f"bench:{run}:{debtor.number}",
        ).pk
        for debtor in Debtor.objects.filter(number__in=numbers).order_by("number")
    ]
    while messages_process_due():
        pass
    messages = Message.objects.in_bulk(ids)
    pdfs = []
    for pk in ids:
        with messages[pk].pdf.open("rb") as handle:
            pdfs.append(handle.read())
    return pdfs


# --- data -------------------------------------------------------------------------------------


def creditor_reference(body: str) -> str:
    digits = "".join(str(int(c, 36)) for c in f"{body}RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def debtor_number(i: int) -> str:
    return f"D-{i + 1:05d}"


def data_load(n: int) -> None:
    """The organisation and `n` debtors with one open invoice each: names, addresses, amounts and
    references differ; half pay with an RF creditor reference, half with a Dutch 16-digit one, one
    in ten reads English."""
    from django.core.management import call_command

    from settle.correspondence.configuration import organisation_update
    from settle.receivables.models import Debtor, Invoice

    call_command("migrate", verbosity=0)
    organisation_update(
        values={
            "name": "Gemeente Voorbeeld",
            "street": "Postbus 123",
            "postal_code": "3500 AA",
            "city": "Utrecht",
            "email": "debiteuren@voorbeeld.nl",
            "phone": "030 123 45 67",
            "website": "www.voorbeeld.nl",
            "iban": "NL91 ABNA 0417 1643 00",
            "bic": "ABNANL2A",
        }
    )
    rng = random.Random(SEED)
    debtors, invoices = [], []
    for i in range(n):
        surname = rng.choice(SURNAMES)
        postal, town = rng.choice(TOWNS)
        debtors.append(
            Debtor(
                number=debtor_number(i),
                name=f"{rng.choice(FIRST_NAMES)} {surname}",
                language="en" if i % 10 == 9 else "nl",
                street=f"{rng.choice(STREETS)} {rng.randint(1, 250)}",
                postal_code=f"{postal} {rng.choice('ABCDEFGH')}{rng.choice('JKLMNPRS')}",
                city=town,
            )
        )
    Debtor.objects.bulk_create(debtors)
    for i, debtor in enumerate(Debtor.objects.order_by("number")):
        amount = Decimal(rng.randint(500, 250_000)) / 100
        reference = (
            f"{rng.randrange(10**15, 10**16)}" if i % 2 else creditor_reference(f"2026{i + 1:05d}")
        )
        invoices.append(
            Invoice(
                number=f"2026-{i + 1:05d}",
                debtor=debtor,
                issue_date=LETTER_DATE - timedelta(days=44),
                due_date=LETTER_DATE - timedelta(days=14),
                amount=amount,
                open_amount=amount,
                payment_reference=reference,
            )
        )
    Invoice.objects.bulk_create(invoices)


# --- measuring --------------------------------------------------------------------------------


def floor_letters(html: str, n: int) -> list[bytes]:
    """The floor: one fixed page, rendered `n` times by WeasyPrint alone."""
    import weasyprint

    return [weasyprint.HTML(string=html).write_pdf() for _ in range(n)]


def timed(function, *args) -> tuple[float, list[bytes]]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def check(pdfs: list[bytes]) -> None:
    """Every letter is one A4 page (a letter that grew a second page would skew the figures)."""
    import io

    from pypdf import PdfReader

    assert len(pdfs) == LETTERS, len(pdfs)
    for pdf in (pdfs[0], pdfs[len(pdfs) // 2], pdfs[-1]):
        pages = PdfReader(io.BytesIO(pdf)).pages
        assert len(pages) == 1, len(pages)
        assert round(float(pages[0].mediabox.width)) == 595, pages[0].mediabox


def django_setup(var_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
    os.environ["SETTLE_VAR_DIR"] = var_dir
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir}/bench.sqlite3")
    # WeasyPrint logs every step of every page at INFO.
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the Settle letters")
    args = parser.parse_args()
    print(f"letters: {LETTERS} one-page letters with an EPC QR code, one process", flush=True)
    with tempfile.TemporaryDirectory(prefix="settle-bench-letters-") as var_dir:
        django_setup(var_dir)
        from settle.correspondence.models import Message

        data_load(LETTERS)
        # Fonts, Pango and the templates load on first use: not part of either figure. The
        # floor's fixed page is a letter Settle wrote: the same layout, CSS, QR code and size.
        settle_letters(3)
        fixed_html = Message.objects.order_by("pk").first().body_html
        floor_letters(fixed_html, 3)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(settle_letters, LETTERS)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
            return
        runs = [measure(fixed_html) for _ in range(REPEAT)]
    report(*min(runs, key=lambda run: run[0] / run[1]))


def measure(fixed_html: str) -> tuple[float, float]:
    """Seconds for LETTERS letters of the floor and of Settle. The two take turns in batches, so
    whatever else the machine does in the meantime slows both alike."""
    floor = settle = 0.0
    floor_pdfs, settle_pdfs = [], []
    for start in range(0, LETTERS, BATCH):
        size = min(BATCH, LETTERS - start)
        seconds, pdfs = timed(floor_letters, fixed_html, size)
        floor += seconds
        floor_pdfs += pdfs
        seconds, pdfs = timed(settle_letters, size, start)
        settle += seconds
        settle_pdfs += pdfs
    check(floor_pdfs)
    check(settle_pdfs)
    return floor, settle


def report(floor: float, settle: float) -> None:
    print(f"best of {REPEAT} run(s), in turns of {BATCH}; {os.cpu_count()} cores, one used")
    print(f"{'':<52}{'seconds':>9}{'letters/s':>11}")
    for label, seconds in (
        ("floor: WeasyPrint, one fixed letter", floor),
        ("Settle: message_send + the worker's delivery", settle),
    ):
        print(f"{label:<52}{seconds:>9.2f}{LETTERS / seconds:>11.1f}")
    ratio = floor / settle
    verdict = "OK" if ratio >= GOAL else "BELOW GOAL"
    print(f"ratio Settle / floor: {ratio:.0%} (goal >= {GOAL:.0%}: {verdict})")


if __name__ == "__main__":
    main()
