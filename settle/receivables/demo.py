"""Demo data of receivables: an organisation's debtors, invoices and payments.

Everything is drawn from one fixed seed and placed relative to today, so every load gives the same
debtors and amounts, with invoices in every state (not yet due, a few days late, months late,
partly paid, paid) and every collection status. All of it goes in through the same services as
an import or a payment would. The demo as a whole (these rows, the organisation, the users and the
debtors' responses) is composed above every app, in settle.backoffice.demo.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from settle.common.errors import ApplicationError
from settle.receivables.models import Debtor, PaymentSource
from settle.receivables.services.checks import debtor_records_check, invoice_records_check
from settle.receivables.services.debtors import debtors_upsert
from settle.receivables.services.invoices import invoices_upsert
from settle.receivables.services.payments import payment_book

SEED = 8142
INVOICE_COUNT = 200
# The first demo debtor; if it exists, the demo data has been loaded.
MARKER_NUMBER = "DEMO-1001"
CENT = Decimal("0.01")

# name, person?, language, country (NL unless given), delivery method
DEBTORS = [
    ("Bakkerij De Gouden Korst B.V.", False, "nl", "NL", "email"),
    ("Installatiebedrijf Van Dijk & Zn.", False, "nl", "NL", "email"),
    ("Bloemenhandel Het Zonnetje", False, "nl", "NL", "post"),
    ("Transportbedrijf Mulder B.V.", False, "nl", "NL", "email"),
    ("Fietsenwinkel De Spaak", False, "nl", "NL", "sms"),
    ("Eetcafé De Blauwe Brug", False, "nl", "NL", "email"),
    ("Schildersbedrijf Kok V.O.F.", False, "nl", "NL", "post"),
    ("Kinderopvang Het Speelkwartier", False, "nl", "NL", "email"),
    ("Tandartspraktijk Zuidpark", False, "nl", "NL", "email"),
    ("Hoveniersbedrijf Groen & Zo", False, "nl", "NL", "sms"),
    ("Drukkerij Van der Linden B.V.", False, "nl", "NL", "email"),
    ("Autobedrijf De Vries", False, "nl", "NL", "post"),
    ("Kapsalon Knip & Krul", False, "nl", "NL", "sms"),
    ("Adviesbureau Meijer & Bos", False, "nl", "NL", "email"),
    ("Boekhandel De Leeshoek", False, "nl", "NL", "email"),
    ("Zorgboerderij De Hooiberg", False, "nl", "NL", "post"),
    ("Stichting Buurthuis De Schakel", False, "nl", "NL", "email"),
    ("Loodgietersbedrijf Bakker", False, "nl", "NL", "email"),
    ("Slagerij Visser", False, "nl", "NL", "email"),
    ("Yogastudio Ademruimte", False, "nl", "NL", "email"),
    ("Brouwerij Het Kromme Vat BV", False, "nl", "BE", "email"),
    ("Bluebell Software B.V.", False, "en", "NL", "email"),
    ("Atlas Expat Services B.V.", False, "en", "NL", "email"),
    ("Brightwater Analytics B.V.", False, "en", "NL", "email"),
    ("Harbour Lane Consulting Ltd", False, "en", "GB", "email"),
    ("Thistle & Rose Events Ltd", False, "en", "GB", "post"),
    ("Greenfield Logistics GmbH", False, "en", "DE", "email"),
    ("Sanne de Boer", True, "nl", "NL", "email"),
    ("Pieter van Leeuwen", True, "nl", "NL", "post"),
    ("Fatima El Amrani", True, "nl", "NL", "sms"),
    ("Henk Schouten", True, "nl", "NL", "post"),
    ("Marieke Smit", True, "nl", "NL", "email"),
    ("Daan Hendriks", True, "nl", "NL", "sms"),
    ("Ingrid Vermeulen", True, "nl", "NL", "email"),
    ("Kees Dekker", True, "nl", "NL", "email"),
    ("Oliver Bennett", True, "en", "NL", "email"),
    ("Emma Clarke", True, "en", "NL", "sms"),
    ("Priya Sharma", True, "en", "NL", "email"),
    ("Sophie Whitfield", True, "en", "NL", "email"),
    ("Liam O'Connor", True, "en", "IE", "email"),
]

# city, lowest and highest four-digit postal code
NL_CITIES = [
    ("Utrecht", 3511, 3585),
    ("Amsterdam", 1011, 1109),
    ("Rotterdam", 3011, 3089),
    ("Den Haag", 2511, 2597),
    ("Groningen", 9711, 9747),
    ("Eindhoven", 5611, 5658),
    ("Zwolle", 8011, 8043),
    ("Haarlem", 2011, 2036),
    ("Leiden", 2311, 2334),
    ("Nijmegen", 6511, 6546),
    ("Amersfoort", 3811, 3829),
    ("Deventer", 7411, 7439),
]
NL_STREETS = [
    "Kerkstraat",
    "Dorpsstraat",
    "Molenweg",
    "Stationsplein",
    "Nieuwe Gracht",
    "Julianalaan",
    "Beatrixstraat",
    "Industrieweg",
    "Havenkade",
    "Lindenlaan",
    "Marktplein",
    "Schoolstraat",
    "Wilhelminastraat",
    "Koningsweg",
    "Prinsengracht",
]
POSTCODE_LETTERS = "ABCEGHJKLMNPRTVWXZ"
# street, postal code, city of the debtors abroad; mobile numbers by country: prefix, digits
ABROAD = {
    "Brouwerij Het Kromme Vat BV": ("Kammenstraat 41", "2000", "Antwerpen"),
    "Harbour Lane Consulting Ltd": ("14 Harbour Lane", "BS1 6QA", "Bristol"),
    "Thistle & Rose Events Ltd": ("22 Rose Street", "EH2 2PR", "Edinburgh"),
    "Greenfield Logistics GmbH": ("Kaiserstraße 27", "40479", "Düsseldorf"),
    "Liam O'Connor": ("8 Merrion Row", "D02 X285", "Dublin"),
}
MOBILE_PREFIXES = {"BE": ("+3247", 7), "GB": ("+4478", 8), "DE": ("+49151", 8), "IE": ("+35385", 7)}
PAYMENT_TERMS = {False: 30, True: 14}

# How late an invoice is, as (share, lowest, highest days past its due date); negative: not due yet.
LATENESS = [(30, -29, -1), (20, 1, 14), (25, 15, 60), (25, 61, 270)]


@dataclass
class _Invoice:
    debtor: int
    issue_date: date
    due_date: date
    amount: Decimal
    status: str
    paid: Decimal = Decimal("0.00")
    paid_on: date | None = None
    number: str = ""


def demo_is_loaded() -> bool:
    return Debtor.objects.filter(number=MARKER_NUMBER).exists()


@dataclass
class DemoReceivables:
    debtors: int
    invoices: int
    payments: int


def demo_receivables_load(*, today: date) -> DemoReceivables:
    """Load the demo's debtors, invoices and payments (through the receivables services).

    The caller checks `demo_is_loaded()` first and runs this in its transaction: a second load
    would book the payments again.
    """
    rng = random.Random(SEED)
    debtor_items = _debtor_items(rng)
    plain = [{k: v for k, v in d.items() if not k.startswith("_")} for d in debtor_items]
    records, errors = debtor_records_check(enumerate(plain))
    if errors:
        raise ApplicationError("demo debtors do not pass the check", errors=errors)
    debtors_upsert(records=records)
    invoices = _invoices(rng, debtor_items, today=today)
    invoice_records, errors = invoice_records_check(
        enumerate(_invoice_items(invoices, debtor_items))
    )
    if errors:
        raise ApplicationError("demo invoices do not pass the check", errors=errors)
    invoices_upsert(records=invoice_records)
    payments = _payments_book(rng, invoices, debtor_items)
    return DemoReceivables(debtors=len(debtor_items), invoices=len(invoices), payments=payments)


def _slug(name: str) -> str:
    plain = name.lower().replace("é", "e").replace("&", " ")
    return "".join(c for c in plain if c.isalnum() or c == " ")


def _email(name: str, person: bool, language: str) -> str:
    domain = "example.nl" if language == "nl" else "example.com"
    words = _slug(name).split()
    if person:
        return f"{words[0]}.{''.join(words[1:])}@{domain}"
    skip = {"bv", "b", "v", "zn", "vof", "ltd", "gmbh", "het", "de", "en", "zo"}
    return f"{''.join(w for w in words if w not in skip)[:30]}@{domain}"


def _debtor_items(rng: random.Random) -> list[dict]:
    items = []
    for position, (name, person, language, country, delivery) in enumerate(DEBTORS):
        if country == "NL":
            city, low, high = rng.choice(NL_CITIES)
            letters = "".join(rng.choice(POSTCODE_LETTERS) for _ in range(2))
            suffix = rng.choice(["", "", "", "a", "b"])
            street = f"{rng.choice(NL_STREETS)} {rng.randint(1, 180)}{suffix}"
            postal_code = f"{rng.randint(low, high)} {letters}"
            mobile = f"+316{rng.randint(1, 5)}{rng.randrange(10**7):07d}"
        else:
            street, postal_code, city = ABROAD[name]
            prefix, digits = MOBILE_PREFIXES[country]
            mobile = f"{prefix}{rng.randrange(10**digits):0{digits}d}"
        has_mobile = delivery == "sms" or rng.random() < (0.7 if person else 0.3)
        if person:
            method = rng.choices(["bank_transfer", "direct_debit", "online"], [4, 3, 3])[0]
        else:
            method = rng.choices(["bank_transfer", "direct_debit", "online"], [7, 2, 1])[0]
        items.append(
            {
                "number": f"DEMO-{1001 + position}",
                "name": name,
                "language": language,
                "email": _email(name, person, language),
                "mobile": mobile if has_mobile else "",
                "street": street,
                "postal_code": postal_code,
                "city": city,
                "country": country,
                "payment_method": method,
                "delivery_method": delivery,
                "active": True,
                # People are consumers (the 14-day letter and statutory costs); firms businesses.
                "kind": "consumer" if person else "business",
                "_person": person,
            }
        )
    return items


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _status(days_late: int, rng: random.Random, *, person: bool = False) -> str:
    if days_late <= 7:
        return "open"
    if days_late <= 14:
        return rng.choice(["open", "reminder_1"])
    if days_late <= 30:
        return "reminder_1"
    if days_late <= 60:
        return "reminder_2"
    if days_late <= 120:
        # A consumer is sent the statutory 14-day letter where a business gets a final notice.
        return "fourteen_day_letter" if person else "final_notice"
    return rng.choice(["final_notice", "collection_agency", "collection_agency"])


def _invoices(rng: random.Random, debtors: list[dict], *, today: date) -> list[_Invoice]:
    # Every debtor has at least one invoice; companies are likelier to have many.
    weights = [1 if d["_person"] else 3 for d in debtors]
    owners = list(range(len(debtors)))
    owners += rng.choices(range(len(debtors)), weights, k=INVOICE_COUNT - len(debtors))
    invoices = []
    for owner in owners:
        person = debtors[owner]["_person"]
        _share, low, high = rng.choices(LATENESS, [share for share, *_ in LATENESS])[0]
        term = PAYMENT_TERMS[person]
        days_late = rng.randint(max(low, -term + 1), high)
        due = today - timedelta(days=days_late)
        issue = due - timedelta(days=term)
        if person:
            amount = _money(rng.uniform(12, 350))
        else:
            base = rng.choice([60, 120, 250, 480, 900, 1800, 3600]) * rng.uniform(0.7, 1.3)
            amount = _money(base * 1.21)  # with 21 % VAT
        invoice = _Invoice(owner, issue, due, amount, _status(days_late, rng, person=person))
        outcome = rng.random()
        # Few invoices are paid before they are due; of the later ones, more.
        full, partly = (0.10, 0.05) if days_late < 0 else (0.25, 0.18)
        if outcome < full:
            # Paid in full some day between the invoice and today; chasing stopped there.
            invoice.paid_on = issue + timedelta(days=rng.randint(1, max((today - issue).days, 1)))
            invoice.paid = amount
            invoice.status = _status((invoice.paid_on - due).days, rng, person=person)
        elif outcome < full + partly:
            invoice.paid_on = issue + timedelta(days=rng.randint(1, max((today - issue).days, 1)))
            invoice.paid = _money(float(amount) * rng.choice([0.2, 0.25, 0.4, 0.5, 0.6]))
        invoices.append(invoice)
    invoices.sort(key=lambda i: (i.issue_date, i.debtor, i.amount))
    per_year: dict[int, int] = {}
    for invoice in invoices:
        year = invoice.issue_date.year
        per_year[year] = per_year.get(year, 0) + 1
        invoice.number = f"{year}-{per_year[year]:04d}"
    return invoices


def _creditor_reference(number: str) -> str:
    """An ISO 11649 (RF) creditor reference for the invoice number, as a bank would check it."""
    body = number.replace("-", "")
    digits = "".join(str(int(c, 36)) for c in f"{body}RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def _invoice_items(invoices: list[_Invoice], debtors: list[dict]) -> list[dict]:
    return [
        {
            "number": invoice.number,
            "debtor_number": debtors[invoice.debtor]["number"],
            "issue_date": invoice.issue_date,
            "due_date": invoice.due_date,
            "amount": str(invoice.amount),
            "open_amount": str(invoice.amount),
            "currency": "EUR",
            "payment_reference": _creditor_reference(invoice.number),
            "collection_status": invoice.status,
        }
        for invoice in invoices
    ]


def _payments_book(rng: random.Random, invoices: list[_Invoice], debtors: list[dict]) -> int:
    debtor_objects = {d.number: d for d in Debtor.objects.filter(number__startswith="DEMO-")}
    paid = sorted((i for i in invoices if i.paid), key=lambda i: (i.paid_on, i.number))
    count = 0
    for sequence, invoice in enumerate(paid, start=1):
        debtor = debtors[invoice.debtor]
        method = debtor["payment_method"]
        if method == "online":
            source, reference = PaymentSource.PSP, f"tr_{rng.getrandbits(40):010x}"
        elif method == "direct_debit":
            reference = f"INCASSO-{invoice.paid_on:%Y%m%d}-{sequence:03d}"
            source = PaymentSource.BANK
        else:
            source, reference = rng.choices(
                [
                    (PaymentSource.BANK, f"BANK-{invoice.paid_on:%Y%m%d}-{sequence:03d}"),
                    (PaymentSource.ERP, f"ERP-{100000 + sequence}"),
                    (PaymentSource.MANUAL, ""),
                ],
                [6, 2, 1],
            )[0]
        payment_book(
            amount=invoice.paid,
            date=invoice.paid_on,
            source=source,
            reference=reference,
            debtor=debtor_objects[debtor["number"]],
            allocations=[(invoice.number, invoice.paid)],
        )
        count += 1
    return count
