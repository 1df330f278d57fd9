"""The petstore Flask app: `petstore.yaml` served by pymacaron-core.

Run it from the repository root::

    PETSTORE_API_KEY=s3cret flask --app examples.petstore.app run

or `gunicorn examples.petstore.app:app`. `DELETE /pets/{id}` needs `X-API-Key: s3cret`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from pymacaron_core.swagger import ApiPool

SPEC = Path(__file__).with_name("petstore.yaml")

app = Flask(__name__)
ApiPool.add("petstore", yaml_path=str(SPEC))
ApiPool.petstore.spawn_api(app)
