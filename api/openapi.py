"""The OpenAPI document, with the scenario's own JSON schema for every scenario body.

Routes take the scenario as a plain mapping, so that a wrong one gets Tandem's own error
messages (the command line's, with each field's path) rather than the framework's. The
document still declares the scenario's full shape, generated from the same pydantic
models that validate it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from scheduler.scenario import Scenario

SCENARIO_BODIES = {
    ("/v1/plans", "post"),
    ("/v1/programmes", "post"),
    ("/v1/programmes/{programme_id}", "put"),
    ("/v1/whatif", "post"),
}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _with_scenario_schema(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _with_scenario_schema(document: dict[str, Any]) -> dict[str, Any]:
    schema = Scenario.model_json_schema(ref_template="#/components/schemas/{model}", by_alias=True)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.update(schema.pop("$defs", {}))
    components["Scenario"] = schema
    for path, method in SCENARIO_BODIES:
        body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        examples = body.get("schema", {}).get("examples")
        body["schema"] = {"$ref": "#/components/schemas/Scenario"}
        if examples:
            body["example"] = examples[0]
    return document
