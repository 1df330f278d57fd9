"""An asymmetric (Starlette/ASGI) calculator: every supported type, auth, callbacks.

Run it from the repository root::

    export APICORE_API_KEY=s3cret APICORE_CALLBACKS_ALLOW=127.0.0.1
    asymmetric run examples.calculator --reload

then open http://127.0.0.1:8000/docs. `/whoami` needs `Authorization: Bearer s3cret`
(or tokens from the file named by `APICORE_TOKENS_FILE`); `/predict` answers 202 and
POSTs its result to the URL in the `Asymmetric-Callback-URL` header.
"""

from __future__ import annotations

import asyncio

from asymmetric import asymmetric
from examples import _functions as functions
from examples._functions import Small


@asymmetric.router("/multiply")
async def multiply(a: Small, b: Small) -> float:
    """Multiply two numbers, asynchronously."""
    await asyncio.sleep(0)
    return a * b


asymmetric.router("/add")(functions.add)
asymmetric.router("/distance")(functions.distance)
asymmetric.router("/squares/{n}", methods=["get"])(functions.squares)
asymmetric.router("/stats", methods=["get"])(functions.stats)
asymmetric.router("/checkout", methods=["post"], response_code=201)(functions.checkout)
asymmetric.router("/inspect")(functions.inspect)
asymmetric.router("/whoami", methods=["get"], auth=True)(functions.whoami)
asymmetric.router("/predict", callback=True)(functions.predict)
