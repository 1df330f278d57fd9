"""Functions that use the HTTP side of apicore-app: errors, responses, headers, forms.

``register`` routes them on a symmetric or asymmetric app; ``native`` holds the few lines
that differ (the framework's own exception and response).
"""

from __future__ import annotations

import collections
import hashlib
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from apicore_app import (
    Cookie,
    Header,
    HTTPError,
    Query,
    Request,
    Response,
    StreamingResponse,
    UploadFile,
)
from apicore_introspect import Range

ITEMS = {1: "hammer", 2: "saw"}
# The last uploads stay referenced here, so only the server's own close frees their files.
KEPT: collections.deque[UploadFile] = collections.deque(maxlen=3)
CHUNK = 64 * 1024


Router = Callable[..., Callable[[Callable[..., Any]], Callable[..., Any]]]


def register(router: Router, abort: Callable[[int, str], Any], native: Callable[[], Any]) -> None:
    """Route every function with ``router`` (``app.router``)."""

    @router("/items/{item_id}", methods=["get"], responses={404: "No such item"})
    def get_item(item_id: int) -> dict[str, Any]:
        if item_id not in ITEMS:
            raise HTTPError(404, f"No item {item_id}", headers={"X-Item": str(item_id)})
        return {"id": item_id, "name": ITEMS[item_id]}

    @router("/legacy-items/{item_id}", methods=["get"], responses={404: "No such item"})
    def get_legacy_item(item_id: int) -> dict[str, Any]:
        if item_id not in ITEMS:
            abort(404, f"No item {item_id}")
        return {"id": item_id, "name": ITEMS[item_id]}

    @router("/items", methods=["post"], response_code=201)
    def create_item(name: str) -> Response:
        item_id = max(ITEMS) + 1
        return Response(
            {"id": item_id, "name": name}, status=201, headers={"Location": f"/items/{item_id}"}
        )

    @router("/report.csv", methods=["get"])
    def report() -> Response:
        rows = "".join(f"{key},{value}\n" for key, value in sorted(ITEMS.items()))
        return Response("id,name\n" + rows, media_type="text/csv")

    @router("/download", methods=["get"])
    def download(size: Annotated[int, Range(ge=0, le=200 * 1024 * 1024)]) -> StreamingResponse:
        def chunks() -> Iterator[bytes]:
            block = b"x" * CHUNK
            left = size
            while left > 0:
                yield block[: min(left, CHUNK)]
                left -= CHUNK

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    @router("/whoami", methods=["get"])
    def whoami(
        tenant: Annotated[str, Header("X-Tenant")],
        session: Annotated[str, Cookie()],
        request: Request,
        count: Annotated[int, Header("X-Count"), Range(ge=1)] = 1,
        verbose: Annotated[bool, Query()] = False,
    ) -> dict[str, Any]:
        return {
            "tenant": tenant,
            "session": session,
            "count": count,
            "verbose": verbose,
            "method": request.method,
            "path": request.path,
            "request_id": request.request_id,
            "client": request.client[0] if request.client else None,
        }

    @router("/upload")
    def upload(file: UploadFile, note: str) -> dict[str, Any]:
        KEPT.append(file)
        digest = hashlib.sha256()
        while chunk := file.read(CHUNK):
            digest.update(chunk)
        return {
            "name": file.filename,
            "size": file.size,
            "sha256": digest.hexdigest(),
            "note": note,
        }

    @router("/native", methods=["get"])
    def native_response() -> Any:
        return native()
