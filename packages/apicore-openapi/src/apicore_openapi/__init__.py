"""apicore-openapi: endpoints -> OpenAPI documents, offline docs pages, Markdown.

``build_document(info, endpoints)`` turns an app's endpoints (functions described by
apicore-introspect) into an OpenAPI 3.1.0 document, or 3.0.3 on request, with problem+json
error responses, security and callbacks. ``swagger_ui_html``/``redoc_html`` and ``asset``
serve the docs pages from packaged assets, without internet access; ``to_markdown`` and
``export`` write references for people and CI.
"""

import warnings

from apicore_openapi.__about__ import __version__
from apicore_openapi._convert import rewrite_refs, schema_30, schema_31, to_openapi_30
from apicore_openapi._document import DocumentCache, OpenApiVersion, build_document
from apicore_openapi._errors import AssetNotFoundError, EndpointError, OpenApiError
from apicore_openapi._examples import example_value
from apicore_openapi._export import (
    OPENAPI_VERSIONS,
    ExportFormat,
    export,
    export_target,
    openapi_version,
    to_json,
    to_yaml,
)
from apicore_openapi._html import (
    DOCS_CONTENT_SECURITY_POLICY,
    REDOC_CDN,
    SWAGGER_UI_CDN,
    asset,
    asset_paths,
    redoc_html,
    swagger_ui_html,
)
from apicore_openapi._markdown import to_markdown
from apicore_openapi._model import ApiInfo, Callback, RouteDoc, default_title, humanize

__all__ = [
    "ApiInfo",
    "AssetNotFoundError",
    "Callback",
    "DOCS_CONTENT_SECURITY_POLICY",
    "DocumentCache",
    "EndpointError",
    "ExportFormat",
    "OPENAPI_VERSIONS",
    "OpenApiError",
    "OpenApiVersion",
    "REDOC_CDN",
    "RouteDoc",
    "SWAGGER_UI_CDN",
    "__version__",
    "asset",
    "asset_paths",
    "build_document",
    "default_title",
    "example_value",
    "export",
    "export_target",
    "humanize",
    "openapi_version",
    "redoc_html",
    "rewrite_refs",
    "schema_30",
    "schema_31",
    "swagger_ui_html",
    "to_json",
    "to_markdown",
    "to_openapi_30",
    "to_yaml",
]


def __getattr__(name: str) -> object:
    # Old name (deprecated, see CHANGELOG): symmetric.Endpoint is legacy symmetric's record.
    if name == "Endpoint":
        warnings.warn("apicore_openapi.Endpoint is deprecated: use RouteDoc", DeprecationWarning, 2)
        return RouteDoc
    raise AttributeError(f"module 'apicore_openapi' has no attribute {name!r}")
