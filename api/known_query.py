"""Query parameters a route does not take are refused (422 naming them), never ignored: a
misspelt filter (`?persn=ceo`) would otherwise answer every session as if it filtered.
Microsoft Graph's webhooks are left alone: Graph may add parameters of its own."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.problems import Problem


def no_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.path.startswith("/v1/graph/"):
        return
    known = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        named = ", ".join(repr(name[:50]) for name in unknown[:5])
        raise Problem(
            422,
            "Unknown query parameter",
            f"this operation takes no query parameter {named}",
            errors=[
                {"path": f"query.{name[:50]}", "message": "not a parameter of this operation"}
                for name in unknown[:20]
            ],
        )


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters of a route and of every dependency it has, by their names."""
    names: set[str] = set()
    waiting = [dependant]
    while waiting:
        current = waiting.pop()
        names.update(param.alias for param in current.query_params)
        waiting.extend(current.dependencies)
    return names
