"""Building spec-driven clients: from_spec sources, from_url over HTTP, from_app in process."""

from __future__ import annotations

import asyncio
import http.server
import itertools
import json
import tracemalloc
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from apicore_client import AsyncClient, Client, ConfigError, RetryPolicy, SpecClient
from apicore_client.testing import FaultTransport, Reply, no_backoff, status
from apicore_specbind import SpecLimitError, SpecLimits, SpecLoadError, load_spec

SPECS = Path(__file__).resolve().parent / "specs"
SPEC_FILES = {
    "2.0": SPECS / "pets-v2.yaml",
    "3.0": SPECS / "pets-v30.yaml",
    "3.1": SPECS / "pets-v31.yaml",
}


def _document(version: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_FILES[version].read_text())
    return loaded


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(SPEC_FILES["3.1"], id="path"),
        pytest.param(str(SPEC_FILES["3.1"]), id="path-string"),
        pytest.param(SPEC_FILES["3.1"].read_text(), id="yaml-text"),
        pytest.param(json.dumps(_document("3.1")), id="json-text"),
        pytest.param(_document("3.1"), id="mapping"),
        pytest.param(load_spec(SPEC_FILES["3.1"]), id="spec"),
    ],
)
def test_from_spec_sources(source: Any) -> None:
    transport = FaultTransport([status(200, json={"attempt": 1})])
    with Client.from_spec(source, base_url="http://t/v1", transport=transport) as api:
        assert isinstance(api, SpecClient)
        assert api.get_flaky().attempt == 1
    assert str(transport.requests[0].url) == "http://t/v1/flaky"


@pytest.mark.parametrize(
    ("version", "url"),
    [("2.0", "https://pets.example.com/v1"), ("3.0", "https://pets.example.com/v1")],
)
def test_base_url_from_the_spec(version: str, url: str) -> None:
    transport = FaultTransport([status(200, json={"attempt": 1})])
    with Client.from_spec(SPEC_FILES[version], transport=transport) as api:
        assert api.base_url == url
        api.get_flaky()
    assert str(transport.requests[0].url) == url + "/flaky"


def test_relative_server_needs_a_base_url() -> None:
    with pytest.raises(ConfigError, match="'/v1' is relative; pass base_url="):
        Client.from_spec(SPEC_FILES["3.1"])
    with pytest.raises(ConfigError, match="'/v1' is relative"):
        AsyncClient.from_spec(SPEC_FILES["3.1"])


def test_load_errors_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="cannot build a client from this spec") as info:
        Client.from_spec({"openapi": "3.0.3", "info": {"title": "T"}, "paths": {"/x": {"get": {}}}})
    assert info.value.__cause__ is not None
    bad_retry = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "x-apicore-retry": {"strategy": "sometimes"},
    }
    with pytest.raises(ConfigError, match="the spec's root: x-apicore-retry strategy"):
        Client.from_spec(bad_retry, base_url="http://t")


def test_spec_options_reach_specbind() -> None:
    document = _document("3.0")
    document["paths"]["/pets"]["get"]["x-persist"] = "nowhere.Model"
    transport = FaultTransport([status(200, json=[{"id": 1, "name": "a"}])])
    with Client.from_spec(
        document, base_url="http://t", transport=transport, spec_options={"max_depth": 8}
    ) as api:
        assert api.list_pets()[0].name == "a"


@pytest.mark.parametrize("version", sorted(SPEC_FILES))
def test_from_url_fetches_the_spec_with_retries(pet_server: Any, version: str) -> None:
    document = _document(version)
    document.pop("servers", None)  # as our apps serve /openapi.json: no servers
    document.pop("host", None)
    pet_server.document = document
    with no_backoff(), Client.from_url(pet_server.url + "/openapi.json") as api:
        # OpenAPI 3 paths are appended to the document's origin; Swagger 2.0 adds basePath
        expected = pet_server.url + ("/v1" if version == "2.0" else "")
        assert api.base_url == expected
    assert pet_server.seen[0][2]["Accept"].startswith("application/json")


