from __future__ import annotations

import inspect
import json
import uuid
from pathlib import Path
from typing import Any

import click
import pytest
import uvicorn
import yaml
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from apicore_test_support import callback_app
from asymmetric import Asymmetric
from asymmetric._cli import _docs_line, main, rewrite_legacy_flags, uvicorn_options

# a fresh object per module: the legacy singleton is shared by the whole test process
APP = """
from asymmetric import Asymmetric

asymmetric = Asymmetric()


@asymmetric.router("/add")
def add(a: int, b: int = 372) -> int:
    \"\"\"Add two numbers.\"\"\"
    return a + b
"""


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    name = f"calc_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(APP)
    return name


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_no_subcommand_prints_help_and_exits_1() -> None:
    result = invoke()
    assert result.exit_code == 1
    assert "An argument is required for the asymmetric command." in result.output
    assert "Serve Python functions as an API" in result.output


@pytest.mark.parametrize("flag", ["-v", "--version"])
def test_version(flag: str) -> None:
    result = invoke(flag)
    assert (result.exit_code, result.output.strip()) == (0, "asymmetric version 1.0.0")


def test_run_offers_exactly_uvicorns_options() -> None:
    run = main.commands["run"]
    ours = {p.name for p in run.params} - {"module", "dry_run"}
    assert ours == {p.name for p in uvicorn.main.params} - {"app"}


def test_run_options_bind_to_uvicorns_own_entry_point(module: str) -> None:
    result = invoke("run", module, "--dry-run")
    options = json.loads(result.output)
    inspect.signature(uvicorn.main.callback).bind(**options)  # type: ignore[arg-type]


def sample(param: click.Option, tmp_path: Path) -> tuple[list[str], str, Any]:
    """Command-line words for one option, and the value uvicorn should get."""
    name = param.name or ""
    flag = param.opts[0]
    if param.is_flag:
        if param.secondary_opts:
            return [param.secondary_opts[0]], name, False
        return [flag], name, True
    if isinstance(param.type, click.types.BoolParamType):
        return [flag, "false"], name, False
    if isinstance(param.type, click.Choice):
        choice = str(param.type.choices[-1])
        return [flag, choice], name, choice
    if isinstance(param.type, click.Path):
        existing = tmp_path / "existing.env"
        existing.write_text("")
        value = str(existing)
        return [flag, value], name, [value] if param.multiple else value
    special = {
        "headers": "X-Test:yes",
        "host": "0.0.0.0",
        "forwarded_allow_ips": "10.0.0.1",
        "root_path": "/api",
        "app_dir": ".",
    }
    if name in special:
        value = special[name]
    elif isinstance(param.type, click.types.IntParamType):
        value = "3"
    elif isinstance(param.type, click.types.FloatParamType):
        value = "0.5"
    else:
        value = "text"
    expected: Any = value
    if isinstance(param.type, click.types.IntParamType):
        expected = int(value)
    elif isinstance(param.type, click.types.FloatParamType):
        expected = float(value)
    if param.callback is not None:
        # uvicorn post-processes some options (--header: "name:value" -> [name, value] since
        # 0.55): expect what its own parser makes of the words
        given = (value,) if param.multiple else value
        processed = param.process_value(click.Context(uvicorn.main), given)
        return [flag, value], name, json.loads(json.dumps(processed))
    return [flag, value], name, [expected] if param.multiple else expected


OPTIONS = [p for p in uvicorn_options() if isinstance(p, click.Option) and p.expose_value]


@pytest.mark.parametrize("param", OPTIONS, ids=[p.opts[0] for p in OPTIONS])
def test_every_uvicorn_option_parses(param: click.Option, module: str, tmp_path: Path) -> None:
    words, name, expected = sample(param, tmp_path)
    result = invoke("run", module, *words, "--dry-run")
    assert result.exit_code == 0, result.output
    options = json.loads(result.output)
    if name == "headers":
        # uvicorn's parsed form of --header changed (strings until 0.54, pairs since 0.55):
        # only check that it got through; test_server.py checks the served header itself.
        assert "X-Test" in json.dumps(options[name]), options[name]
    else:
        assert options[name] == expected
    assert options["app"] == f"{module}:asymmetric"


def test_uvicorn_version_option_is_passed_through(module: str) -> None:
    result = invoke("run", module, "--version")
    assert (result.exit_code, result.output.startswith("Running uvicorn")) == (0, True)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--access-log", "false"], ["--no-access-log"]),
        (["--access-log", "True"], ["--access-log"]),
        (["--use-colors", "0", "--port", "1"], ["--no-use-colors", "--port", "1"]),
        (["--proxy-headers", "no"], ["--no-proxy-headers"]),
        (["--access-log", "--reload"], ["--access-log", "--reload"]),
        (["--header", "false"], ["--header", "false"]),
    ],
)
def test_legacy_value_flags_are_rewritten(args: list[str], expected: list[str]) -> None:
    assert rewrite_legacy_flags(args) == expected


WORDS = ["--access-log", "--use-colors", "--proxy-headers", "--reload", "--port", "8000"]
WORDS += ["true", "false", "no", "1", "x", "--header", "--no-access-log"]


@given(st.lists(st.sampled_from(WORDS), max_size=8))
@settings(max_examples=60, deadline=None)
def test_rewriting_only_touches_legacy_value_flags(args: list[str]) -> None:
    out = rewrite_legacy_flags(args)
    legacy = {"--access-log", "--use-colors", "--proxy-headers"}
    if not legacy & set(args):
        assert out == args
    assert len(out) <= len(args)
    negated = {"--no-" + flag.removeprefix("--") for flag in legacy}
    assert set(out) <= set(args) | negated
    assert [w for w in out if w.startswith("--") and w not in legacy | negated] == [
        w for w in args if w.startswith("--") and w not in legacy | negated
    ]


