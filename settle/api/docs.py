"""The interactive API documentation (Swagger UI), served entirely from this server.

ninja renders its Swagger UI from a CDN unless `ninja` is an installed app; Settle loads nothing
from outside, so the page is rendered from our own template and the Swagger UI files that ship
inside the installed ninja package are served by the API itself, from a fixed list of names.
"""

from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import Swagger

ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}
ASSET_MAX_AGE = 24 * 60 * 60


class LocalSwagger(Swagger):
    """Swagger UI without a CDN and without the online spec validator it calls by default."""

    default_settings = {**Swagger.default_settings, "validatorUrl": None}

    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        namespace = api.urls_namespace
        context = {
            "api": api,
            # Read by swagger-ui-init.js from a JSON script element: no inline script.
            "swagger_settings": swagger_settings,
            "assets": {
                name.replace("-", "_").replace(".", "_"): reverse(
                    f"{namespace}:docs_asset", kwargs={"name": name, **kwargs}
                )
                for name in ASSETS
            },
        }
        return render(request, "api/docs.html", context)


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """One of the Swagger UI files; the name must be on the list, so no path reaches the disk."""
    if name not in ASSETS:
        raise Http404(name)
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=ASSETS[name])
    response["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}"
    return response
