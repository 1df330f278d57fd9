"""schemathesis against examples.inventory (asymmetric, in-process ASGI), every check on.

Errors, ready responses (201 + Location, CSV, a stream), header/cookie/query parameters and
a multipart upload.
"""

from __future__ import annotations

from collections.abc import Iterator

import examples.inventory
import pytest
from anyio.from_thread import start_blocking_portal
from schemathesis import Case, openapi
from support import call_and_validate, config, form_text_type_mutation

from asymmetric.testing import lifespan

APP = examples.inventory.asymmetric

schema = openapi.from_asgi("/openapi.json", APP, config=config())


@pytest.fixture(scope="module", autouse=True)
def running_app() -> Iterator[None]:
    """The app's lifespan around the module."""
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(lifespan(APP)):
        yield


@schema.parametrize()
def test_inventory(case: Case) -> None:
    """Every operation, positive and negative data, every check."""
    call_and_validate(case, known_bugs=(form_text_type_mutation,))
