from __future__ import annotations

from pathlib import Path

import pytest

from apicore_specbind import SpecLoadError, UnsafeYAMLError, load_spec

MINIMAL = 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\npaths: {}\n'


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['echo hacked']",
        "!!python/object:collections.OrderedDict {}",
        "!!python/name:os.system",
    ],
)
def test_python_tags_are_refused(tag: str) -> None:
    with pytest.raises(UnsafeYAMLError, match="refused"):
        load_spec(MINIMAL + f"x-evil: {tag}\n")


def test_yaml_dates_stay_strings_and_int_keys_become_strings() -> None:
    spec = load_spec(
        "swagger: '2.0'\ninfo: {title: t, version: 2024-01-01}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        200: {description: ok}\n        default: {description: e}\n"
    )
    assert spec.api_version == "2024-01-01"
    assert set(spec.operations[0].responses) == {"200", "default"}


def test_duplicate_yaml_keys_are_refused() -> None:
    with pytest.raises(SpecLoadError, match="duplicate key 'paths'"):
        load_spec(MINIMAL + "paths: {}\n")


def test_bad_yaml_and_non_mapping() -> None:
    with pytest.raises(SpecLoadError, match="not valid YAML"):
        load_spec("openapi: [3.1\n")
    with pytest.raises(SpecLoadError, match="must be a mapping"):
        load_spec("just-a-name.yaml")


def test_json_text_and_missing_file(tmp_path: Path) -> None:
    assert (
        load_spec('{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}').spec_version
        == "3.1"
    )
    with pytest.raises(SpecLoadError, match="file not found"):
        load_spec(tmp_path / "nope.yaml")
