"""A callback endpoint through the Flask adapter, delivered to a real receiver on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from apicore_callbacks import DeliveryRetryPolicy, DestinationPolicy, Settings
from symmetric import Symmetric


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[Any]]]:
    received: list[Any] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_callback_endpoint_answers_202_then_delivers(
    tmp_path: Path, receiver: tuple[str, list[Any]]
) -> None:
    url, received = receiver
    settings = Settings(
        db=tmp_path / "jobs.sqlite3",
        policy=DestinationPolicy.from_allow("127.0.0.1", ports=None),
        retry=DeliveryRetryPolicy(),
        poll_interval=0.05,
    )
    app = Symmetric(callback_settings=settings, setup_logging=False)

    @app.router("/predict", callback=True)
    async def predict(x: float) -> dict[str, float]:
        return {"y": x * 2}

    client = app.test_client()
    try:
        response = client.post("/predict", json={"x": 2}, headers={"Asymmetric-Callback-URL": url})
        assert response.status_code == 202
        location = response.headers["Location"]
        for _ in range(200):  # at most ~10 s
            if received:
                break
            time.sleep(0.05)
        assert received == [{"y": 4.0}]
        status = client.get(location).get_json()
        assert status["job_id"] == response.get_json()["job_id"]
        refused = client.post("/predict", json={"x": 2})  # no callback URL header
        assert refused.status_code in (400, 422)
    finally:
        app.stop()
