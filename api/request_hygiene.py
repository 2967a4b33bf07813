"""Requests that no route could keep are refused before any route sees them: a NUL in the
path (404) or in the query (422), a body declared as anything but JSON (415: YAML, a
form), and a JSON body nested too deeply or holding text that
is no valid Unicode or holds NUL (422, naming the field). PostgreSQL refuses NUL in text,
a lone surrogate cannot be written back as UTF-8, and a deep body exhausts the stack of
the readers after it: each would otherwise end in a 500 (or, stored, in a job whose every
reading fails). A client gone before its body arrived gets no answer, and no error.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import send_problem
from scheduler.document_limits import TOO_DEEP, document_problems, text_problem

WITH_BODY = {"POST", "PUT", "PATCH"}
SEND_JSON = (
    "send the body as JSON, with Content-Type: application/json (a YAML scenario file "
    "converts as it is: `python -c 'import json,sys,yaml; "
    "json.dump(yaml.safe_load(sys.stdin), sys.stdout)' < scenario.yaml`)"
)
OTHER_BODIES = ("/v1/graph/",)  # Graph's notifications: its validation request is text


class CleanRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if text_problem(scope["path"]) is not None:
            detail = "no such resource (the path holds a NUL or invalid text)"
            await send_problem(send, 404, "Not Found", detail)
            return
        if _query_has_nul(scope):
            message = "contains a NUL character (\\u0000), which cannot be stored"
            errors = [{"path": "(query)", "message": message}]
            await send_problem(
                send, 422, "Invalid request", "1 error(s) in the query", errors=errors
            )
            return
        if scope["method"] not in WITH_BODY:
            await self.app(scope, receive, send)
            return
        body = await _whole_body(receive)
        if body is None:
            return  # the client went away: nobody to answer
        if body.strip() and not _declares_json(scope) and _takes_json_only(scope):
            await send_problem(send, 415, "Unsupported Media Type", SEND_JSON)
            return
        errors = _body_problems(body, _declares_json(scope))
        if errors:
            detail = f"{len(errors)} error(s) in the body"
            await send_problem(send, 422, "Invalid request", detail, errors=errors)
            return
        await self.app(scope, _replay(body, receive), send)


def _query_has_nul(scope: Scope) -> bool:
    query = bytes(scope.get("query_string", b""))
    return b"\x00" in query or b"%00" in query


async def _whole_body(receive: Receive) -> bytes | None:
    """The request's body (the body limit, outside this, bounds it), or None when the
    client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _body_problems(body: bytes, declared_json: bool) -> list[dict[str, str]]:
    """Whatever its content type says (FastAPI reads a body without one as JSON too). The
    stdlib's reader, as FastAPI's: it keeps lone surrogates as text, so they can be found
    with their path. A body declared JSON that is none is refused here too (FastAPI's own
    answer would be an undocumented 400); any other is left to the route."""
    if not body.strip():
        return []
    try:
        data: Any = json.loads(body, object_pairs_hook=_mapping_of_unique_keys)
    except RecursionError:
        return [{"path": "(document)", "message": TOO_DEEP}]
    except _DuplicateKeyError as twice:
        return [{"path": "(document)", "message": str(twice)}]
    except ValueError as problem:
        if not declared_json:
            return []
        return [{"path": "(document)", "message": f"not valid JSON: {_first_line(problem)}"}]
    return [{"path": e.path, "message": e.message} for e in document_problems(data)]


class _DuplicateKeyError(ValueError):
    pass


def _mapping_of_unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key given twice is an error, as in scenario files (JSON's readers silently keep
    the last one, so `"version": 1, ..., "version": 2` would be read as 2)."""
    mapping = dict(pairs)
    if len(mapping) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                shown = key if len(key) <= 40 else key[:40] + "…"
                raise _DuplicateKeyError(f"key {shown!r} is given twice in one mapping")
            seen.add(key)
    return mapping


def _declares_json(scope: Scope) -> bool:
    declared = bytes(dict(scope["headers"]).get(b"content-type", b"application/json"))
    media = declared.split(b";")[0].strip().lower()
    return media == b"application/json" or media.endswith(b"+json")


def _takes_json_only(scope: Scope) -> bool:
    return not str(scope["path"]).startswith(OTHER_BODIES)


def _first_line(problem: ValueError) -> str:
    return str(problem).splitlines()[0][:200] if str(problem) else type(problem).__name__


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the client's disconnect, when it comes

    return replayed
