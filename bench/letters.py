"""Benchmark: 500 one-page payment letters to PDF, against WeasyPrint rendering one fixed page.

    python bench/letters.py

Needs no database: the letters are made from plain values (see `settle_letters`).

Measured, each in this one process (so per core; a worker process makes letters one at a time):
1. floor   - WeasyPrint's `write_pdf()` of one fixed letter 500 times: the same layout, CSS and
             size, its EPC QR code already embedded, with WeasyPrint's own URL fetcher. This is
             the least any letter of this kind can cost.
2. Settle  - 500 different letters (debtor, address, amount, reference): `letter_html` (the
             Django template, dates and amounts in the debtor's language, a new EPC QR code),
             then `letter_pdf` (WeasyPrint with Settle's fetcher that loads only its own files).
Reported: letters per second of both and Settle / floor (goal >= 80 %).

`settle_letters(n)` at the top is the path under test: it is the one function to replace when
letters come from the outbox (template rendering and the delivery step included).
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date
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
BODY = (
    "<p>Geachte heer/mevrouw {surname},</p>"
    "<p>Volgens onze administratie staat factuur {invoice} van {amount} nog open. De "
    "betaaltermijn is verstreken. Wij verzoeken u het bedrag binnen 14 dagen over te maken, "
    "met vermelding van het betalingskenmerk. Heeft u inmiddels betaald, dan kunt u deze brief "
    "als niet verzonden beschouwen.</p>"
    "<p>Kunt u niet in één keer betalen? Neem dan contact met ons op; wij maken graag een "
    "betalingsregeling met u.</p>"
    "<p>Met vriendelijke groet,</p><p>Afdeling Debiteuren</p>"
)


# --- the path under test ----------------------------------------------------------------------


def settle_letters(n: int, start: int = 0) -> list[bytes]:
    """Settle's part: `n` different letters (debtors start to start + n) from values to PDF, one
    after another."""
    from settle.correspondence.letters import letter_html, letter_pdf

    return [letter_pdf(letter_html(**values)) for values in letter_values(n, start)]


# --- data -------------------------------------------------------------------------------------


def creditor_reference(body: str) -> str:
    digits = "".join(str(int(c, 36)) for c in f"{body}RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def letter_values(n: int, start: int = 0) -> list[dict]:
    """Arguments of `letter_html` for debtors start to start + n: names, addresses, amounts and
    references differ; half pay with an RF creditor reference, half with a Dutch 16-digit one,
    one in ten reads English."""
    from settle.correspondence.letters import Payment, Recipient, Sender

    rng = random.Random(SEED + start)
    sender = Sender(
        name="Gemeente Voorbeeld",
        address_lines=("Postbus 123", "3500 AA  Utrecht"),
        email="debiteuren@voorbeeld.nl",
        phone="030 123 45 67",
        website="www.voorbeeld.nl",
        iban="NL91 ABNA 0417 1643 00",
        bic="ABNANL2A",
    )
    values = []
    for i in range(start, start + n):
        surname = rng.choice(SURNAMES)
        postal, town = rng.choice(TOWNS)
        amount = Decimal(rng.randint(500, 250_000)) / 100
        invoice = f"2026-{i + 1:05d}"
        if i % 2:
            reference = f"{rng.randrange(10**15, 10**16)}"
        else:
            reference = creditor_reference(f"2026{i + 1:05d}")
        language = "en" if i % 10 == 9 else "nl"
        values.append(
            {
                "body_html": BODY.format(surname=surname, invoice=invoice, amount=f"€ {amount}"),
                "sender": sender,
                "recipient": Recipient(
                    name=f"{rng.choice(FIRST_NAMES)} {surname}",
                    address_lines=(
                        f"{rng.choice(STREETS)} {rng.randint(1, 250)}",
                        f"{postal} {rng.choice('ABCDEFGH')}{rng.choice('JKLMNPRS')}  {town}",
                    ),
                ),
                "letter_date": LETTER_DATE,
                "subject": f"Herinnering factuur {invoice}",
                "reference": invoice,
                "payment": Payment(amount=amount, reference=reference),
                "language": language,
            }
        )
    return values


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
        from settle.correspondence.letters import letter_html

        fixed_html = letter_html(**letter_values(1)[0])
        # Fonts, Pango and the template load on first use: not part of either figure.
        floor_letters(fixed_html, 3)
        settle_letters(3)
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
        ("Settle: letter_html + EPC QR + letter_pdf", settle),
    ):
        print(f"{label:<52}{seconds:>9.2f}{LETTERS / seconds:>11.1f}")
    ratio = floor / settle
    verdict = "OK" if ratio >= GOAL else "BELOW GOAL"
    print(f"ratio Settle / floor: {ratio:.0%} (goal >= {GOAL:.0%}: {verdict})")


if __name__ == "__main__":
    main()
