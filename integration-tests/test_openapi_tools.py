"""Every example app's OpenAPI document, 3.1 and 3.0, through the tools people use on it.

The documents are exported with the CLIs (`asymmetric docs`, `symmetric docs`) exactly as
examples/README.md shows, plus the every-type app `apps/alltypes.py`, the petstore's
hand-written spec and apicore-openapi's golden documents. Each must pass, with 0 errors:

- openapi-spec-validator;
- Redocly CLI's `lint` with its spec rules only (`extends: [spec]`), through npx;
- Spectral's `spectral:oas` ruleset, through npx;
- openapi-python-client, which must generate a client without a warning; the generated
  clients of the every-type app and of the calculator then call a live server.

The npm tools and openapi-python-client run at the pinned versions below. npx fetches the
npm packages from the npm registry (cached after the first run); openapi-python-client runs
with `uvx` in its own environment (its dependencies do not mix with ours). Without node or
uv these tests skip with an install hint, and fail under APICORE_REQUIRE_SYSTEM=1 (CI).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from openapi_spec_validator import validate

if TYPE_CHECKING:
    from conftest import Local

ROOT = Path(__file__).resolve().parent.parent
APPS = Path(__file__).parent / "apps"
TOKEN = "tools-token-0123456789abcdef"

# Redocly CLI 1.x: 2.x needs Node >= 20.19, and Debian bookworm's nodejs is 18.19.
REDOCLY = "@redocly/cli@1.34.20"
SPECTRAL = "@stoplight/spectral-cli@6.16.3"
GENERATOR = "openapi-python-client==0.29.1"

# name -> (cli, module, folder it is imported from)
APPS_EXPORTED = {
    "calculator": ("asymmetric", "examples.calculator", ROOT),
    "flask_calculator": ("symmetric", "examples.flask_calculator", ROOT),
    "alltypes": ("asymmetric", "alltypes", APPS),
}
VERSIONS = {"31": "3.1.0", "30": "3.0.3"}
# apicore-openapi's golden documents of its representative app (callbacks, scoped security,
# deprecated operations, every type of its conftest) are checked as well.
SNAPSHOTS = ROOT / "packages" / "apicore-openapi" / "tests" / "snapshots"
FILES = {
    "petstore": ROOT / "examples" / "petstore" / "petstore.yaml",
    "representative-31": SNAPSHOTS / "representative-3.1.0.json",
    "representative-30": SNAPSHOTS / "representative-3.0.3.json",
}
DOCUMENTS = [f"{app}-{v}" for app in APPS_EXPORTED for v in VERSIONS] + list(FILES)

# Documents the tools must refuse: they prove each check below can fail.
BROKEN_31 = {
    "openapi": "3.1.0",
    "info": {"title": "Broken", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {"Pair": {"type": "array", "prefixItems": [{"type": "integer"}], "items": False}}
    },
}
BROKEN_30 = {
    "openapi": "3.0.3",
    "info": {"title": "Broken", "version": "1"},
    "paths": {},
    "components": {"schemas": {"Maybe": {"enum": ["a", None], "nullable": True}}},
}


def run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "NPM_CONFIG_UPDATE_NOTIFIER": "false", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def export(name: str, version: str, target: Path) -> None:
    cli, module, folder = APPS_EXPORTED[name]
    result = run(
        [
            sys.executable,
            "-m",
            cli,
            "docs",
            module,
            "-f",
            str(target),
            "--openapi-version",
            version,
        ],
        folder,
        PYTHONPATH=str(folder),
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every document, written as a file: ``{"calculator-31": path, ...}``."""
    folder = tmp_path_factory.mktemp("documents")
    paths: dict[str, Path] = {}
    for name in APPS_EXPORTED:
        for short, version in VERSIONS.items():
            paths[f"{name}-{short}"] = path = folder / f"{name}-{short}.json"
            export(name, version, path)
    paths.update(FILES)
    for name, broken in (("broken-31", BROKEN_31), ("broken-30", BROKEN_30)):
        paths[name] = path = folder / f"{name}.json"
        path.write_text(json.dumps(broken))
    return paths


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("name", DOCUMENTS)
def test_openapi_spec_validator(documents: dict[str, Path], name: str) -> None:
    document = load(documents[name])
    expected = {"31": "3.1.0", "30": "3.0.3"}.get(name[-2:], document["openapi"])
    assert document["openapi"] == expected
    validate(document)


