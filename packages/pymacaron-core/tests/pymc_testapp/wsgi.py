"""The app gunicorn serves in the integration tests: every test spec on one Flask app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from pymacaron_core.swagger import ApiPool
from pymc_testapp.handlers import analytics_wrapper

SPECS = Path(__file__).resolve().parent.parent / "specs"


def my_error_formatter(e: Exception) -> Any:
    """The README's error_callback: errors as the API's own Error model."""
    return ApiPool.public.model.Error(error=str(e), status=getattr(e, "status_code", 500))


def create_app() -> Flask:
    app = Flask("pymc_testapp")
    ApiPool.add("public", yaml_path=SPECS / "public.yaml", error_callback=my_error_formatter)
    ApiPool.add("login", yaml_path=SPECS / "login.yaml")
    ApiPool.add("user", yaml_path=SPECS / "user.yaml", timeout=20)
    ApiPool.add("petstore", yaml_path=SPECS / "petstore.yaml")
    ApiPool.add("notes", yaml_path=SPECS / "notes.yaml")
    ApiPool.public.spawn_api(app)
    ApiPool.login.spawn_api(app, decorator=analytics_wrapper)
    ApiPool.user.spawn_api(app)
    ApiPool.petstore.spawn_api(app, base_path=ApiPool.petstore.spec.base_path)
    ApiPool.notes.spawn_api(app, base_path=ApiPool.notes.spec.base_path)
    return app


app = create_app()
