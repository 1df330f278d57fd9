"""A symmetric (Flask/WSGI) inventory: the functions of `inventory.py`, plus `flask.abort`.

Run it from the repository root::

    symmetric run examples.flask_inventory

then open http://127.0.0.1:5000/docs.
"""

from __future__ import annotations

import flask

from examples import _inventory as inventory
from symmetric import Symmetric

symmetric = Symmetric(title="Inventory", version="1.0.0")
router = symmetric.router

router("/items/{item_id}", methods=["get"], responses=inventory.ITEM_RESPONSES)(inventory.get_item)
router("/items", response_code=201, responses=inventory.CREATED)(inventory.create_item)
router("/items.csv", methods=["get"], responses=inventory.CSV)(inventory.report)
router("/download", methods=["get"], responses=inventory.BINARY)(inventory.download)
router("/whoami", methods=["get"])(inventory.whoami)
router("/upload")(inventory.upload)
router("/items/{id}/name", methods=["put"], responses=inventory.ITEM_RESPONSES)(
    inventory.rename_item
)


@router("/legacy-items/{item_id}", methods=["get"], responses={404: "No such item"})
def get_legacy_item(item_id: int) -> inventory.Item:
    """Flask's own abort() works too: the same problem+json 404."""
    if item_id != 1:
        flask.abort(404, f"No item {item_id}")
    return inventory.get_item(item_id)


@router("/ping", methods=["get"], responses=inventory.TEXT)
def ping() -> flask.Response:
    """The framework's own response, sent untouched."""
    return flask.Response("pong", mimetype="text/plain")