@pytest.fixture(scope="session")
def redocly_problems(documents: dict[str, Path], npx: str) -> dict[str, list[dict[str, Any]]]:
    """Redocly's errors for every document, from one `redocly lint` run over all of them."""
    config = documents["broken-30"].parent / "redocly.yaml"
    config.write_text("extends:\n  - spec\n")
    names = list(documents)
    result = run(
        [npx, "--yes", REDOCLY, "lint", "--config", str(config), "--format", "json"]
        + [str(documents[name]) for name in names],
        config.parent,
    )
    # one JSON report per file, in the order given
    decoder = json.JSONDecoder()
    reports, text, index = [], result.stdout, 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        report, index = decoder.raw_decode(text, index)
        reports.append(report)
    assert len(reports) == len(names), result.stdout + result.stderr
    return {
        name: [p for p in report["problems"] if p["severity"] == "error"]
        for name, report in zip(names, reports, strict=True)
    }


@pytest.mark.parametrize("name", DOCUMENTS)
def test_redocly_spec_rules(redocly_problems: dict[str, list[dict[str, Any]]], name: str) -> None:
    assert redocly_problems[name] == []


def test_redocly_finds_a_nullable_without_type(
    redocly_problems: dict[str, list[dict[str, Any]]],
) -> None:
    messages = [p["message"] for p in redocly_problems["broken-30"]]
    assert messages == ["The `type` field must be defined when the `nullable` field is used."]


@pytest.fixture(scope="session")
def spectral_errors(documents: dict[str, Path], npx: str) -> dict[str, list[dict[str, Any]]]:
    """Spectral's `spectral:oas` errors (severity 0) for every document, from one run."""
    ruleset = documents["broken-30"].parent / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n')
    result = run(
        [npx, "--yes", SPECTRAL, "lint", "--ruleset", str(ruleset), "--format", "json", "--quiet"]
        + [str(path) for path in documents.values()],
        ruleset.parent,
    )
    start = result.stdout.find("[")
    assert start >= 0, result.stdout + result.stderr
    results: list[dict[str, Any]] = json.JSONDecoder().raw_decode(result.stdout, start)[0]
    by_path = {str(path): name for name, path in documents.items()}
    errors: dict[str, list[dict[str, Any]]] = {name: [] for name in documents}
    for item in results:
        if item["severity"] == 0:
            errors[by_path[item["source"]]].append(item)
    return errors


@pytest.mark.parametrize("name", DOCUMENTS)
def test_spectral_oas(spectral_errors: dict[str, list[dict[str, Any]]], name: str) -> None:
    assert spectral_errors[name] == []


def test_spectral_finds_items_false(spectral_errors: dict[str, list[dict[str, Any]]]) -> None:
    assert [e["code"] for e in spectral_errors["broken-31"]] == ["array-items"]


