"""Helpers for the portal tests: signing a debtor in the way a browser does, and snapshots of the
whole database to prove that a request changed nothing."""

import re

from django.apps import apps
from django.test import Client
from django.urls import reverse

from settle.portal.services import portal_link_issue
from settle.receivables.models import Debtor

CSRF_FIELD_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def link_path(key: str) -> str:
    return reverse("portal:link", kwargs={"key": key})


def sign_in(client: Client, debtor: Debtor, **extra) -> str:
    """Issue a link for `debtor` and press its button in `client`; returns the raw key."""
    key = portal_link_issue(debtor=debtor).key
    response = client.post(link_path(key), **extra)
    assert response.status_code == 302, response.status_code
    assert response["Location"] == reverse("portal:home")
    return key


def without_csrf_tokens(html: str) -> str:
    """The page with its CSRF token values blanked: they differ on every render by design."""
    return CSRF_FIELD_RE.sub('name="csrfmiddlewaretoken" value=""', html)


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (through tables included), to compare before and after."""
    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.order_by("pk").values_list()
        snapshot[model._meta.label] = [tuple(map(str, row)) for row in rows]
    return snapshot


def text_of(response) -> str:
    """The body of a response, streamed or not, as text."""
    return response.getvalue().decode("utf-8", "replace")


# --- Walking every URL of the portal ---------------------------------------------------------


def portal_patterns(patterns=None, namespace: str = "portal"):
    """(route name, URLPattern) for every route of the portal urlconf, nested includes too."""
    from django.urls import URLPattern, URLResolver

    from settle.portal import urls

    for entry in urls.urlpatterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from portal_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"every portal route needs a name to be walked: {entry.pattern}"
            yield f"{namespace}:{entry.name}", entry


def path_parameters(pattern) -> dict[str, str]:
    """The route's parameters and their kind: 'int', 'str', 'slug', 'uuid' or 'path'."""
    from django.urls import converters

    kinds = {
        converters.IntConverter: "int",
        converters.StringConverter: "str",
        converters.SlugConverter: "slug",
        converters.UUIDConverter: "uuid",
        converters.PathConverter: "path",
    }
    found = getattr(pattern.pattern, "converters", None)
    if found:
        return {name: kinds.get(type(conv), "str") for name, conv in found.items()}
    # A regex route: its named groups, judged by their pattern.
    regex = pattern.pattern.regex
    numeric = r"\d" in regex.pattern or "[0-9]" in regex.pattern
    return dict.fromkeys(regex.groupindex, "int" if numeric else "str")