def test_from_url_relative_server_and_calls(pet_server: Any) -> None:
    pet_server.document = _document("3.1")  # servers: [{url: /v1}]
    pet_server.fail_first = 1
    with no_backoff(), Client.from_url(pet_server.url + "/openapi.json") as api:
        assert api.base_url == pet_server.url + "/v1"
        created = api.add_pet({"name": "Rex"})
        assert api.get_pet(pet_id=created.id).name == "Rex"
        assert api.get_flaky().attempt == 2
    # from_spec with a URL string fetches too
    with Client.from_spec(pet_server.url + "/openapi.json") as again:
        assert again.get_pet(pet_id=1).name == "Rex"


def test_from_url_refuses_a_server_on_another_origin(pet_server: Any) -> None:
    pet_server.document = _document("3.0")  # servers: https://pets.example.com/v1
    with pytest.raises(ConfigError, match="another origin"):
        Client.from_url(pet_server.url + "/openapi.json", headers={"Authorization": "t"})
    assert len(pet_server.seen) == 1  # only the document was fetched


def test_from_url_retries_the_fetch() -> None:
    document = _document("3.1")
    transport = FaultTransport([status(503), status(200, json=document)])
    with no_backoff(), Client.from_url("http://t/openapi.json", transport=transport) as api:
        assert api.base_url == "http://t/v1"
    assert len(transport.requests) == 2


def test_from_url_yaml_and_not_a_spec() -> None:
    text = SPEC_FILES["3.1"].read_text()
    transport = FaultTransport(
        [Reply(200, headers={"content-type": "application/yaml"}, content=text.encode())]
    )
    with Client.from_url("http://t/openapi.yaml", transport=transport) as api:
        assert api.spec.spec_version == "3.1"
    transport = FaultTransport([status(200, json=[1, 2])])
    with pytest.raises(ConfigError, match="did not answer with a spec document"):
        Client.from_url("http://t/openapi.json", transport=transport)
    # a one-line answer is never read as a local file name
    transport = FaultTransport([Reply(200, content=str(SPEC_FILES["3.1"]).encode())])
    with pytest.raises(ConfigError, match="did not answer with a spec document"):
        Client.from_url("http://t/openapi.json", transport=transport)


def test_async_from_url(pet_server: Any) -> None:
    pet_server.document = _document("3.0")

    async def main() -> Any:
        api = await AsyncClient.from_url(
            pet_server.url + "/openapi.json", base_url=pet_server.url + "/v1"
        )
        async with api:
            await api.add_pet({"name": "Rex"})
            return await api.list_pets()

    (pet,) = asyncio.run(main())
    assert pet.name == "Rex"
    with pytest.raises(ConfigError, match="await AsyncClient.from_url"):
        AsyncClient.from_spec(pet_server.url + "/openapi.json")


# -- in-process apps, hand written (no framework) -------------------------------------------


def _answer(method: str, path: str, document: dict[str, Any]) -> tuple[int, str, bytes]:
    if (method, path) == ("GET", "/openapi.json"):
        return 200, "application/json", json.dumps(document).encode()
    if (method, path) == ("GET", "/v1/pets/1"):
        return 200, "application/json", b'{"id": 1, "name": "Rex"}'
    body = b'{"type": "urn:apicore:problem:not-found", "title": "Not found", "status": 404}'
    return 404, "application/problem+json", body


def _wsgi_app(document: dict[str, Any]) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        code, content_type, body = _answer(
            environ["REQUEST_METHOD"], environ["PATH_INFO"], document
        )
        start_response(
            f"{code} X", [("content-type", content_type), ("content-length", str(len(body)))]
        )
        return [body]

    return app


