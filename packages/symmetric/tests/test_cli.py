"""The `symmetric` command (click's runner, in-process) and the module loader."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from apicore_openapi.testing import validate_document
from apicore_test_support import callback_app
from symmetric import AppImportError, Symmetric, __version__, symmetric as singleton
from symmetric._cli import cli, load_app

APPS = Path(__file__).parent / "apps"


@pytest.fixture
def in_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(APPS)
    monkeypatch.syspath_prepend(str(APPS))


def write_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> str:
    name = f"mod_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))  # forget the module afterwards
    return name


TWO_APPS = """
from symmetric import Symmetric
first = Symmetric(title="First")
second = Symmetric(title="Second")

@first.router("/a")
def a(x: int) -> int:
    return x
"""


@pytest.mark.usefixtures("in_apps")
@pytest.mark.parametrize(
    ("args", "check"),
    [
        ([], lambda text: json.loads(text)),
        (["--format", "yaml"], lambda text: yaml.safe_load(text)),
        (["--openapi-version", "3.0"], lambda text: json.loads(text)),
    ],
)
def test_docs_writes_a_valid_document(tmp_path: Path, args: list[str], check: object) -> None:
    target = tmp_path / "spec.out"
    result = CliRunner().invoke(cli, ["docs", "legacy_calc", "-f", str(target), *args])
    assert result.exit_code == 0, result.output
    document = check(target.read_text(encoding="utf-8"))  # type: ignore[operator]
    validate_document(document)
    assert document["info"]["title"] == "Legacy Calc API"
    assert "/items/{item_id}" in document["paths"]
    if "3.0" in args:
        assert document["openapi"] == "3.0.3"


@pytest.mark.usefixtures("in_apps")
@pytest.mark.parametrize(
    ("spelling", "expected"),
    [("3.1", "3.1.0"), ("3.1.0", "3.1.0"), ("3.0", "3.0.3"), ("3.0.3", "3.0.3")],
)
def test_docs_version_spellings(spelling: str, expected: str) -> None:
    result = CliRunner().invoke(
        cli, ["docs", "legacy_calc", "-f", "-", "--openapi-version", spelling]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["openapi"] == expected


@pytest.mark.usefixtures("in_apps")
def test_docs_format_from_the_extension_and_app_dir(tmp_path: Path) -> None:
    apps = Path.cwd()
    target = tmp_path / "spec.yaml"
    result = CliRunner().invoke(
        cli, ["docs", "legacy_calc", "-f", str(target), "--app-dir", str(apps)]
    )
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["openapi"] == "3.1.0"


def test_help_is_plain_words() -> None:
    for command in ([], ["run"], ["docs"], ["worker"]):
        result = CliRunner().invoke(cli, [*command, "-h"])
        assert result.exit_code == 0, result.output
        assert "``" not in result.output


@pytest.mark.usefixtures("in_apps")
def test_docs_default_filenames(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, ["docs", "legacy_calc"]).exit_code == 0
    validate_document(json.loads((tmp_path / "openapi.json").read_text(encoding="utf-8")))
    result = runner.invoke(cli, ["docs", "legacy_calc", "-m"])
    assert result.exit_code == 0
    assert "deprecated" in result.output
    markdown = (tmp_path / "documentation.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Legacy Calc API")
    assert runner.invoke(cli, ["docs", "legacy_calc", "--format", "yaml"]).exit_code == 0
    assert (tmp_path / "openapi.yaml").exists()


@pytest.mark.usefixtures("in_apps")
def test_docs_to_stdout_and_contradictions() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["docs", "legacy_calc", "-f", "-", "--format", "markdown"])
    assert result.exit_code == 0
    assert "/add" in result.output
    result = runner.invoke(cli, ["docs", "legacy_calc", "-m", "--format", "json"])
    assert result.exit_code == 2


def test_version_and_no_command() -> None:
    runner = CliRunner()
    for flag in ("-v", "--version"):
        result = runner.invoke(cli, [flag])
        assert (result.exit_code, result.output) == (0, f"symmetric version {__version__}\n")
    result = runner.invoke(cli, [])
    assert result.exit_code == 1
    assert "An argument is required for the symmetric command." in result.output


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ("no_such_module_here", "Module no_such_module_here not found"),
        ("legacy_calc.py", "did you mean 'legacy_calc'?"),
        ("legacy_calc:nothing", "legacy_calc:nothing is not a Symmetric app"),
        (":x", "No module name in ':x'"),
    ],
)
@pytest.mark.usefixtures("in_apps")
def test_bad_modules_exit_1(module: str, message: str) -> None:
    for command in ("docs", "run", "worker"):
        result = CliRunner().invoke(cli, [command, module])
        assert result.exit_code == 1, result.output
        assert message in result.output
    with pytest.raises(AppImportError, match=message):
        load_app(module)


def test_module_that_fails_to_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = write_module(tmp_path, monkeypatch, "import missing_dependency_xyz\n")
    with pytest.raises(AppImportError, match=r"failed at .*\.py, line 1: ModuleNotFoundError"):
        load_app(name)
    with pytest.raises(AppImportError) as info:
        load_app(name)
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
    name = write_module(
        tmp_path, monkeypatch, "from symmetric import Symmetric\nSymmetric().router('bad')\n"
    )
    result = CliRunner().invoke(cli, ["docs", name])
    assert result.exit_code == 1
    assert "IncorrectRouteFormatError" in result.output
    assert "Traceback" in result.output


def test_loader_finds_apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = write_module(tmp_path, monkeypatch, TWO_APPS)
    assert load_app(f"{name}:second").api.title == "Second"
    with pytest.raises(AppImportError, match="several Symmetric apps"):
        load_app(name)
    one = write_module(
        tmp_path, monkeypatch, TWO_APPS.replace('second = Symmetric(title="Second")', "")
    )
    app = load_app(one)
    assert isinstance(app, Symmetric)
    assert app.api.title == "First"
    empty = write_module(tmp_path, monkeypatch, "x = 1\n")
    if not singleton.api.routes:
        with pytest.raises(AppImportError, match="Failed to find the 'symmetric' object"):
            load_app(empty)
    else:  # another test imported a legacy module: `import symmetric` style modules use it
        assert load_app(empty) is singleton


@pytest.mark.usefixtures("in_apps")
def test_worker_needs_callback_endpoints() -> None:
    result = CliRunner().invoke(cli, ["worker", "legacy_calc"])
    assert result.exit_code == 1
    assert "no callback endpoints" in result.output


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["m"], {"host": "127.0.0.1", "port": 5000, "debug": False}),
        (["m", "-s", "0.0.0.0", "-p", "8080"], {"host": "0.0.0.0", "port": 8080, "debug": False}),
        (["m", "--server", "::1", "--port", "1"], {"host": "::1", "port": 1, "debug": False}),
        (["m", "--host", "h", "--debug"], {"host": "h", "port": 5000, "debug": True}),
        (["m", "-d"], {"host": "127.0.0.1", "port": 5000, "debug": False}),  # legacy --no-debug
        (["m", "--no-debug"], {"host": "127.0.0.1", "port": 5000, "debug": False}),
    ],
)
def test_run_flags(argv: list[str], expected: dict[str, object]) -> None:
    command = cli.commands["run"]
    with command.make_context("run", argv) as ctx:
        assert {k: ctx.params[k] for k in expected} == expected


CALLBACK_APP = callback_app("symmetric", "Symmetric")


def test_docs_opens_no_job_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APICORE_CALLBACKS_DB", raising=False)
    name = write_module(tmp_path, monkeypatch, CALLBACK_APP)
    result = CliRunner().invoke(cli, ["docs", name, "-f", "out.json"])
    assert result.exit_code == 0, result.output
    assert "/predict" in json.loads((tmp_path / "out.json").read_text())["paths"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".py") == ["out.json"]
