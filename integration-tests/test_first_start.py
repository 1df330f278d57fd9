"""The example apps' first start, as examples/README.md tells a newcomer to run them.

With the variables the README sets, the start-up output says where the docs are and holds
no log record at WARNING or above, and no traceback. Without them the app still starts
without an ERROR: a warning says how to set a token.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Local

ROOT = Path(__file__).resolve().parent.parent
README_ENV = {"APICORE_API_KEY": "s3cret", "APICORE_CALLBACKS_ALLOW": "127.0.0.1"}


def first_start(
    cli: str, module: str, env: dict[str, str], tmp_path: Path, local: type[Local]
) -> str:
    """Start ``<cli> run <module>``, wait (bounded) until it answers, stop it; its output."""
    port = local.free_port()
    log = tmp_path / "output.log"
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    clean.pop("APICORE_TOKENS_FILE", None)
    clean.pop("APICORE_CALLBACKS_ALLOW", None)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", cli, "run", module, "--port", str(port)],
            cwd=ROOT,
            env={
                **clean,
                **env,
                "PYTHONPATH": str(ROOT),
                "APICORE_CALLBACKS_DB": str(tmp_path / "jobs.sqlite3"),
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        local.wait_listening(port, process, what=module, log=log)
        # the ASGI app's start-up ran (the authenticator is built at start-up or first use)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert sock.recv(12).startswith(b"HTTP/1.1 200")
    finally:
        local.stop(process, sig=signal.SIGINT, timeout=15)
    return log.read_text(encoding="utf-8", errors="replace").replace(str(port), "PORT")


@pytest.mark.parametrize(
    ("cli", "module", "docs"),
    [
        ("asymmetric", "examples.calculator", "INFO:     Docs: http://127.0.0.1:PORT/docs"),
        ("symmetric", "examples.flask_calculator", " * Docs: http://127.0.0.1:PORT/docs"),
    ],
)
def test_first_start_as_the_readme_says(
    cli: str, module: str, docs: str, tmp_path: Path, local: type[Local]
) -> None:
    output = first_start(cli, module, README_ENV, tmp_path, local)
    assert docs in output, output
    # no log record at WARNING or above (Flask's own "development server" notice is INFO)
    assert not re.search(r"\b(WARNING|ERROR|CRITICAL) [\w.]+:", output), output
    assert "Traceback" not in output, output


def test_first_start_without_a_token_warns_and_says_how(tmp_path: Path, local: type[Local]) -> None:
    output = first_start("asymmetric", "examples.calculator", {}, tmp_path, local)
    assert "ERROR" not in output, output
    assert "WARNING apicore_auth: 1 endpoint(s) require an API token" in output
    assert 'export ASYMMETRIC_API_KEY="$(python -m apicore_auth new)" (or APICORE_API_KEY)' in (
        output
    )
