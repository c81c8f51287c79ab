"""OpenAPI descriptions for request bodies the endpoints read themselves."""

from pydantic import BaseModel

from settle.api.bodies import MAX_BATCH

REF = "#/components/schemas/{model}"


def batch_body(item: type[BaseModel]) -> dict:
    """`openapi_extra` describing a JSON list of up to MAX_BATCH `item`s as the request body."""
    return {
        "requestBody": {
            "required": True,
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
            "with the PDF in the field `file`."
        ),
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}
