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
            app.openapi_schema = _with_problem_answers(
                _with_scenario_schema(
                    get_openapi(
                        title=app.title,
                        version=app.version,
                        description=app.description,
                        routes=app.routes,
                    )
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


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An error (RFC 9457); `errors` names each wrong field by its path",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "message"],
                "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _with_problem_answers(document: dict[str, Any]) -> dict[str, Any]:
    """Every error answer is `application/problem+json` (`api.problems`), whichever part
    of the service gives it (a route, FastAPI's validation, a middleware)."""
    document["components"]["schemas"]["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operation in _operations(document):
        for status, answer in operation.get("responses", {}).items():
            if str(status).startswith(("4", "5")):
                answer["content"] = problem
    return document


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    methods = ("get", "put", "post", "delete", "patch", "head", "options")
    return [
        operation
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in methods
    ]
