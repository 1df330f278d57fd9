"""The wheel installs alone, pulls in no web framework, and works against a real server."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PACKAGE = Path(__file__).resolve().parent.parent
FRAMEWORKS = {"flask", "starlette", "werkzeug", "fastapi", "django", "uvicorn"}

SMOKE = """
import importlib.metadata, json, sys
from apicore_client import Client, RetryPolicy, attempts_of

names = sorted(d.metadata["Name"].lower() for d in importlib.metadata.distributions())
with Client(sys.argv[1], retry=RetryPolicy(max_attempts=3, wait_initial=0.01)) as client:
    response = client.get("/smoke")
print(json.dumps({
    "names": names,
    "body": response.json(),
    "attempts": len(attempts_of(response)),
    "modules": sorted(m for m in sys.modules if m.split(".")[0] in {FRAMEWORKS}),
}))
"""


def _run(*args: str | Path) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.packaging
def test_wheel_installs_alone_and_works(tmp_path: Path, flaky_server: Any) -> None:
    dist, venv = tmp_path / "dist", tmp_path / "venv"
    python = venv / "bin" / "python"
    uv = shutil.which("uv")
    if uv:
        _run(uv, "build", "--wheel", "--quiet", PACKAGE, "-o", dist)
        _run(uv, "venv", "--quiet", venv, "--python", sys.executable)
        wheel = next(dist.glob("*.whl"))
        _run(uv, "pip", "install", "--quiet", "--python", python, wheel)
    else:
        _run(sys.executable, "-m", "venv", venv)
        _run(python, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, PACKAGE)
        wheel = next(dist.glob("*.whl"))
        _run(python, "-m", "pip", "install", "--quiet", wheel)
    assert wheel.name.startswith("apicore_client-")

    flaky_server.fail_first = 1
    script = SMOKE.replace("{FRAMEWORKS}", repr(FRAMEWORKS))
    result = json.loads(_run(python, "-c", script, flaky_server.url))
    assert "apicore-client" in result["names"]
    assert "httpx" in result["names"]
    assert not FRAMEWORKS & set(result["names"]), result["names"]
    assert result["modules"] == []
    assert result["body"] == {"attempt": 2, "path": "/smoke"}
    assert result["attempts"] == 2
