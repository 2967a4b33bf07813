"""Lists a page at a time: `limit` and `offset` in, the rows out with `X-Total-Count` (the
total) and a `Link` header with `rel="next"` (the next page's address) while there is one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse

MOST_ROWS = 10_000_000  # far past any list's rows: an offset past it is a typo

Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many rows")]
Offset = Annotated[int, Query(ge=0, le=MOST_ROWS, description="Skip this many rows first")]
PAGE_HEADERS: dict[str, Any] = {
    "X-Total-Count": {"description": "How many rows match, on every page"},
    "Link": {"description": 'The next page, as `<address>; rel="next"`, while there is one'},
}


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]  # as the API shows them
    total: int


def page_response(request: Request, page: Page, limit: int, offset: int) -> JSONResponse:
    """Rows go out as they are: validating thousands of rows again costs seconds."""
    headers = {"X-Total-Count": str(page.total)}
    if offset + len(page.rows) < page.total:
        following = request.url.include_query_params(offset=offset + len(page.rows), limit=limit)
        headers["Link"] = f'<{following}>; rel="next"'
    return JSONResponse(page.rows, headers=headers)
