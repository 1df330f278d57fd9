"""Swagger UI and ReDoc pages served from packaged assets, so docs work offline.

The JavaScript and CSS come from the ``openapi-ui-bundles`` wheel (Swagger UI 5, ReDoc 2:
both render OpenAPI 3.1); ``cdn=True`` loads them from jsDelivr instead. Pages carry no
inline script (the Swagger UI configuration is a JSON data block read by a packaged
initializer), so a ``script-src 'self'`` Content-Security-Policy works.
"""

from __future__ import annotations

import functools
import html
import json
import pathlib
from collections.abc import Mapping
from typing import Any, Final

import openapi_ui_bundles.redoc
import openapi_ui_bundles.swagger_ui

from apicore_openapi._errors import AssetNotFoundError

#: CDN base URLs used with ``cdn=True`` (pinned majors that render OpenAPI 3.1).
SWAGGER_UI_CDN: Final = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
REDOC_CDN: Final = "https://cdn.jsdelivr.net/npm/redoc@2/bundles"

_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}
_OWN = pathlib.Path(__file__).parent / "assets"
_SWAGGER_UI = openapi_ui_bundles.swagger_ui.static_path
# asset path (below assets_url) -> file; an allow list, so no path can escape it.
_FILES: dict[str, pathlib.Path] = {
    "swagger-ui/swagger-ui-bundle.js": _SWAGGER_UI / "swagger-ui-bundle.js",
    "swagger-ui/swagger-ui-standalone-preset.js": _SWAGGER_UI / "swagger-ui-standalone-preset.js",
    "swagger-ui/swagger-ui.css": _SWAGGER_UI / "swagger-ui.css",
    "swagger-ui/favicon-32x32.png": _SWAGGER_UI / "favicon-32x32.png",
    "swagger-ui/swagger-initializer.js": _OWN / "swagger-initializer.js",
    "redoc/redoc.standalone.js": openapi_ui_bundles.redoc.static_path / "redoc.standalone.js",
}


def asset_paths() -> tuple[str, ...]:
    """Every asset path ``asset`` serves (relative to the pages' ``assets_url``)."""
    return tuple(sorted(_FILES))


def asset(path: str) -> tuple[bytes, str]:
    """The body and Content-Type of a docs asset, for an adapter's asset route.

    Args:
        path: The request path below ``assets_url``, e.g. ``"redoc/redoc.standalone.js"``
            (a leading ``/`` is ignored).

    Returns:
        ``(body, content_type)``; the body is read once and then cached.

    Raises:
        AssetNotFoundError: No such asset (answer 404).
    """
    key = path.lstrip("/")
    if key not in _FILES:
        raise AssetNotFoundError(f"no docs asset {path!r}; the assets are {asset_paths()}")
    return _read(key), _CONTENT_TYPES[pathlib.PurePath(key).suffix]


@functools.cache
def _read(key: str) -> bytes:
    return _FILES[key].read_bytes()


def swagger_ui_html(
    openapi_url: str,
    *,
    title: str = "Swagger UI",
    assets_url: str = "/docs/assets",
    cdn: bool = False,
    config: Mapping[str, Any] | None = None,
) -> str:
    """The Swagger UI page for a document.

    Args:
        openapi_url: Where the page fetches the document (``/openapi.json``).
        title: The page title.
        assets_url: Where the app serves ``asset`` (its paths are appended).
        cdn: Load Swagger UI from jsDelivr instead of ``assets_url`` (needs internet).
        config: Extra Swagger UI options (JSON values), e.g. ``{"docExpansion": "none"}``.
    """
    options: dict[str, Any] = {
        "url": openapi_url,
        "deepLinking": True,
        "layout": "StandaloneLayout",
        "showExtensions": True,
        "showCommonExtensions": True,
        # The public validator badge would call validator.swagger.io: not offline.
        "validatorUrl": None,
    }
    options.update(config or {})
    # A JSON data block is never executed; "</" is escaped so it cannot close the tag.
    data = json.dumps(options, sort_keys=True).replace("</", "<\\/")
    own = assets_url.rstrip("/") + "/swagger-ui"
    ui_dir = SWAGGER_UI_CDN if cdn else own
    return _page(
        title,
        head=f"""<link rel="stylesheet" href="{html.escape(ui_dir)}/swagger-ui.css">
<link rel="icon" type="image/png" href="{html.escape(ui_dir)}/favicon-32x32.png">""",
        body=f"""<div id="swagger-ui"></div>
<script type="application/json" id="apicore-swagger-config">{data}</script>
<script src="{html.escape(ui_dir)}/swagger-ui-bundle.js" charset="utf-8"></script>
<script src="{html.escape(ui_dir)}/swagger-ui-standalone-preset.js" charset="utf-8"></script>
<script src="{html.escape(own)}/swagger-initializer.js" charset="utf-8"></script>""",
    )


def _page(title: str, *, head: str, body: str) -> str:
    """An HTML page: ``head`` goes after its title, ``body`` inside ``<body>``."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
{head}
</head>
<body>
{body}
</body>
</html>
"""


DOCS_CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
"""A ``Content-Security-Policy`` for the self-hosted pages (not for ``cdn=True``).

Both pages work under it, and it keeps the browser from contacting any other host: ReDoc's
menu footer, for one, loads a logo from Redocly's CDN (it hides itself offline).
"""


def redoc_html(
    openapi_url: str,
    *,
    title: str = "ReDoc",
    assets_url: str = "/docs/assets",
    cdn: bool = False,
) -> str:
    """The ReDoc page for a document.

    Args:
        openapi_url: Where the page fetches the document (``/openapi.json``).
        title: The page title.
        assets_url: Where the app serves ``asset`` (its paths are appended).
        cdn: Load ReDoc from jsDelivr instead of ``assets_url`` (needs internet).
    """
    script = REDOC_CDN if cdn else assets_url.rstrip("/") + "/redoc"
    return _page(
        title,
        head="<style>body { margin: 0; padding: 0; }</style>",
        body=f"""<redoc spec-url="{html.escape(openapi_url)}"></redoc>
<script src="{html.escape(script)}/redoc.standalone.js" charset="utf-8"></script>""",
    )
