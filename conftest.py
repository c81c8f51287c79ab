"""The standard cast: debtors alice and carol (who must never see alice's data), employee bob,
administrator dave."""

import os
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache

from settle.receivables.tests.factories import DebtorFactory

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (test users only)

# Data migrations whose rows every test expects (collection statuses, default response types).
SEED_MIGRATIONS = [
    "settle.receivables.migrations.0002_collection_statuses",
    "settle.responses.migrations.0002_default_types",
    "settle.correspondence.migrations.0003_default_templates",
]


@pytest.fixture(autouse=True)
def _seeded_after_flush(request):
    """Transactional tests (live server, threads) empty every table when they end, the rows of
    data migrations too; the next one gets them back. The seeds are idempotent."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "live_server" in request.fixturenames or "transactional_db" in request.fixturenames
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        for name in SEED_MIGRATIONS:
            import_module(name).seed(apps, None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counts live in the cache, which outlives a test's rolled-back database: each
    test starts without the failures of the tests before it."""
    cache.clear()


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Test users' passwords hashed the fast way: the production hasher's deliberate slowness
    is about a quarter second for every employee a test signs in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db):
    return DebtorFactory(number="D-ALICE", name="Alice Jansen", email="alice@example.test")


@pytest.fixture
def carol(db):
    return DebtorFactory(
        number="D-CAROL", name="Carol Smith", language="en", email="carol@example.test"
    )


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user(
        username="bob", password=PASSWORD, is_staff=True, first_name="Bob"
    )


@pytest.fixture
def dave(django_user_model):
    return django_user_model.objects.create_user(
        username="dave", password=PASSWORD, is_staff=True, is_superuser=True, first_name="Dave"
    )


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


@pytest.fixture
def dave_client(client, dave):
    client.force_login(dave)
    return client


# --- Browser tests: Playwright driving Debian's Chromium -------------------------------------

CHROMIUM = os.environ.get("SETTLE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """A running Chromium; skipped with a reason where there is none, failed if CI demands one."""
    required = os.environ.get("SETTLE_REQUIRE_BROWSER") == "1"
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            problem = "playwright is not installed (pip install -e .[dev])"
    if problem:
        if required:
            pytest.fail(f"SETTLE_REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(problem)
    # Playwright's sync API keeps an event loop on this thread; the ORM calls that the test makes
    # between browser steps are ordinary blocking calls and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser context (no cookies) and page; `page.base` is the live server's URL."""
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base = live_server.url
    yield tab
    context.close()
