from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

import apicore_app
from asymmetric import AppImportError, Asymmetric


def load_app(target: str, *, app_dir: str | None = None) -> tuple[str, Any]:
    return apicore_app.load_app(
        target, kind=Asymmetric, attribute="asymmetric", error=AppImportError, app_dir=app_dir
    )


@pytest.mark.parametrize(
    ("target", "hint"),
    [("module.py", "'module'"), ("pkg/module.py", "'pkg.module'"), ("", "module name")],
)
def test_file_paths_are_refused_with_a_hint(target: str, hint: str) -> None:
    with pytest.raises(AppImportError, match=hint):
        load_app(target)


def write_module(directory: Path, source: str) -> str:
    name = f"app_{uuid.uuid4().hex}"
    (directory / f"{name}.py").write_text(source)
    return name


def test_loads_the_asymmetric_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    name = write_module(tmp_path, "from asymmetric import Asymmetric\nasymmetric = Asymmetric()\n")
    target, app = load_app(name, app_dir=str(tmp_path))
    assert target == f"{name}:asymmetric"
    assert isinstance(app, Asymmetric)


def test_a_custom_attribute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    name = write_module(tmp_path, "from asymmetric import Asymmetric\napi = Asymmetric()\n")
    assert load_app(f"{name}:api", app_dir=str(tmp_path))[0] == f"{name}:api"


def test_missing_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(AppImportError, match="not found: no such module") as info:
        load_app("no_such_module_here", app_dir=str(tmp_path))
    assert isinstance(info.value, ImportError)


def test_module_raising_on_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    name = write_module(tmp_path, "raise RuntimeError('bad config')\n")
    with pytest.raises(AppImportError, match="RuntimeError: bad config"):
        load_app(name, app_dir=str(tmp_path))


def test_module_importing_a_missing_dependency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    name = write_module(tmp_path, "import no_such_dependency_xyz\n")
    with pytest.raises(AppImportError, match="no_such_dependency_xyz"):
        load_app(name, app_dir=str(tmp_path))


def test_module_without_the_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    name = write_module(tmp_path, "x = 1\n")
    with pytest.raises(AppImportError, match="Failed to find the 'asymmetric' object"):
        load_app(name, app_dir=str(tmp_path))