def test_legacy_value_flag_spelling_parses(module: str) -> None:
    result = invoke("run", module, "--access-log", "false", "--dry-run")
    assert json.loads(result.output)["access_log"] is False


def test_log_level_sets_the_apps_log_level(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    invoke("run", module, "--log-level", "trace", "--dry-run")
    import os

    assert os.environ["LOG_LEVEL"] == "DEBUG"


def test_run_with_a_missing_module_exits_1(module: str) -> None:
    result = invoke("run", "no_such_module_abc")
    assert result.exit_code == 1
    assert "Module no_such_module_abc not found" in result.output


def test_run_with_a_file_name_exits_1_with_a_hint(module: str) -> None:
    result = invoke("run", f"{module}.py")
    assert result.exit_code == 1
    assert f"did you mean '{module}'?" in result.output


def test_run_with_a_non_app_exits_1(module: str, tmp_path: Path) -> None:
    (tmp_path / "notapp_mod.py").write_text("asymmetric = 3\n")
    result = invoke("run", "notapp_mod")
    assert result.exit_code == 1
    assert "it is not an Asymmetric app (found int)" in result.output


def test_docs_writes_openapi_json_by_default(module: str, tmp_path: Path) -> None:
    result = invoke("docs", module)
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "openapi.json").read_text())
    assert document["openapi"] == "3.1.0"
    assert "/add" in document["paths"]
    assert document["info"]["title"].endswith("API")


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (["--filename", "spec.yaml"], lambda text: yaml.safe_load(text)["paths"]),
        (["-f", "spec.txt", "--format", "yaml"], lambda text: yaml.safe_load(text)["paths"]),
        (["-f", "spec.md"], lambda text: "/add" in text and text.startswith("#")),
        (["-f", "out.json", "--openapi-version", "3.0.3"], lambda text: '"3.0.3"' in text),
    ],
)
def test_docs_formats(module: str, tmp_path: Path, args: list[str], check: Any) -> None:
    result = invoke("docs", module, *args)
    assert result.exit_code == 0, result.output
    assert check((tmp_path / args[1]).read_text())


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [("3.1", "3.1.0"), ("3.1.0", "3.1.0"), ("3.0", "3.0.3"), ("3.0.3", "3.0.3")],
)
def test_docs_version_spellings(module: str, spelling: str, expected: str) -> None:
    result = invoke("docs", module, "-f", "-", "--openapi-version", spelling)
    assert json.loads(result.stdout)["openapi"] == expected


def test_docs_refuses_other_versions(module: str) -> None:
    result = CliRunner().invoke(main, ["docs", module, "--openapi-version", "2.0"])
    assert result.exit_code == 2
    assert "'2.0' is not one of '3.1', '3.1.0', '3.0', '3.0.3'" in result.output


def test_help_is_plain_words() -> None:
    for command in ([], ["run"], ["docs"], ["worker"]):
        text = invoke(*command, "--help").output
        assert "``" not in text
        assert ":attribute" not in text


def test_an_import_error_names_the_file_and_line(tmp_path: Path, module: str) -> None:
    (tmp_path / "broken_app.py").write_text("from asymmetric import asymmetric\n\n1 / 0\n")
    result = CliRunner().invoke(main, ["docs", "broken_app"])
    assert result.exit_code == 1
    assert "broken_app.py, line 3: ZeroDivisionError: division by zero" in result.output


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"host": "127.0.0.1", "port": 8000}, "http://127.0.0.1:8000/docs"),
        ({"host": "0.0.0.0", "port": 9000}, "http://0.0.0.0:9000/docs"),
        ({"host": "::1", "port": 80, "ssl_certfile": "c.pem"}, "https://[::1]:80/docs"),
    ],
)
def test_the_docs_line(options: dict[str, Any], expected: str) -> None:
    app = Asymmetric()
    line = _docs_line(app, options)
    assert line == f"Docs: {expected} (also /redoc, /swagger, /openapi.json)"


def test_no_docs_line_for_a_socket_or_another_app() -> None:
    assert _docs_line(Asymmetric(), {"uds": "/tmp/s.sock", "host": "h", "port": 1}) is None
    assert _docs_line(Asymmetric(), {"fd": 3, "host": "h", "port": 1}) is None
    assert _docs_line(object(), {"host": "h", "port": 1}) is None


def test_docs_to_stdout(module: str) -> None:
    result = invoke("docs", module, "-f", "-")
    assert json.loads(result.stdout)["paths"]["/add"]


def test_docs_with_a_missing_module_exits_1(module: str) -> None:
    result = invoke("docs", "missing_module_xyz")
    assert result.exit_code == 1
    assert "Module missing_module_xyz not found" in result.output


def test_python_dash_m_asymmetric(module: str) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "asymmetric", "run", module, "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["app"] == f"{module}:asymmetric"


CALLBACK_APP = callback_app("asymmetric", "Asymmetric")


def test_docs_opens_no_job_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APICORE_CALLBACKS_DB", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    name = f"cb_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(CALLBACK_APP)
    result = invoke("docs", name, "-f", "out.json")
    assert result.exit_code == 0, result.output
    assert "/predict" in json.loads((tmp_path / "out.json").read_text())["paths"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".py") == ["out.json"]
