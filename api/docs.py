"""The API's documentation pages, `/docs` (Swagger UI) and `/redoc`, served with their
scripts and styles from the service itself (the `fastapi-offline` wheel ships them): they
render where no CDN can be reached."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_ROUTE = "/docs-assets"


def install(app: FastAPI) -> None:
    """Call on an app made with `docs_url=None, redoc_url=None` (FastAPI's own pages load
    their files from a CDN)."""
    app.mount(ASSETS_ROUTE, StaticFiles(directory=ASSETS), name="docs-assets")
    title = f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            swagger_js_url=f"{ASSETS_ROUTE}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_ROUTE}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_ROUTE}/favicon.png",
            # the key is kept while the page is open, not typed again for every call
            swagger_ui_parameters={"persistAuthorization": True},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            redoc_js_url=f"{ASSETS_ROUTE}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_ROUTE}/favicon.png",
            with_google_fonts=False,
        )
