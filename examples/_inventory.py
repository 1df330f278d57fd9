"""An inventory: the HTTP side of functions, shared by `inventory.py` and `flask_inventory.py`.

Errors raised as `HTTPError`, answers built with `Response` (201 with `Location`, a CSV), a
streamed download, header, cookie and query parameters, the request itself, and a file
upload with a form field. Nothing here imports a web framework.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from apicore_app import (
    Cookie,
    Form,
    Header,
    HTTPError,
    Path,
    Query,
    Request,
    Response,
    StreamingResponse,
    UploadFile,
)
from apicore_introspect import Length, Range

Name = Annotated[str, Length(1, 40)]
Tenant = Annotated[str, Header("X-Tenant"), Length(1, 40)]
MAX_ITEMS = 1000  # a bounded store: the fuzzer creates many items


@dataclass(frozen=True)
class Item:
    """An item of the inventory.

    Attributes:
        id: Its number.
        name: What it is.
        tenant: Who owns it.
    """

    id: int
    name: str
    tenant: str


@dataclass(frozen=True)
class Upload:
    """What the server received.

    Attributes:
        filename: The client's file name.
        size: Bytes received.
        sha256: The SHA-256 of the file, in hex.
        note: The form's note.
    """

    filename: str | None
    size: int
    sha256: str
    note: str


_items: dict[int, Item] = {1: Item(1, "hammer", "acme")}
_ids = itertools.count(2)
_lock = threading.Lock()

ITEM_RESPONSES: dict[int, Any] = {404: "No such item"}
CREATED = {
    201: {
        "description": "Created; `Location` is the item's URL.",
        "headers": {"Location": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
    }
}
CSV = {200: {"description": "The items as CSV.", "content": {"text/csv": {"schema": {}}}}}
TEXT = {200: {"description": "Plain text.", "content": {"text/plain": {"schema": {}}}}}
BINARY = {
    200: {
        "description": "`size` bytes, streamed.",
        "content": {"application/octet-stream": {"schema": {}}},
    }
}


# --8<-- [start:get_item]
def get_item(item_id: int) -> Item:
    """One item; 404 when there is none."""
    item = _items.get(item_id)
    if item is None:
        raise HTTPError(404, f"No item {item_id}")
    return item


# --8<-- [end:get_item]


# --8<-- [start:create_item]
def create_item(name: Name, tenant: Tenant) -> Response:
    """Create an item owned by the `X-Tenant` header's tenant: 201 with its `Location`."""
    with _lock:
        item = Item(next(_ids), name, tenant)
        _items[item.id] = item
        while len(_items) > MAX_ITEMS:
            del _items[min(_items)]
    return Response(item, status=201, headers={"Location": f"/items/{item.id}"})


# --8<-- [end:create_item]


# --8<-- [start:report]
def report() -> Response:
    """Every item as CSV."""
    rows = [f"{item.id},{item.name},{item.tenant}" for item in list(_items.values())]
    return Response("\n".join(["id,name,tenant", *rows]) + "\n", media_type="text/csv")


# --8<-- [end:report]


# --8<-- [start:download]
def download(size: Annotated[int, Range(ge=0, le=10_000_000)] = 1024) -> StreamingResponse:
    """`size` bytes, sent as they are produced (memory stays flat)."""

    def chunks() -> Iterator[bytes]:
        block = b"\0" * 65536
        for start in range(0, size, len(block)):
            yield block[: min(len(block), size - start)]

    return StreamingResponse(chunks())


# --8<-- [end:download]


# --8<-- [start:whoami]
def whoami(
    tenant: Tenant,
    request: Request,
    session: Annotated[str | None, Cookie()] = None,
    verbose: Annotated[bool, Query()] = False,
) -> dict[str, Any]:
    """Who is asking: the tenant header, the session cookie and the request's id."""
    answer: dict[str, Any] = {"tenant": tenant, "session": session}
    if verbose:
        answer["request_id"] = request.request_id
        answer["path"] = request.path
    return answer


# --8<-- [end:whoami]


# --8<-- [start:upload]
def upload(file: UploadFile, note: Annotated[str, Length(max=200)] = "") -> Upload:
    """Receive a file (multipart/form-data) with an optional note."""
    digest = hashlib.sha256()
    while chunk := file.read(65536):
        digest.update(chunk)
    return Upload(file.filename, file.size, digest.hexdigest(), note)


# --8<-- [end:upload]


# --8<-- [start:rename_item]
def rename_item(item_id: Annotated[int, Path("id")], name: Annotated[Name, Form()]) -> Item:
    """Rename an item, from a form (URL-encoded or multipart); the path says `{id}`."""
    with _lock:
        item = get_item(item_id)
        renamed = Item(item.id, name, item.tenant)
        _items[item.id] = renamed
    return renamed


# --8<-- [end:rename_item]
