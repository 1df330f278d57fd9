"""docs/getting-started.md, step by step: every file the page includes is run as written.

The only changes: free ports replace 8000 and 9000, `git clone` of the GitHub URL is
redirected to this repository (git's `url.<base>.insteadOf`, so the clone holds the
committed tree), and uv runs offline (`UV_OFFLINE=1`, from the cache the test environments
were installed from) so nothing but 127.0.0.1 is contacted.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import Local

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "getting-started.md"
SNIPPETS = ROOT / "docs" / "snippets" / "getting-started"
CLONE_URL = "https://github.com/apicore/apicore.git"
# The files a reader saves into the clone, and the commands they run, in the page's order.
SAVED = ("app.py", "receiver.py", "client.py", "flask_app.py")
COMMANDS = (
    "clone.sh",
    "install.sh",
    "run.sh",
    "call.sh",
    "receive.sh",
    "callback.sh",
    "client.sh",
    "uvicorn.sh",
    "gunicorn.sh",
)


def test_the_page_includes_every_snippet_once() -> None:
    # `--8<-- "file"` in console blocks; the block form in Python ones (which ruff formats)
    pattern = r'--8<--(?: "|\n)docs/snippets/getting-started/([^"\n]+)'
    included = re.findall(pattern, PAGE.read_text())
    assert sorted(included) == sorted(SAVED + COMMANDS)
    assert sorted(p.name for p in SNIPPETS.iterdir()) == sorted(SAVED + COMMANDS)


class Steps:
    """Runs the page's files in a clone, with the ports replaced."""

    def __init__(self, tmp_path: Path, uvx: str, local: type[Local]) -> None:
        self.local = local
        self.api_port, self.hook_port = local.free_port(), local.free_port()
        self.scripts = tmp_path / "scripts"
        self.scripts.mkdir()
        self.clone = tmp_path / "apicore"
        self.logs = tmp_path / "logs"
        self.logs.mkdir()
        venv = self.clone / ".venv"
        self.env = {
            **os.environ,
            "PATH": f"{venv / 'bin'}{os.pathsep}{Path(uvx).parent}{os.pathsep}"
            + os.environ["PATH"],
            "VIRTUAL_ENV": str(venv),
            "UV_OFFLINE": "1",
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"url.{ROOT}.insteadOf",
            "GIT_CONFIG_VALUE_0": CLONE_URL,
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("APICORE_API_KEY", "APICORE_CALLBACKS_ALLOW", "PYTHONPATH", "UVICORN_PORT"):
            self.env.pop(name, None)
        self.background: list[subprocess.Popen[bytes]] = []

    def text(self, name: str) -> str:
        source = (SNIPPETS / name).read_text(encoding="utf-8")
        return source.replace("8000", str(self.api_port)).replace("9000", str(self.hook_port))

    def save(self, name: str) -> None:
        (self.clone / name).write_text(self.text(name), encoding="utf-8")

    def script(self, name: str) -> Path:
        path = self.scripts / name
        path.write_text("set -euo pipefail\n" + self.text(name), encoding="utf-8")
        return path

    def run(self, name: str, cwd: Path | None = None) -> str:
        result = subprocess.run(
            ["bash", str(self.script(name))],
            cwd=cwd or self.clone,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, f"{name}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def start(self, name: str, port: int) -> Path:
        """Start a long-running step; wait (bounded) until it listens on ``port``."""
        log = self.logs / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                ["bash", str(self.script(name))],
                cwd=self.clone,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.background.append(process)
        self.local.wait_listening(port, process, what=name, timeout=60, log=log)
        return log

    def stop(self) -> None:
        """Stop the long-running steps (each is its own process group: bash and its child)."""
        while self.background:
            process = self.background.pop()
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=15)


@pytest.fixture
def steps(tmp_path: Path, uvx: str, git: str, curl: str, local: type[Local]) -> Iterator[Steps]:
    runner = Steps(tmp_path, uvx, local)
    try:
        yield runner
    finally:
        runner.stop()


def wait_for(log: Path, text: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        content = log.read_text(encoding="utf-8", errors="replace")
        if text in content:
            return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {log.name}:\n{log.read_text()}")


def test_getting_started(steps: Steps) -> None:
    # 1. install
    steps.run("clone.sh", cwd=steps.clone.parent)
    assert (steps.clone / "packages" / "asymmetric").is_dir()
    steps.run("install.sh")
    for program in ("asymmetric", "uvicorn", "gunicorn", "symmetric"):
        assert (steps.clone / ".venv" / "bin" / program).is_file(), program

    # 2. an API, started without alarm, saying where its docs are
    for name in SAVED:
        steps.save(name)
    log = steps.start("run.sh", steps.api_port)
    output = wait_for(log, "Application startup complete")
    assert f"Docs: http://127.0.0.1:{steps.api_port}/docs" in output
    for alarm in ("ERROR", "WARNING", "Traceback"):
        assert alarm not in output, output
    assert steps.run("call.sh").splitlines() == ["5", '"for token holders only"', "401"]

    # 3. a callback received
    hook_log = steps.start("receive.sh", steps.hook_port)
    job = json.loads(steps.run("callback.sh"))
    assert job["status_url"] == f"/jobs/{job['job_id']}", job
    wait_for(hook_log, "received {'mean': 2.5}")

    # 4. a client calling it
    assert steps.run("client.sh").splitlines() == ["5", "40"]
    steps.stop()

    # 5. production: uvicorn workers, then gunicorn with the Flask flavour
    for name in ("uvicorn.sh", "gunicorn.sh"):
        server_log = steps.start(name, steps.api_port)
        answer = httpx.post(f"http://127.0.0.1:{steps.api_port}/add", json={"a": 2, "b": 3})
        assert answer.json() == 5, server_log.read_text()
        steps.stop()
