from __future__ import annotations

import importlib
import sys
import uuid
from pathlib import Path

import pytest

from apicore_app import import_failure, import_traceback, load_app, load_or_exit


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


class App:
    pass


def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> str:
    name = f"mod_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def load(target: str, **options: object) -> tuple[str, object]:
    return load_app(target, kind=App, attribute="app", **options)  # type: ignore[arg-type]


def test_load_app_finds_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "loading_kinds", sys.modules[__name__])
    source = "from loading_kinds import App\napp = App()\nother = App()\n"
    name = write(tmp_path, monkeypatch, source)
    assert load(name)[0] == f"{name}:app"
    assert load(f"{name}:other")[0] == f"{name}:other"
    with pytest.raises(ImportError, match=f"{name}:x is not an App app \\(found nothing\\)"):
        load(f"{name}:x")
    single = write(tmp_path, monkeypatch, "from loading_kinds import App\nmine = App()\n")
    assert load(single)[0] == f"{single}:mine"
    two = write(tmp_path, monkeypatch, "from loading_kinds import App\na = App()\nb = App()\n")
    with pytest.raises(ImportError, match="several App apps \\(a, b\\)"):
        load(two)
    none = write(tmp_path, monkeypatch, "app = 3\n")
    with pytest.raises(ImportError, match="it is not an App app \\(found int\\)"):
        load(none)
    fallback = App()
    assert load(none, singleton=lambda: fallback)[1] is fallback
    assert load(none, other=lambda value: isinstance(value, int))[1] == 3


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("pkg/mod.py", "'pkg/mod.py' is not a module name; did you mean 'pkg.mod'?"),
        (":app", "No module name in ':app'"),
        ("no_such_module_xyz", "Module no_such_module_xyz not found: no such module in "),
    ],
)
def test_load_app_refuses_bad_targets(target: str, message: str) -> None:
    with pytest.raises(ImportError) as info:
        load(target)
    assert str(info.value).startswith(message)


def test_a_failure_keeps_its_cause_and_a_short_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = write(tmp_path, monkeypatch, "\nraise RuntimeError('boom')\n")
    with pytest.raises(ImportError, match=f"{name}.py, line 2: RuntimeError: boom") as info:
        load(name)
    assert isinstance(info.value.__cause__, RuntimeError)
    trace = import_traceback(info.value.__cause__)
    assert f'{name}.py", line 2, in <module>' in trace
    assert "importlib" not in trace
    assert "_loading.py" not in trace


def test_load_or_exit_prints_and_exits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    name = write(tmp_path, monkeypatch, "import no_such_dependency_xyz\n")
    with pytest.raises(SystemExit) as info:
        load_or_exit(name, kind=App, attribute="app")
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback")
    assert err.splitlines()[-1].startswith(f"Error: Importing {name} failed at ")
