import re

import pytest

from settle.api.docs import ASSETS

EXTERNAL = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//""", re.IGNORECASE)


def test_it_serves_the_docs_page_without_anything_from_outside(anonymous_client):
    response = anonymous_client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Settle API" in html
    assert not EXTERNAL.search(html)
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    for url in re.findall(r"""(?:src|href)="([^"]+)\"""", html):
        assert url.startswith("/api/v1/docs/assets/")
        assert anonymous_client.get(url).status_code == 200


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_it_serves_the_swagger_files_itself(anonymous_client, name):
    response = anonymous_client.get(f"/api/v1/docs/assets/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == ASSETS[name]
    assert b"".join(response.streaming_content)


@pytest.mark.parametrize("name", ["../__init__.py", "..%2F__init__.py", "redoc.standalone.js"])
def test_it_serves_no_other_file(anonymous_client, name):
    assert anonymous_client.get(f"/api/v1/docs/assets/{name}").status_code == 404


@pytest.mark.browser
def test_it_shows_the_endpoints_in_a_browser_loading_only_from_settle(page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )

    page.goto(f"{page.base}/api/v1/docs")

    page.get_by_text("Create or update debtors").first.wait_for()
    assert page.get_by_text("Book a payment").count() >= 1
    assert requested
    assert all(url.startswith(page.base) for url in requested), requested
    assert not problems, problems
