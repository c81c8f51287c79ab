"""The OpenAPI document against the server: schemathesis over every operation, with every check.

Each case is generated from the document (valid input and, in negative mode, input the document
forbids) and sent to the WSGI application in this process. A request the document allows must be
accepted, one it forbids refused, and every answer must be one the document describes; so this
test fails whenever the document and the server disagree.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from settle.receivables.tests.factories import DebtorFactory, InvoiceFactory

# Enough to reach every constraint of the document, few enough to stay well under a minute.
EXAMPLES_PER_OPERATION = 25
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
# What the document means by an application/pdf body: the server judges it by its content.
schemathesis.openapi.media_type("application/pdf", st.just(PDF))


@pytest.fixture
def wsgi_app(settings):
    """The site as a WSGI application that keeps the test's database transaction open.

    Django closes stale connections at the start and end of every request; inside the test's
    transaction that would throw away the data, so (like Django's test client) not here.
    """
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, settings, wsgi_app, api_key):
    _row, key = api_key
    # The ignored_auth check sends wrong keys; the address must not be shut out for them.
    settings.SETTLE_API_FAILED_KEYS_PER_MINUTE = 1_000_000
    cache.clear()
    # A debtor and an invoice to find, so reads answer 200 as well as 404.
    debtor = DebtorFactory(number="D-1")
    InvoiceFactory(number="INV-1", debtor=debtor)
    config = schemathesis.Config.from_dict(
        {
            "seed": 10,
            "headers": {"Authorization": f"Bearer {key}"},
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
            },
            # Every check; a response time limit too, generous enough for a busy CI machine.
            "checks": {"enabled": True, "max_response_time": 10},
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_it_answers_as_its_openapi_document_says(case):
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        _keep_the_rules_the_document_states_in_words(case)
    case.call_and_validate()


def _keep_the_rules_the_document_states_in_words(case) -> None:
    """Make a valid case also meet the rules that JSON Schema cannot state and the document
    gives in its descriptions: references to rows that exist, order between fields, a PDF.
    What the document states in its schemas is left to schemathesis."""
    operation = (case.method.upper(), case.path)
    body = case.body
    if operation == ("PUT", "/api/v1/debtors") and isinstance(body, list):
        seen = set()
        items = []
        for item in body:
            if item["number"] not in seen:  # a batch names each debtor once
                seen.add(item["number"])
                if item.get("mobile"):
                    item["mobile"] = "+31612345678"  # a valid number, in whatever notation
                items.append(item)
        case.body = items
    elif operation == ("PUT", "/api/v1/invoices") and isinstance(body, list):
        seen = set()
        items = []
        for item in body:
            if item["number"] not in seen:
                seen.add(item["number"])
                item["debtor_number"] = "D-1"
                item["issue_date"], item["due_date"] = sorted(
                    [item["issue_date"], item["due_date"]]
                )
                if item.get("open_amount") is not None:
                    item["open_amount"] = item["amount"]
                items.append(item)
        case.body = items
    elif operation == ("PUT", "/api/v1/invoices/{number}/document"):
        if case.media_type == "application/pdf":  # a PDF (see above), for an invoice that exists
            case.path_parameters = {"number": "INV-1"}
    elif operation == ("POST", "/api/v1/dunning-runs") and isinstance(body, dict):
        # A group that exists (a default one, by name) and an invoice that does.
        body["group"] = "Herinnering 1"
        body["invoice_numbers"] = ["INV-1"]
    elif operation == ("POST", "/api/v1/payments") and isinstance(body, dict):
        if body.get("debtor_number") is not None:
            body["debtor_number"] = "D-1"
        body["allocations"] = []
