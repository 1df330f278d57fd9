"""apicore-client against our real servers: a client built from the app's own /openapi.json.

Each server runs in its own process on 127.0.0.1; the client retries an idempotent call
that fails twice, decodes results into models, and raises problem+json errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from apicore_client import (
    ArgumentValidationError,
    Client,
    HTTPStatusError,
    RetryPolicy,
    attempts_of,
)

if TYPE_CHECKING:
    from conftest import Local

APPS = Path(__file__).parent / "apps"
TOKEN = "integration-token-0123456789"


SERVERS = {
    "symmetric-gunicorn": lambda port: [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers=1",
        f"--bind=127.0.0.1:{port}",
        "sym_calc:symmetric",
    ],
    "asymmetric-run": lambda port: [
        str(Path(sys.executable).parent / "asymmetric"),
        "run",
        "asym_calc",
        "--host=127.0.0.1",
        f"--port={port}",
    ],
}


@pytest.fixture(params=sorted(SERVERS))
def base_url(request: pytest.FixtureRequest, tmp_path: Path, local: type[Local]) -> Iterator[str]:
    port = local.free_port()
    env = {**os.environ, "PYTHONPATH": str(APPS), "APICORE_API_KEY": TOKEN}
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            SERVERS[request.param](port), cwd=APPS, env=env, stdout=output, stderr=output
        )
    try:
        local.wait_listening(port, process, timeout=20, log=log)
        yield f"http://127.0.0.1:{port}"
    finally:
        local.stop(process)


def test_client_from_the_apps_own_document(base_url: str) -> None:
    fast = RetryPolicy(max_attempts=4, wait_initial=0.01, wait_max=0.05)
    with Client.from_url(f"{base_url}/openapi.json", retry=fast) as api:
        assert api.add(a=48, b=21) == 69
        item = api.get_item(item_id=3, verbose=True)
        assert (item.name, item.price) == ("item 3", 2.5)
        # a GET that fails twice with 500 is retried (idempotent) and then succeeds
        assert api.flaky(key="k1") == "ok after 2 failures"
        response = api.request("flaky", key="k1")
        assert [a.status_code for a in attempts_of(response)] == [200]
        # arguments are checked against the app's own schema before anything is sent
        with pytest.raises(ArgumentValidationError, match="body.a"):
            api.add(a="x")
        with pytest.raises(HTTPStatusError) as denied:
            api.secret()
        assert denied.value.status_code == 401
        assert denied.value.problem is not None
        assert denied.value.problem_type == "urn:apicore:problem:unauthorized"
    with Client.from_url(
        f"{base_url}/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}, retry=fast
    ) as api:
        assert api.secret() == "hidden"
