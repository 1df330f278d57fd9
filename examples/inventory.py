"""An asymmetric (Starlette/ASGI) inventory: errors, responses, headers, cookies, uploads.

Run it from the repository root::

    asymmetric run examples.inventory --reload

then open http://127.0.0.1:8000/docs.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse

from asymmetric import Asymmetric
from examples import _inventory as inventory

asymmetric = Asymmetric(title="Inventory", version="1.0.0")
router = asymmetric.router

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
async def get_legacy_item(item_id: int) -> inventory.Item:
    """Starlette's own HTTPException works too: the same problem+json 404."""
    if item_id != 1:
        raise HTTPException(404, f"No item {item_id}")
    return inventory.get_item(item_id)


@router("/ping", methods=["get"], responses=inventory.TEXT)
def ping() -> PlainTextResponse:
    """The framework's own response, sent untouched."""
    return PlainTextResponse("pong")
