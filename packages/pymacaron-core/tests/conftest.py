"""pytest configuration for pymacaron-core's own tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import flask
import pytest

from pymacaron_core import Pool
from pymacaron_core.testing import isolated_pool

HERE = Path(__file__).resolve().parent
SPECS = HERE / "specs"

# The specs bind handlers by dotted path (``pymc_testapp.handlers.do_login``).
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@pytest.fixture
def pool() -> Iterator[Pool]:
    with isolated_pool() as fresh:
        yield fresh


@pytest.fixture
def app(pool: Pool) -> flask.Flask:
    """Every test spec spawned on one app, as the README composes services."""
    from pymc_testapp import handlers, persistence, wsgi

    handlers.CALLS.clear()
    handlers.LOGINS.clear()
    persistence.STORE.clear()
    return wsgi.create_app()


@pytest.fixture
def client(app: flask.Flask) -> flask.testing.FlaskClient:
    return app.test_client()
