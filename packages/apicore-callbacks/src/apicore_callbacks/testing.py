"""Test helpers: the (shared) fake clock, an in-process callback sink and a local receiver.

Example:
    ```python
    from apicore_callbacks import Dispatcher, Settings, SQLiteJobStore
    from apicore_callbacks.testing import CallbackSink, FakeClock

    clock, sink = FakeClock(), CallbackSink(secrets=["whsec_..."])
    dispatcher = Dispatcher(SQLiteJobStore(tmp_path / "jobs.db"), settings=Settings(secrets=...),
                            transport=sink.transport, resolver=sink.resolver, clock=clock)
    ...
    dispatcher.drain(advance=True)  # runs a multi-day retry schedule at once
    assert sink.deliveries[0].verified
    ```
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from apicore_callbacks._errors import WebhookVerificationError
from apicore_callbacks._signing import verify
from apicore_introspect.testing import FakeClock

__all__ = ["CallbackReceiver", "CallbackSink", "Delivery", "FakeClock", "public_resolver"]

PUBLIC_TEST_ADDRESS = "93.184.215.14"


def public_resolver(host: str, port: int) -> list[str]:
    """A resolver mapping every name to one public address (use with :class:`CallbackSink`)."""
    return [PUBLIC_TEST_ADDRESS]


@dataclass(frozen=True)
class Delivery:
    """One callback request as received.

    Attributes:
        method: HTTP method.
        url: The URL as the sender meant it (host from the ``Host`` header).
        headers: Headers, lower-case names.
        body: Raw body.
        verified: Signature check result (``None`` when the receiver has no secret).
        received_at: Receiver clock time.
    """

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    verified: bool | None
    received_at: float

    @property
    def webhook_id(self) -> str:
        """The ``webhook-id`` header (the job id)."""
        return self.headers.get("webhook-id", "")

    def json(self) -> Any:
        """The decoded JSON body."""
        return json.loads(self.body)


Responder = Callable[[Delivery], int | tuple[int, dict[str, str]]]


@dataclass
class _Recorder:
    secrets: tuple[str, ...]
    responder: Responder | Sequence[int] | None
    clock: Callable[[], float]
    deliveries: list[Delivery] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)

    def record(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str]]:
        verified: bool | None = None
        if self.secrets:
            try:
                verify(body, headers, self.secrets, now=self.clock())
                verified = True
            except WebhookVerificationError:
                verified = False
        delivery = Delivery(method, url, headers, body, verified, self.clock())
        with self.lock:
            index = len(self.deliveries)
            self.deliveries.append(delivery)
            self.lock.notify_all()
        if callable(self.responder):
            answer = self.responder(delivery)
            return answer if isinstance(answer, tuple) else (answer, {})
        statuses = self.responder or ()
        return (statuses[index] if index < len(statuses) else 200), {}

    def by_id(self) -> dict[str, list[Delivery]]:
        with self.lock:
            grouped: dict[str, list[Delivery]] = {}
            for d in self.deliveries:
                grouped.setdefault(d.webhook_id, []).append(d)
            return grouped


class CallbackSink:
    """An in-process receiver behind an ``httpx.MockTransport`` that records and verifies.

    Args:
        secrets: Secrets to verify signatures with (``Delivery.verified``).
        responder: A status per delivery in order (then 200), or a function
            ``(delivery) -> status | (status, headers)``.
        clock: The clock used to check signature timestamps (use the dispatcher's).
    """

    def __init__(
        self,
        *,
        secrets: Iterable[str] = (),
        responder: Responder | Sequence[int] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._recorder = _Recorder(tuple(secrets), responder, clock)
        self.transport = httpx.MockTransport(self._handle)
        self.resolver = public_resolver

    @property
    def deliveries(self) -> list[Delivery]:
        """Every delivery received, in order."""
        return list(self._recorder.deliveries)

    def by_id(self) -> dict[str, list[Delivery]]:
        """Deliveries grouped by ``webhook-id``."""
        return self._recorder.by_id()

    def _handle(self, request: httpx.Request) -> httpx.Response:
        host = request.headers.get("host", request.url.netloc.decode())
        url = f"{request.url.scheme}://{host}{request.url.raw_path.decode()}"
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, extra = self._recorder.record(request.method, url, headers, request.read())
        return httpx.Response(status, headers=extra)


class CallbackReceiver:
    """A real threaded HTTP receiver on 127.0.0.1 (a free port) that records deliveries.

    Use as a context manager; allow-list it with ``allow=["127.0.0.1/32"]``.

    Args:
        secrets: Secrets to verify signatures with.
        responder: As for :class:`CallbackSink`.
    """

    def __init__(
        self, *, secrets: Iterable[str] = (), responder: Responder | Sequence[int] | None = None
    ) -> None:
        self._recorder = _Recorder(tuple(secrets), responder, time.time)
        recorder = self._recorder

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:
                    # the sender died mid-request: nothing was delivered
                    self.close_connection = True
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                url = f"http://{self.headers.get('host', '')}{self.path}"
                status, extra = recorder.record(self.command, url, headers, body)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            do_POST = do_PUT = do_PATCH = do_GET = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # a busy dispatcher opens many connections at once

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The listening port."""
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        """Return ``http://127.0.0.1:<port><path>``."""
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def deliveries(self) -> list[Delivery]:
        """Every delivery received, in order."""
        with self._recorder.lock:
            return list(self._recorder.deliveries)

    def by_id(self) -> dict[str, list[Delivery]]:
        """Deliveries grouped by ``webhook-id``."""
        return self._recorder.by_id()

    def wait_for(self, count: int, *, timeout: float = 10.0) -> bool:
        """Wait until ``count`` deliveries arrived or ``timeout`` seconds passed."""
        with self._recorder.lock:
            return self._recorder.lock.wait_for(
                lambda: len(self._recorder.deliveries) >= count, timeout=timeout
            )

    def start(self) -> CallbackReceiver:
        """Start serving in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> CallbackReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