def _asgi_app(document: dict[str, Any]) -> Callable[..., Awaitable[None]]:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        code, content_type, body = _answer(scope["method"], scope["path"], document)
        headers = [(b"content-type", content_type.encode())]
        await send({"type": "http.response.start", "status": code, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


@pytest.mark.parametrize("version", sorted(SPEC_FILES))
def test_from_app_wsgi(version: str) -> None:
    # absolute (2.0 host, 3.0 server) or relative (3.1) server URLs: the path is kept
    with Client.from_app(_wsgi_app(_document(version))) as api:
        assert api.base_url == "http://app.invalid/v1"
        assert api.get_pet(pet_id=1).name == "Rex"
        with pytest.raises(Exception, match="404") as info:
            api.get_pet(pet_id=2)
    assert getattr(info.value, "title", None) == "Not found"


def test_from_app_asgi() -> None:
    app = _asgi_app(_document("3.1"))

    async def main() -> Any:
        async with await AsyncClient.from_app(app, retry=RetryPolicy.disabled()) as api:
            return await api.get_pet(pet_id=1)

    pet = asyncio.run(main())
    assert pet.name == "Rex"
    assert type(pet).__name__ == "Pet"


def test_from_app_refuses_the_wrong_kind() -> None:
    with pytest.raises(ConfigError, match="ASGI app: use `await AsyncClient.from_app"):
        Client.from_app(_asgi_app({}))
    with pytest.raises(ConfigError, match="WSGI app"):
        asyncio.run(AsyncClient.from_app(_wsgi_app({})))


def test_from_app_with_an_asgi_class_instance() -> None:
    inner = _asgi_app(_document("3.1"))

    class App:
        async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
            await inner(scope, receive, send)

    async def main() -> str:
        async with await AsyncClient.from_app(App(), spec_path="/openapi.json") as api:
            return str((await api.get_pet(pet_id=1)).name)

    assert asyncio.run(main()) == "Rex"


def _alias_bomb() -> bytes:
    """A 'billion laughs' spec of under 1 KB: 9 levels of 9 aliases."""
    lines = [
        "openapi: 3.0.3",
        'info: {title: t, version: "1"}',
        "paths: {}",
        'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    names = "abcdefghi"
    for previous, name in itertools.pairwise(names):
        lines.append(f"x-{name}: &{name} [{','.join([f'*{previous}'] * 9)}]")
    return ("\n".join(lines) + "\n").encode()


class _Document(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/yaml")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def document_server(
    serve: Callable[[type[http.server.BaseHTTPRequestHandler]], AbstractContextManager[str]],
) -> Iterator[str]:
    with serve(_Document) as url:
        yield url


def test_from_url_refuses_an_alias_bomb(document_server: str) -> None:
    _Document.body = _alias_bomb()
    assert len(_Document.body) <= 1024
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match="max_alias_nodes") as info:
            Client.from_url(document_server + "/openapi.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024
    assert isinstance(info.value.__cause__, SpecLimitError)


def test_async_from_url_refuses_an_alias_bomb(document_server: str) -> None:
    _Document.body = _alias_bomb()
    with pytest.raises(ConfigError, match="max_alias_nodes"):
        asyncio.run(AsyncClient.from_url(document_server + "/openapi.yaml"))


@pytest.mark.parametrize("chunked", [False, True])
def test_from_url_reads_at_most_max_bytes(chunked: bool) -> None:
    text = SPEC_FILES["3.1"].read_bytes()
    headers = {"content-type": "application/yaml"}
    if chunked:  # no Content-Length: counted while reading
        transport = httpx.MockTransport(
            lambda request: httpx.Response(
                200, headers=headers, content=iter([text[:100], text[100:]])
            )
        )
    else:
        transport = httpx.MockTransport(
            lambda request: httpx.Response(200, headers=headers, content=text)
        )
    with pytest.raises(ConfigError, match=r"SpecLimits\.max_bytes=64") as info:
        Client.from_url(
            "http://t/openapi.yaml",
            transport=transport,
            spec_options={"limits": SpecLimits(max_bytes=64)},
        )
    assert isinstance(info.value.__cause__, SpecLimitError)
    with Client.from_url("http://t/openapi.yaml", transport=transport) as api:
        assert api.spec.spec_version == "3.1"


def test_servers_as_a_mapping_is_a_clear_error() -> None:
    document = _document("3.0")
    document["servers"] = {"url": "https://pets.example.com/v1"}
    with pytest.raises(ConfigError, match="cannot build a client") as info:
        Client.from_spec(document)
    cause = info.value.__cause__
    assert isinstance(cause, SpecLoadError)
    assert "servers" in [issue.dotted for issue in cause.issues]
    # loaded leniently, the client still says what is wrong instead of a KeyError
    with pytest.raises(ConfigError, match="'servers' must be a list"):
        Client.from_spec(document, spec_options={"validate": "off"})


def test_a_second_from_spec_of_a_file_reuses_the_loaded_spec() -> None:
    transport = FaultTransport([])
    with Client.from_spec(SPEC_FILES["3.0"], transport=transport) as first:
        with Client.from_spec(SPEC_FILES["3.0"], transport=transport) as second:
            assert second.spec is first.spec
            assert type(second) is type(first)  # the per-spec class is made once
