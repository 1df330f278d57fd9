from __future__ import annotations

import io
import json
import pathlib

import pytest
import yaml
from openapi_spec_validator import validate

from apicore_openapi import ApiInfo, RouteDoc, build_document, export, to_markdown


@pytest.fixture
def document(info: ApiInfo, endpoints: list[RouteDoc]) -> dict[str, object]:
    return build_document(info, endpoints)


def test_json_round_trips_and_keeps_order(document: dict[str, object]) -> None:
    text = export(document, "json")
    assert json.loads(text) == document
    assert list(json.loads(text)) == list(document)
    assert text.endswith("}\n")


def test_yaml_is_safe_ordered_alias_free_and_valid(document: dict[str, object]) -> None:
    text = export(document, "yaml")
    assert "&id" not in text
    assert "*id" not in text
    assert "!!python" not in text
    loaded = yaml.safe_load(text)
    assert loaded == document
    assert list(loaded) == list(document)
    assert text.startswith("openapi: 3.1.0\n")
    validate(loaded)


def test_markdown(document: dict[str, object]) -> None:
    assert export(document, "markdown") == to_markdown(document)


@pytest.mark.parametrize("fmt", ["json", "yaml", "markdown"])
def test_writes_a_file(document: dict[str, object], tmp_path: pathlib.Path, fmt: str) -> None:
    target = tmp_path / f"openapi.{fmt}"
    text = export(document, fmt, target)  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == text
    stream = io.StringIO()
    export(document, fmt, stream)  # type: ignore[arg-type]
    assert stream.getvalue() == text


def test_unknown_format(document: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="format must be"):
        export(document, "xml")  # type: ignore[arg-type]


def test_yaml_dumper_class_is_built_once() -> None:
    from apicore_openapi import _export

    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    first = export(document, "yaml")
    dumper = _export._dumper()
    assert export(document, "yaml") == first
    assert _export._dumper() is dumper
    assert issubclass(dumper, yaml.SafeDumper)
