"""Errors as `application/problem+json` (RFC 9457), with the path of each wrong field."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import Send

from scheduler.errors import FieldError, ScenarioError, format_path

PROBLEM = "application/problem+json"


class Problem(Exception):  # noqa: N818 - RFC 9457 calls it a problem
    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra
        self.headers = headers or {}


def problem_response(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {**({"WWW-Authenticate": "Bearer"} if status == 401 else {}), **(headers or {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def send_problem(send: Send, status: int, title: str, detail: str, **extra: Any) -> None:
    """A problem answered by an ASGI middleware, before any route (and FastAPI) ran."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    data = json.dumps(body).encode()
    headers = [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def field_errors(errors: list[FieldError]) -> list[dict[str, str]]:
    return [{"path": e.path, "message": e.message} for e in errors]


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, error: Problem) -> JSONResponse:
        return problem_response(
            error.status, error.title, error.detail, error.headers, **error.extra
        )

    @app.exception_handler(ScenarioError)
    async def _scenario(_: Request, error: ScenarioError) -> JSONResponse:
        return problem_response(
            422,
            "Invalid scenario",
            f"{len(error.errors)} error(s) in the scenario",
            errors=field_errors(error.errors),
        )

    @app.exception_handler(RequestValidationError)
    async def _request(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"path": format_path([p for p in e["loc"] if p != "body"]), "message": str(e["msg"])}
            for e in error.errors()
        ]
        return problem_response(
            422, "Invalid request", f"{len(errors)} error(s) in the request", errors=errors
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, error: HTTPException) -> JSONResponse:
        return problem_response(error.status_code, _title(error.status_code), str(error.detail))


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
