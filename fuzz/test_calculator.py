"""schemathesis against examples.calculator (asymmetric, in-process ASGI), every check on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import anyio
import examples.calculator
import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from schemathesis import Case, openapi
from support import CALLBACK_URL, TOKEN, call_and_validate, config

from apicore_callbacks.testing import CallbackReceiver
from asymmetric.testing import lifespan

APP = examples.calculator.asymmetric

schema = openapi.from_asgi(
    "/openapi.json",
    APP,
    config=config(
        # The valid token for positive cases; `ignored_auth` still tries none and a wrong one.
        auth={"BearerAuth": {"bearer": TOKEN}},
        # A valid, allow-listed callback URL (the local CallbackReceiver), so valid calls of
        # the callback endpoint are accepted (202) instead of refused by the SSRF guard.
        parameters={"header.Asymmetric-Callback-URL": CALLBACK_URL},
    ),
)


@pytest.fixture(scope="module", autouse=True)
def running_app() -> Iterator[None]:
    """The app's lifespan around the module: the callback worker runs, then stops cleanly."""
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(lifespan(APP)):
        yield


@schema.parametrize()
def test_calculator(case: Case) -> None:
    """Every operation, positive and negative data, every check."""
    meta = case.meta
    if (
        case.headers
        and "Idempotency-Key" in case.headers
        and meta
        and meta.generation.mode.is_positive
    ):
        # A key names one request: reusing it for other arguments is a 422 by design
        # (IETF idempotency-key draft), which no schema can say. Valid cases get fresh keys.
        case.headers["Idempotency-Key"] = f"fuzz-{uuid.uuid4()}"
    call_and_validate(case)


def test_callback_result_is_delivered() -> None:
    """The callback route's job runs and its result reaches the receiver (not only a 202)."""
    with CallbackReceiver() as receiver:
        response = post(
            "/predict",
            {"data": [1.0, 2.0, 6.0]},
            headers={"Asymmetric-Callback-URL": receiver.url("/hook")},
        )
        assert response.status_code == 202
        assert receiver.wait_for(1, timeout=20)
        assert receiver.deliveries[0].json() == {"mean": 3.0, "spread": 5.0}


# Minimal reproductions of the known bugs: each turns red (XPASS) once the package is fixed.

CHECKOUT: dict[str, Any] = {
    "order_id": "ab9345ff-104c-5b87-9109-aa65cd68613c",
    "lines": [{"item": "a", "quantity": 2}],
    "placed_at": "2024-01-01T00:00:00Z",
    "delivery": "2024-01-02",
}


def post(path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    """POST a JSON body to the app in-process."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post(path, json=body, headers=headers)

    return anyio.run(send)


def test_decimal_bounds_are_enforced() -> None:
    """An out-of-range Decimal is a 422."""
    response = post("/checkout", {**CHECKOUT, "unit_price": 20000})
    assert response.status_code == 422


def test_decimal_bounds_are_documented() -> None:
    """The Decimal bounds are in the request schema."""
    body = APP.openapi["paths"]["/checkout"]["post"]["requestBody"]["content"]
    unit_price = body["application/json"]["schema"]["properties"]["unit_price"]
    assert "maximum" in str(unit_price)


def test_decimal_result_matches_its_schema() -> None:
    """A Decimal result is written without an exponent; exponent strings are refused."""
    assert post("/checkout", {**CHECKOUT, "unit_price": "1E+2"}).status_code == 422
    response = post("/checkout", {**CHECKOUT, "unit_price": 100})
    assert response.status_code == 201
    assert "E" not in response.json()["total"]


def test_callback_key_limits_are_documented() -> None:
    """The callback key header documents its 256-character limit."""
    parameters = APP.openapi["paths"]["/predict"]["post"]["parameters"]
    (key,) = [p for p in parameters if p["name"] == "Asymmetric-Custom-Callback-Key"]
    assert key["schema"].get("maxLength") == 256
