from __future__ import annotations

import importlib
import sys
import uuid
from pathlib import Path

import pytest

from apicore_app import import_failure


def fail_to_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> str:
    name = f"mod_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))
    try:
        importlib.import_module(name)
    except Exception as exc:
        return import_failure(name, exc)
    raise AssertionError("the module imported")


def test_the_line_of_the_module_that_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = fail_to_import(tmp_path, monkeypatch, "x = 1\n\nundefined_name + 1\n")
    assert message.startswith("Importing mod_")
    assert message.endswith(".py, line 3: NameError: name 'undefined_name' is not defined")


def test_the_users_line_not_the_library_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = "import json\n\njson.loads('{')\n"
    message = fail_to_import(tmp_path, monkeypatch, source)
    assert ".py, line 3: JSONDecodeError: Expecting property name" in message
    assert "decoder.py" not in message


def test_a_syntax_error_names_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    message = fail_to_import(tmp_path, monkeypatch, "def f(:\n    pass\n")
    assert ".py, line 1: SyntaxError: " in message


def test_a_nested_module_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = f"inner_{uuid.uuid4().hex}"
    (tmp_path / f"{inner}.py").write_text("\n\nraise RuntimeError('boom')\n", encoding="utf-8")
    message = fail_to_import(tmp_path, monkeypatch, f"import {inner}\n")
    assert f"{inner}.py, line 3: RuntimeError: boom" in message


def test_without_a_traceback() -> None:
    assert import_failure("m", ValueError("bad")) == "Importing m failed: ValueError: bad"
