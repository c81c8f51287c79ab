"""State changes of debtors, invoices and payments, one module per topic. Every caller (API, CSV
import, back office, bank import, payment provider) goes through these functions:

- `checks`: checking debtor and invoice rows before anything is written;
- `upserts`: the chunked create-or-update both debtors and invoices are written with;
- `debtors`, `invoices`: writing them (by file, by API batch; an invoice's PDF);
- `payments`: booking a payment and allocating it to invoices.
"""
