"""OpenAPI descriptions for request bodies the endpoints read themselves, and the parts of the
document that depend on the organisation's configuration."""

from django.conf import settings
from pydantic import BaseModel

from settle.api.bodies import MAX_BATCH

REF = "#/components/schemas/{model}"


def batch_body(item: type[BaseModel]) -> dict:
    """`openapi_extra` describing a JSON list of up to MAX_BATCH `item`s as the request body."""
    return {
        "requestBody": {
            "required": True,
            "description": "Each number at most once per batch.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "maxItems": MAX_BATCH,
                        "items": {"$ref": REF.format(model=item.__name__)},
                    }
                }
            },
        }
    }


def component_schemas(models: list[type[BaseModel]]) -> dict[str, dict]:
    """The JSON schemas of `models` (and the models they use), keyed by name, for components."""
    result: dict[str, dict] = {}
    for model in models:
        schema = model.model_json_schema(ref_template=REF, mode="validation")
        result.update(schema.pop("$defs", {}))
        result[model.__name__] = schema
    return result


PDF_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "The PDF itself as the body (Content-Type: application/pdf), or a multipart form "
            "with the PDF in the field `file`. Anything but a PDF (judged by its content: it "
            "starts with %PDF- and ends with %%EOF) is refused with 422."
        ),
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                },
                "encoding": {"file": {"contentType": "application/pdf"}},
            },
        },
    }
}


TOO_MANY = {
    "description": (
        "Too many wrong API keys came from this address lately; try again after Retry-After "
        "seconds."
    ),
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "required": True}},
    "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorOut")}}},
}


def document_configuration(schema: dict, *, collection_statuses: list[str]) -> dict:
    """Fill in what the organisation configures: the currencies it accepts and its collection
    statuses, so that the document allows exactly the values the server takes. And the 429 that
    every authenticated operation can answer (see auth.py)."""
    components = schema["components"]["schemas"]
    currencies = list(settings.SETTLE_CURRENCIES)
    invoice = components["InvoiceIn"]["properties"]
    payment = components["PaymentIn"]["properties"]
    _enum(invoice["currency"], currencies)
    _enum(payment["currency"], currencies)
    _enum(invoice["collection_status"], collection_statuses)
    for operations in schema["paths"].values():
        for operation in operations.values():
            if operation.get("security"):
                operation["responses"].setdefault("429", TOO_MANY)
    return schema


def _enum(schema: dict, values: list[str]) -> None:
    """Restrict the string in `schema` (which may also allow null) to `values`."""
    parts = schema.get("anyOf", [])
    strings = next((part for part in parts if part.get("type") == "string"), schema)
    strings.pop("pattern", None)
    strings["enum"] = values