def generate(uvx: str, document: Path, target: Path) -> subprocess.CompletedProcess[str]:
    # The generator has its own environment: our locks (UV_CONSTRAINT) do not apply to it.
    return subprocess.run(
        [uvx, "--from", GENERATOR, "openapi-python-client", "generate"]
        + ["--path", str(document), "--output-path", str(target), "--meta", "none"],
        cwd=target.parent,
        env={k: v for k, v in os.environ.items() if k != "UV_CONSTRAINT"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="session")
def generated(
    documents: dict[str, Path], uvx: str, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """``generated(name)``: openapi-python-client's output for a document (run once each)."""
    folder = tmp_path_factory.mktemp("clients")
    results: dict[str, tuple[subprocess.CompletedProcess[str], Path]] = {}

    def get(name: str) -> tuple[subprocess.CompletedProcess[str], Path]:
        if name not in results:
            target = folder / f"client_{name.replace('-', '_')}"
            results[name] = (generate(uvx, documents[name], target), target)
        return results[name]

    return get


@pytest.mark.parametrize("name", DOCUMENTS)
def test_openapi_python_client_generates(generated: Any, name: str) -> None:
    result, target = generated(name)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output, output
    assert "Error" not in output, output
    assert (target / "client.py").is_file()


def test_openapi_python_client_refuses_items_false(generated: Any) -> None:
    result, _ = generated("broken-31")
    assert "Input should be a valid dictionary" in result.stdout + result.stderr


def imported(generated: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The client package generated for ``name``, imported."""
    result, target = generated(name)
    assert result.returncode == 0, result.stdout + result.stderr
    monkeypatch.syspath_prepend(str(target.parent))
    return importlib.import_module(target.name)


@pytest.fixture
def serve(local: type[Local]) -> Iterator[Any]:
    """``serve(name)`` runs an example app with `asymmetric run`; returns its base URL."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> str:
        _, module, folder = APPS_EXPORTED[name]
        port = local.free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "asymmetric", "run", module, f"--port={port}"],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(folder), "APICORE_API_KEY": TOKEN},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        local.wait_listening(port, process, what=module)
        return f"http://127.0.0.1:{port}"

    yield start
    for process in processes:
        local.stop(process, sig=signal.SIGINT)


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_generated_client_calls_every_type(
    generated: Any, monkeypatch: pytest.MonkeyPatch, serve: Any, version: str
) -> None:
    import datetime as dt
    import uuid

    package = imported(generated, f"alltypes-{version}", monkeypatch)
    api = importlib.import_module(package.__name__ + ".api.default")
    models = importlib.import_module(package.__name__ + ".models")
    calls = {
        name: importlib.import_module(f"{api.__name__}.{name}")
        for name in ("scalars", "shapes", "models", "get_item", "pair", "maybe_pet", "remove")
    }
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    with package.Client(base_url=serve("alltypes"), raise_on_unexpected_status=True) as client:
        echoed = calls["scalars"].sync(
            client=client,
            body=models.ScalarsBody(
                count=3,
                ratio=0.5,
                name="née",
                flag=True,
                blob="aGVsbG8=",
                amount="12.50",
                ident=ident,
                when=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
                day=dt.date(2026, 1, 2),
            ),
        )
        assert echoed.additional_properties == {
            "count": 3,
            "ratio": 0.5,
            "name": "née",
            "flag": True,
            "blob_length": 5,
            "amount": "12.50",
            "ident": str(ident),
            "when": "2026-01-02T03:04:05+00:00",
            "day": "2026-01-02",
        }

        shaped = calls["shapes"].sync(
            client=client,
            body=models.ShapesBody(
                pair=[1, "one"],
                point=[2, 3],
                mode=models.ShapesBodyMode("slow"),
                either="text",
                maybe=None,
                tags=["b", "a"],
            ),
        )
        assert shaped.additional_properties == {
            "pair": [1, "one"],
            "point": [2, 3],
            "mode": "slow",
            "either": "text",
            "nothing": None,
            "maybe": None,
            "tags": ["a", "b"],
            "scores": {},
        }

        item = calls["models"].sync(
            client=client,
            body=models.ModelsBody(
                item=models.Item(name="lamp", price=2.5),
                address=models.Address(street="1 Main St", zip_="12345"),
                pet=models.Pet(name="rex"),
                size=models.Size(2),
                favourite=models.Item(name="rug", price=1.0, color=models.Color("green")),
            ),
        )
        assert isinstance(item, models.Item)
        assert (item.name, item.price, item.color) == (
            "lamp for rex at 1 Main St",
            5.0,
            models.Color.GREEN,
        )
        plain = calls["models"].sync(
            client=client,
            body=models.ModelsBody(
                item=models.Item(name="lamp", price=2.5),
                address=models.Address(street="x", zip_="y"),
                pet=models.Pet(name="rex", age=3),
                favourite=None,
            ),
        )
        assert plain.color == models.Color.RED

        items = calls["get_item"].sync(
            client=client, item_id=7, color=models.Color("green"), limit=2
        )
        assert [(i.name, i.color) for i in items] == [
            ("item 7.0", models.Color.GREEN),
            ("item 7.1", models.Color.GREEN),
        ]
        problem = calls["get_item"].sync(client=client, item_id=0)
        assert isinstance(problem, models.ValidationProblem)
        assert problem.status == 422

        assert calls["pair"].sync(client=client) == [1, "one"]
        pet = calls["maybe_pet"].sync(client=client, name="tom")
        assert isinstance(pet, models.Pet)
        assert (pet.name, pet.age) == ("tom", 0)
        assert calls["maybe_pet"].sync(client=client) is None
        assert calls["remove"].sync_detailed(client=client, item_id=4).status_code == 204


def test_generated_client_calls_the_calculator(
    generated: Any, monkeypatch: pytest.MonkeyPatch, serve: Any
) -> None:
    package = imported(generated, "calculator-31", monkeypatch)
    api = package.__name__ + ".api.default"
    add = importlib.import_module(api + ".add")
    squares = importlib.import_module(api + ".squares")
    whoami = importlib.import_module(api + ".whoami")
    models = importlib.import_module(package.__name__ + ".models")
    base_url = serve("calculator")
    with package.Client(base_url=base_url) as client:
        assert add.sync(client=client, body=models.AddBody(a=48, b=21)) == 69
        assert squares.sync(client=client, n=4, offset=1) == [1, 2, 5, 10]
        refused = whoami.sync_detailed(client=client)
        assert refused.status_code == 401
    with package.AuthenticatedClient(base_url=base_url, token=TOKEN) as client:
        assert whoami.sync(client=client) == "a token holder"
