"""The wheel installs alone, pulls in no web framework, and works against a real server.

The sibling wheels it depends on (apicore-specbind, apicore-introspect) are built from the
checkout, as they may not be on PyPI yet; their own dependencies come from the index.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

PACKAGE = Path(__file__).resolve().parent.parent
SIBLINGS = [PACKAGE.parent / "apicore-specbind", PACKAGE.parent / "apicore-introspect"]
SPEC = Path(__file__).resolve().parent / "specs" / "pets-v30.yaml"
FRAMEWORKS = {"flask", "starlette", "werkzeug", "fastapi", "django", "uvicorn"}

SMOKE = """
import importlib.metadata, json, sys
from apicore_client import Client, RetryPolicy, attempts_of, HTTPStatusError

names = sorted(d.metadata["Name"].lower() for d in importlib.metadata.distributions())
with Client(sys.argv[1], retry=RetryPolicy(max_attempts=3, wait_initial=0.01)) as client:
    response = client.get("/v1/flaky")
policy = RetryPolicy(max_attempts=3, wait_initial=0.01)
with Client.from_spec(sys.argv[2], base_url=sys.argv[1] + "/v1", retry=policy) as api:
    created = api.add_pet({"name": "Rex", "tag": "dog"})
    got = api.get_pet(pet_id=created.id)
    try:
        api.get_pet(pet_id=99)
    except HTTPStatusError as exc:
        problem = exc.title
with Client.from_url(sys.argv[1] + "/openapi.json", base_url=sys.argv[1] + "/v1") as fetched:
    listed = fetched.list_pets(limit=5)
print(json.dumps({
    "names": names,
    "body": response.json(),
    "attempts": len(attempts_of(response)),
    "pet": [type(got).__name__, got.to_dict()],
    "listed": [p.name for p in listed],
    "problem": problem,
    "modules": sorted(m for m in sys.modules if m.split(".")[0] in {FRAMEWORKS}),
}))
"""


def _run(*args: str | Path) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _build(dist: Path, python: Path, uv: str | None) -> list[Path]:
    for project in [PACKAGE, *SIBLINGS]:
        if uv:
            _run(uv, "build", "--wheel", "--quiet", project, "-o", dist)
        else:
            _run(python, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, project)
    return sorted(dist.glob("*.whl"))


@pytest.mark.packaging
def test_wheel_installs_alone_and_works(tmp_path: Path, pet_server: Any) -> None:
    dist, venv = tmp_path / "dist", tmp_path / "venv"
    python = venv / "bin" / "python"
    uv = shutil.which("uv")
    if uv:
        _run(uv, "venv", "--quiet", venv, "--python", sys.executable)
        wheels = _build(dist, python, uv)
        _run(uv, "pip", "install", "--quiet", "--python", python, *wheels)
    else:
        _run(sys.executable, "-m", "venv", venv)
        wheels = _build(dist, python, None)
        _run(python, "-m", "pip", "install", "--quiet", *wheels)
    assert [w.name.split("-")[0] for w in wheels] == [
        "apicore_client",
        "apicore_introspect",
        "apicore_specbind",
    ]

    pet_server.fail_first = 1
    pet_server.document = yaml.safe_load(SPEC.read_text())
    script = SMOKE.replace("{FRAMEWORKS}", repr(FRAMEWORKS))
    result = json.loads(_run(python, "-c", script, pet_server.url, SPEC))
    assert {"apicore-client", "apicore-specbind", "apicore-introspect", "httpx"} <= set(
        result["names"]
    )
    assert not FRAMEWORKS & set(result["names"]), result["names"]
    assert result["modules"] == []
    assert result["body"] == {"attempt": 2}
    assert result["attempts"] == 2
    assert result["pet"] == ["Pet", {"id": 1, "name": "Rex", "tag": "dog"}]
    assert result["listed"] == ["Rex"]
    assert result["problem"] == "Not found"
