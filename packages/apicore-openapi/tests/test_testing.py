from __future__ import annotations

import pytest
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from apicore_openapi import ApiInfo, RouteDoc, build_document, redoc_html, swagger_ui_html
from apicore_openapi.testing import assert_offline, page_urls, validate_document


def test_page_urls() -> None:
    assert page_urls(redoc_html("/openapi.json")) == [
        "/openapi.json",
        "/docs/assets/redoc/redoc.standalone.js",
    ]


def test_assert_offline_accepts_packaged_pages_and_rejects_cdn_pages() -> None:
    assert_offline(swagger_ui_html("/openapi.json"))
    assert_offline(redoc_html("/openapi.json"))
    with pytest.raises(AssertionError, match="cdn.jsdelivr.net"):
        assert_offline(swagger_ui_html("/openapi.json", cdn=True))
    assert_offline(redoc_html("/openapi.json", cdn=True), allowed=("https://cdn.jsdelivr.net/",))
    with pytest.raises(AssertionError, match="other origins"):
        assert_offline(redoc_html("//evil.example/openapi.json"))


def test_validate_document(info: ApiInfo, endpoints: list[RouteDoc]) -> None:
    validate_document(build_document(info, endpoints, version="3.0.3"))
    with pytest.raises(OpenAPIValidationError):
        validate_document({"openapi": "3.1.0", "info": {"title": "x"}, "paths": {}})
