"""The console of `make run` speaks one language, English like the README, whatever the
organisation's language (LANGUAGE_CODE is Dutch)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from settle.portal.management.commands.portal_link import Command as PortalLinkCommand

pytestmark = pytest.mark.django_db


def console(*args) -> str:
    out = StringIO()
    # What a management command runs under: the organisation's language, Dutch by default.
    with translation.override("nl"):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_it_prints_the_demo_logins_and_the_portal_link_in_english():
    loaded = console("demo")
    again = console("demo", "--reset-passwords")
    link = console("portal_link", "DEMO-1001")

    assert "Demo data loaded:" in loaded
    for out in (loaded, again):
        assert "Back office: " in out
        assert "  Employee:      " in out
        assert "  Administrator: " in out
    assert link.startswith("Portal link for DEMO-1001 ")
    assert ", valid until " in link
    for dutch in ("Backoffice", "Medewerker", "Portaallink", "geldig tot"):
        assert dutch not in loaded + again + link


def test_it_gives_the_help_of_portal_link_in_english():
    with translation.override("nl"):
        text = PortalLinkCommand().create_parser("settle", "portal_link").format_help()

    assert "Create a portal link for a debtor" in text
    assert "The debtor's number." in text
