"""REST API v1 for the ERP: debtors, invoices, their documents and payments.

OpenAPI at /api/v1/openapi.json, interactive documentation at /api/v1/docs.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router

from settle.api.auth import ApiKeyAuth
from settle.api.docs import LocalSwagger, docs_asset
from settle.api.endpoints import debtors, dunning, invoices, payments
from settle.api.errors import install_exception_handlers
from settle.api.openapi import component_schemas, document_configuration
from settle.api.schemas import DebtorIn, InvoiceIn
from settle.api.selectors import collection_status_codes


class SettleAPI(NinjaAPI):
    """NinjaAPI that also lists the item schemas of the batch bodies the endpoints read
    themselves (see bodies.py), so the OpenAPI document describes every field."""

    documented_schemas = [DebtorIn, InvoiceIn]

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        schema["components"]["schemas"].update(component_schemas(self.documented_schemas))
        return document_configuration(schema, collection_statuses=collection_status_codes())


api = SettleAPI(
    title="Settle API",
    version="1",
    description=(
        "Load debtors, invoices, invoice documents and payments from your ERP. Authenticate with "
        "`Authorization: Bearer <key>`; create a key with `settle create_api_key NAME`. Amounts "
        'are decimal strings ("121.00"), dates ISO 8601 ("2025-01-31"). Errors are JSON: '
        '{"detail": ..., "errors": [{"index", "field", "message"}]}.'
    ),
    urls_namespace="api-v1",
    auth=ApiKeyAuth(),
    docs=LocalSwagger(),
)
install_exception_handlers(api)

api.add_router("/debtors", debtors.router)
api.add_router("/invoices", invoices.router)
api.add_router("/payments", payments.router)
api.add_router("/dunning-runs", dunning.router)
api.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs_asset")(
    docs_asset
)


# Added last, so it only catches what no endpoint matched: a client that gets a URL wrong hears
# so in JSON, not in an HTML page (and a PUT is not redirected to a slash-appended URL).
fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:path}", include_in_schema=False
)
def unknown_endpoint(request, path: str):
    raise Http404(_("There is no such endpoint. The endpoints are listed at /api/v1/docs."))


api.add_router("", fallback)
