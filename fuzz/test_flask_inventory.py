"""schemathesis against examples.flask_inventory (symmetric, in-process WSGI), every check on."""

from __future__ import annotations

import examples.flask_inventory
from schemathesis import Case, openapi
from support import call_and_validate, config, form_text_type_mutation

APP = examples.flask_inventory.symmetric

schema = openapi.from_wsgi("/openapi.json", APP, config=config())


@schema.parametrize()
def test_flask_inventory(case: Case) -> None:
    """Every operation, positive and negative data, every check."""
    call_and_validate(case, known_bugs=(form_text_type_mutation,))
