"""Every back-office page that only shows something refuses to be posted to (405), and every
page that changes something is listed here as such. The list is walked from the URL resolver,
so a new view is checked the day it is routed: a read-only one without `@require_GET` fails."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The routes that change something when posted to. Those that also show a page on GET (a form
# with its errors on the same URL) are in SHOWN_AND_POSTED; the rest refuse GET.
SHOWN_AND_POSTED = {
    "login",
    "import_list",
    "response_type_edit",
    "portal_settings_other",
    "template_edit",
    "organisation_settings",
    "settings_dunning_action_edit",
    "settings_dunning_schedule_create",
    "settings_dunning_schedule",
    "settings_dunning_rates",
}
POSTED_ONLY = {
    "logout",
    "task_take",
    "task_assign",
    "task_complete",
    "response_close",
    "portal_link_create",
    "portal_links_revoke_all",
    "portal_link_revoke",
    "message_retry",
    "debtor_send_message",
    "template_reset",
    "template_preview",
    "template_preview_pdf",
    "settings_signin_unlock",
    "arrangement_accept",
    "arrangement_reject",
    "arrangement_end",
    "dunning_confirm",
    "dunning_start",
    "settings_dunning_group_create",
    "settings_dunning_group_rename",
    "settings_dunning_group_delete",
    "settings_dunning_action_add",
    "settings_dunning_action_move",
    "settings_dunning_action_delete",
    "settings_dunning_schedule_deactivate",
    "dunning_hold_create",
    "dunning_hold_lift",
}


def _walk(patterns) -> list[URLPattern]:
    """The plain routes of `patterns`, those of included URLconfs too."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_walk(pattern.url_patterns))
        else:
            found.append(pattern)
    return found


def _backoffice_urls() -> list[str]:
    """The name and a URL (with 1 for every argument) of every route of the back office."""
    patterns = next(
        entry
        for entry in get_resolver().url_patterns
        if getattr(entry, "namespace", None) == "backoffice"
    ).url_patterns
    routes = []
    for pattern in _walk(patterns):
        # The included URLconfs' prefixes ("dunning/") take no arguments of their own.
        arguments = dict.fromkeys(pattern.pattern.regex.groupindex, 1)
        routes.append((pattern.name, reverse(f"backoffice:{pattern.name}", kwargs=arguments)))
    return routes


ROUTES = _backoffice_urls()


def test_it_knows_every_route_it_lists_as_posted():
    names = {name for name, _ in ROUTES}
    assert names >= SHOWN_AND_POSTED | POSTED_ONLY
    # And some routes are read-only, or the walk below would check nothing.
    assert len(names - SHOWN_AND_POSTED - POSTED_ONLY) >= 20


@pytest.mark.parametrize(
    "url",
    [url for name, url in ROUTES if name not in SHOWN_AND_POSTED | POSTED_ONLY],
)
@pytest.mark.django_db
def test_a_read_only_page_refuses_a_post(dave_client, url):
    # As an administrator, so that no sign-in or permission check answers before the method.
    assert dave_client.post(url).status_code == 405


@pytest.mark.parametrize("url", [url for name, url in ROUTES if name in POSTED_ONLY])
@pytest.mark.django_db
def test_a_change_is_never_made_by_a_get(dave_client, url):
    assert dave_client.get(url).status_code == 405


# Not the sign-in page: Django's LoginView takes a PUT as a POST, and that view is Django's.
@pytest.mark.parametrize(
    "url", [url for name, url in ROUTES if name in SHOWN_AND_POSTED - {"login"}]
)
@pytest.mark.django_db
def test_a_form_page_refuses_other_methods(dave_client, url):
    assert dave_client.put(url).status_code == 405
