"""Servers pay only for what they use: importing one loads no spec machinery, no HTTP client.

apicore-app sets the call context, which is apicore-introspect's: a server loads neither
apicore-client nor apicore-specbind and its JSON Schema libraries (they load when a spec
client is built), nor httpx, whose ``__init__`` imports its command line (``httpx._main``:
rich, click, pygments).
apicore-callbacks loads httpx on the first delivery. No timing is asserted here:
``benchmarks/bench_imports.py`` measures the import times.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SERVERS = ["asymmetric", "symmetric"]


def _loaded_after(code: str) -> set[str]:
    """The top-level packages ``python -X importtime -c code`` reports importing."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = [line.rsplit("|", 1)[-1] for line in out.stderr.splitlines() if "|" in line]
    return {row.strip().split(".")[0] for row in rows}


@pytest.mark.parametrize("package", SERVERS)
def test_importing_a_server_loads_no_spec_binding(package: str) -> None:
    loaded = _loaded_after(f"import {package}")
    assert package in loaded
    machinery = {"apicore_client", "apicore_specbind", "jsonschema", "fastjsonschema"}
    assert loaded.isdisjoint(machinery), sorted(loaded & machinery)


@pytest.mark.parametrize("package", SERVERS)
def test_importing_a_server_loads_no_yaml(package: str) -> None:
    assert "yaml" not in _loaded_after(f"import {package}")


HTTPX_CLI = {"httpx", "rich", "click", "pygments"}


@pytest.mark.parametrize(
    ("package", "unused"),
    # Flask itself imports click (its ``flask.cli``): symmetric is checked for the rest
    [("asymmetric", HTTPX_CLI), ("symmetric", HTTPX_CLI - {"click"})],
)
def test_importing_a_server_loads_no_http_client_or_its_cli(package: str, unused: set[str]) -> None:
    loaded = _loaded_after(f"import {package}")
    assert loaded.isdisjoint(unused), sorted(loaded & unused)


def test_the_loader_sees_what_is_imported() -> None:
    # the check above could pass by parsing nothing: the same probe finds httpx's CLI
    loaded = _loaded_after("import httpx")
    assert {"httpx", "click"} <= loaded
