from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
import yaml

from apicore_specbind import SpecLimitError, SpecLimits, SpecLoadError, load_spec
from apicore_specbind._parse import parse_text

HEAD = 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\n'


def alias_bomb(levels: int = 9) -> str:
    """A "billion laughs" document: 9 levels of 9 aliases each expand to 9**9 strings."""
    lines = ['x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for previous, name in zip(names[: levels - 1], names[1:levels], strict=True):
        refs = ",".join([f"*{previous}"] * 9)
        lines.append(f"x-{name}: &{name} [{refs}]")
    return HEAD + "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_before_it_is_built() -> None:
    text = alias_bomb()
    assert len(text.encode()) <= 1024
    tracemalloc.start()
    try:
        with pytest.raises(SpecLimitError, match=r"SpecLimits\.max_alias_nodes=100000") as info:
            load_spec(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024
    assert info.value.limit == "max_alias_nodes"
    assert "limits=SpecLimits(max_alias_nodes=...)" in str(info.value)


def test_a_few_aliases_are_fine_and_the_bound_can_be_raised() -> None:
    text = alias_bomb(levels=4)  # 9**4 = 6561 strings once expanded
    assert load_spec(text).document["x-d"][0][0][0][0] == "lol"
    with pytest.raises(SpecLimitError, match="max_alias_nodes"):
        load_spec(text, limits=SpecLimits(max_alias_nodes=1000))


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(SpecLoadError, match="refers to itself"):
        load_spec(HEAD + "x-loop: &loop [1, *loop]\n")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(HEAD + "x-deep: " + "[" * 150 + "]" * 150 + "\n", id="yaml-flow"),
        pytest.param('{"openapi": "3.0.3", "x-deep": ' + "[" * 150 + "]" * 150 + "}", id="json"),
    ],
)
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(SpecLimitError, match=r"max_depth=100") as info:
        load_spec(text)
    assert info.value.limit == "max_depth"


def test_an_aliased_subtree_counts_its_depth_where_it_is_used() -> None:
    nested = "[" * 40 + "]" * 40
    text = f"x-a: &a {nested}\nx-b: " + "[" * 70 + "*a" + "]" * 70 + "\n"
    with pytest.raises(SpecLimitError, match="max_depth"):
        parse_text(text, source="s")


def test_document_size_is_bounded(tmp_path: Path) -> None:
    text = HEAD + "x-pad: " + "a" * 5000 + "\n"
    with pytest.raises(SpecLimitError, match=r"max_bytes=4096"):
        load_spec(text, limits=SpecLimits(max_bytes=4096))
    path = tmp_path / "big.yaml"
    path.write_text(text)
    with pytest.raises(SpecLimitError, match="the document has 50.. bytes"):
        load_spec(path, limits=SpecLimits(max_bytes=4096))


def test_json_is_parsed_with_json_and_duplicates_refused() -> None:
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    assert parse_text(json.dumps(document), source="s") == document
    with pytest.raises(SpecLoadError, match="duplicate key 'paths'"):
        parse_text('{"paths": {}, "paths": {}}', source="s")
    with pytest.raises(SpecLoadError, match="not valid YAML or JSON"):
        parse_text('{"a": NaN, ', source="s")
    # YAML flow style starts like JSON
    assert parse_text("{a: 1}", source="s") == {"a": 1}


def test_libyaml_is_used_when_available() -> None:
    from apicore_specbind._parse import _SpecLoader

    if yaml.__with_libyaml__:
        assert issubclass(_SpecLoader, yaml.CSafeLoader)
    else:  # pragma: no cover - depends on how PyYAML was built
        assert issubclass(_SpecLoader, yaml.SafeLoader)


def test_yaml_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "login.yaml"
    path.write_text(HEAD + "x-bad: [1, 2\n")
    with pytest.raises(SpecLoadError) as info:
        load_spec(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 5" in message
    assert "<unicode string>" not in message
