"""Helpers for testing apps that serve apicore-openapi documents and docs pages.

Used by the symmetric/asymmetric adapters' tests and by users checking their own apps::

    from apicore_openapi.testing import assert_offline, validate_document

    validate_document(client.get("/openapi.json").json())
    assert_offline(client.get("/docs").text)
"""

from __future__ import annotations

import html.parser
import importlib
from collections.abc import Mapping
from typing import Any

__all__ = ["assert_offline", "page_urls", "validate_document"]


class _Urls(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "spec-url") and value:
                self.urls.append(value)


def page_urls(page: str) -> list[str]:
    """Every URL an HTML page makes the browser load (``src``, ``href``, ``spec-url``)."""
    parser = _Urls()
    parser.feed(page)
    return parser.urls


def assert_offline(page: str, *, allowed: tuple[str, ...] = ()) -> None:
    """Fail if a page loads anything from another origin (it must work without internet).

    Args:
        page: The HTML of ``/docs`` or ``/redoc``.
        allowed: Absolute URL prefixes that are fine (e.g. the app's own base URL).

    Raises:
        AssertionError: A URL points elsewhere; the message lists them.
    """
    outside = [
        url
        for url in page_urls(page)
        if url.startswith(("http:", "https:", "//")) and not url.startswith(allowed)
    ]
    assert not outside, f"the page loads from other origins: {outside}"


def validate_document(document: Mapping[str, Any]) -> None:
    """Validate an OpenAPI 3.0 or 3.1 document with ``openapi-spec-validator``.

    Raises:
        ModuleNotFoundError: ``openapi-spec-validator`` is not installed
            (``pip install openapi-spec-validator``).
        openapi_spec_validator.validation.exceptions.OpenAPIValidationError: It is invalid.
    """
    try:
        validator = importlib.import_module("openapi_spec_validator")
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "validate_document needs openapi-spec-validator: pip install openapi-spec-validator"
        ) from exc
    validator.validate(document)
