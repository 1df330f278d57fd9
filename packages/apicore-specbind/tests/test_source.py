from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from apicore_specbind import Spec, SpecLoadError, UnsafeYAMLError, clear_cache, load_spec

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
        load_spec(
            '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}'
        ).spec_version
        == "3.1"
    )
    with pytest.raises(SpecLoadError, match="file not found"):
        load_spec(tmp_path / "nope.yaml")


def _in_thread(target: Callable[[], object]) -> list[BaseException | object]:
    """Run ``target`` in a thread; a hang fails the test instead of blocking the run."""
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(target())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "loading hung"
    return outcome


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pet.yaml"
    os.mkfifo(fifo)
    (outcome,) = _in_thread(lambda: load_spec(fifo))
    assert isinstance(outcome, SpecLoadError)
    assert "not a regular file" in str(outcome)
    api = tmp_path / "api.yaml"
    api.write_text(
        MINIMAL.replace("paths: {}\n", "")
        + "paths: {}\ncomponents:\n  schemas:\n    Pet: {$ref: 'pet.yaml'}\n"
    )
    (outcome,) = _in_thread(lambda: load_spec(api))
    assert isinstance(outcome, SpecLoadError)
    assert "not a regular file" in str(outcome)
    assert outcome.issues[0].dotted == "components.schemas.Pet.$ref"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecLoadError, match="not a regular file"):
        load_spec(tmp_path)


def test_from_string_never_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(MINIMAL)
    assert load_spec(str(path)).source == str(path.resolve())
    with pytest.raises(SpecLoadError, match="must be a mapping"):
        Spec.from_string(str(path))


def test_a_second_load_reuses_the_spec_until_a_file_changes(tmp_path: Path) -> None:
    (tmp_path / "pet.yaml").write_text("type: object\n")
    path = tmp_path / "api.yaml"
    path.write_text(MINIMAL + "components:\n  schemas:\n    Pet: {$ref: 'pet.yaml'}\n")
    first = load_spec(path)
    assert load_spec(path) is first
    assert load_spec(path, validation_status=422) is not first  # other options
    assert load_spec(path, cache=False) is not first
    # a referenced file changes: built again
    (tmp_path / "pet.yaml").write_text("type: object\nproperties: {name: {type: string}}\n")
    second = load_spec(path)
    assert second is not first
    assert "name" in second.document["x-apicore-bundled"]["pet.yaml"]["properties"]
    # text: by content
    assert load_spec(MINIMAL) is load_spec(MINIMAL)
    clear_cache()
    assert load_spec(path) is not second
