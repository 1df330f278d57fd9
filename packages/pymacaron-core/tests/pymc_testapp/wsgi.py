"""The app gunicorn serves in the integration tests: every test spec on one Flask app."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from flask import Flask

from apicore_specbind import Spec, load_spec
from pymacaron_core.swagger import ApiPool
from pymc_testapp.handlers import analytics_wrapper

SPECS = Path(__file__).resolve().parent.parent / "specs"


def my_error_formatter(e: Exception) -> Any:
    """The README's error_callback: errors as the API's own Error model."""
    return ApiPool.public.model.Error(error=str(e), status=getattr(e, "status_code", 500))


@functools.cache
def spec(name: str) -> Spec:
    """Each spec loaded once per process: tests build many apps from the same files."""
    return load_spec(SPECS / f"{name}.yaml")


def create_app(*, local: bool = False) -> Flask:
    """Every test API on one app; ``local`` clients call it in-process (legacy local mode)."""
    app = Flask("pymc_testapp")
    ApiPool.add(
        "public",
        spec=spec("public"),
        error_callback=my_error_formatter,
        local=local,
    )
    ApiPool.add("login", spec=spec("login"), local=local)
    ApiPool.add("user", spec=spec("user"), timeout=20, local=local)
    ApiPool.add("petstore", spec=spec("petstore"))
    ApiPool.add("notes", spec=spec("notes"))
    ApiPool.public.spawn_api(app)
    ApiPool.login.spawn_api(app, decorator=analytics_wrapper)
    ApiPool.user.spawn_api(app)
    ApiPool.petstore.spawn_api(app, base_path=ApiPool.petstore.spec.base_path)
    ApiPool.notes.spawn_api(app, base_path=ApiPool.notes.spec.base_path)
    return app


app = create_app()
