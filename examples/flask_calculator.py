"""A symmetric (Flask/WSGI) calculator: the same functions as `calculator.py`.

Run it from the repository root::

    APICORE_API_KEY=s3cret symmetric run examples.flask_calculator

then open http://127.0.0.1:5000/docs. `/whoami` needs the token in
`Authorization: Bearer s3cret`, `X-API-Key` or the legacy `Symmetric-Api-Key` header.
In production: `gunicorn examples.flask_calculator:symmetric`.
"""

from __future__ import annotations

import asyncio

from examples import _functions as functions
from examples._functions import Small
from symmetric import symmetric


@symmetric.router("/multiply", methods=["post"])
async def multiply(a: Small, b: Small) -> float:
    """Multiply two numbers (an async function under WSGI)."""
    await asyncio.sleep(0)
    return a * b


symmetric.router("/add", methods=["post"])(functions.add)
symmetric.router("/distance", methods=["post"])(functions.distance)
symmetric.router("/squares/{n}", methods=["get"])(functions.squares)
symmetric.router("/stats", methods=["get"])(functions.stats)
symmetric.router("/checkout", methods=["post"], response_code=201)(functions.checkout)
symmetric.router("/inspect", methods=["post"])(functions.inspect)
symmetric.router("/whoami", methods=["get"], auth_token=True)(functions.whoami)
