"""What several packages' tests share; they cannot import each other's tests.

The folder is on pytest's ``pythonpath`` (root ``pyproject.toml``), so every way the tests are
run finds it: ``hatch run test:unit``, the per-package ``hatch run pkg:test`` job and a plain
``pytest packages/<name>/tests`` from the repository root. mypy finds it through ``mypy_path``.
It holds test helpers only: nothing here ships in a package.
"""

from __future__ import annotations

import contextlib
import socketserver
import subprocess
import sys
import threading
import types
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "AUTH_SECURITY_SCHEMES",
    "BAD_JSON_BODIES",
    "LAZY_PACKAGES",
    "callback_app",
    "imported_packages",
    "json_values",
    "public_api_problems",
    "serving",
    "serving_server",
    "shared_exports",
]

#: What a server process loads only when a feature needs it (issue 19): the spec machinery,
#: the docs and the callback jobs. ``import asymmetric``/``import symmetric`` load none of them.
LAZY_PACKAGES = frozenset(
    {
        "yaml",
        "jsonschema",
        "fastjsonschema",
        "apicore_specbind",
        "apicore_callbacks",
        "apicore_openapi",
    }
)


def callback_app(package: str, app_class: str) -> str:
    """A module's source: ``<package> = <app_class>()`` serving one callback endpoint.

    ``POST /predict``, for symmetric's and asymmetric's CLI tests.
    """
    return f"""
from {package} import {app_class}

{package} = {app_class}()


@{package}.router("/predict", callback=True)
def predict(x: int) -> int:
    return x
"""


def imported_packages(code: str) -> set[str]:
    """The top-level packages loaded once ``code`` has run in a fresh interpreter."""
    script = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return {name.split(".")[0] for name in done.stdout.split()}


# What apicore_auth.openapi_security_schemes() returns by default, written out: apicore-auth's
# tests check it against this, and apicore-openapi's (which does not depend on apicore-auth)
# use it as a realistic input.
AUTH_SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "BearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token: `Authorization: Bearer <token>`.",
    },
    "XApiKeyAuth": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An API token in the `X-API-Key` header.",
    },
    "APIKeyAuth": {
        "type": "apiKey",
        "in": "header",
        "name": "symmetric_api_key",
        "description": "An API token in the `symmetric_api_key` header (legacy).",
    },
}

# The JSON bodies of the reliability plan's bad-input matrix, each posted as application/json
# to an endpoint ``add(a: int, b: int = ...)``, and the 4xx each must get (never a 500):
# (name, body, status).
BAD_JSON_BODIES: list[tuple[str, bytes, int]] = [
    ("malformed JSON", b'{"a": 1,', 400),
    ("invalid UTF-8", b'{"a": "\xff"}', 400),
    ("deep nesting", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400),
    ("5000-digit int", b'{"a": ' + b"9" * 5000 + b"}", 400),
    ("NaN", b'{"a": NaN}', 400),
    ("Infinity", b'{"a": Infinity}', 400),
    ("1e400", b'{"a": 1e400}', 400),
    ("duplicate keys", b'{"a": 1, "a": 2}', 400),
    ("empty body", b"", 422),
    ("null", b"null", 422),
    ("top-level scalar", b"5", 422),
    ("top-level array", b"[1, 2]", 422),
    ("missing argument", b'{"b": 1}', 422),
    ("unknown argument", b'{"a": 1, "zz": 2}', 422),
    ("mistyped argument", b'{"a": "x"}', 422),
]


def json_values(
    *,
    max_int: int,
    max_text: int,
    keys: st.SearchStrategy[str],
    max_items: int,
    max_keys: int,
    max_leaves: int,
    also: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Any]:
    """Any JSON value, arrays and objects nested.

    The scalars are null, booleans, integers up to ``max_int`` in magnitude, finite floats,
    texts of up to ``max_text`` characters and the texts ``also`` draws; the objects' keys
    are drawn from ``keys``.
    """
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-max_int, max_value=max_int),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=max_text),
        st.nothing() if also is None else also,
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=max_items) | st.dictionaries(keys, inner, max_size=max_keys)
        ),
        max_leaves=max_leaves,
    )


def public_api_problems(module: types.ModuleType) -> list[str]:
    """What is wrong with ``module.__all__``; an empty list when nothing is.

    ``__all__`` must be sorted and free of repeats, name only attributes that exist, and list
    every public (not underscored) attribute of the module that is not itself a module.
    """
    name, listed = module.__name__, list(module.__all__)
    problems = []
    if listed != sorted(set(listed)):
        problems.append(f"{name}.__all__ is not sorted, or repeats a name")
    for attribute in listed:
        if not hasattr(module, attribute):
            problems.append(f"{name}.__all__ names {attribute!r}, which does not exist")
    for attribute, value in vars(module).items():
        public = not attribute.startswith("_") and not isinstance(value, types.ModuleType)
        if public and attribute not in listed:
            problems.append(f"{name}.{attribute} is public but not in __all__")
    return problems


@contextlib.contextmanager
def serving_server(server: socketserver.TCPServer) -> Iterator[str]:
    """Serve a server bound on 127.0.0.1 from a thread while the block runs; yield its URL.

    The server is shut down and closed when the block ends.
    """
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serving(handler: type[BaseHTTPRequestHandler]) -> contextlib.AbstractContextManager[str]:
    """Serve ``handler`` on a free port of 127.0.0.1 while the block runs; yield its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    return serving_server(server)


def shared_exports(facade: types.ModuleType, source: types.ModuleType) -> set[str]:
    """The public names both modules' ``__all__`` list, each checked to be one object in both.

    For a framework that re-exports a core package's names (``asymmetric`` and ``symmetric``
    re-export ``apicore_app``'s): an ``AssertionError`` names any that differ.
    """
    shared = {n for n in facade.__all__ if not n.startswith("_")} & set(source.__all__)
    differ = sorted(n for n in shared if getattr(facade, n) is not getattr(source, n))
    assert not differ, f"{facade.__name__} and {source.__name__} export different {differ}"
    return shared
