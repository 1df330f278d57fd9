"""schemathesis against examples.flask_calculator (symmetric, in-process WSGI), every check on."""

from __future__ import annotations

import examples.flask_calculator
from schemathesis import Case, openapi
from support import TOKEN, call_and_validate, config

APP = examples.flask_calculator.symmetric

schema = openapi.from_wsgi(
    "/openapi.json",
    APP,
    # The valid token for positive cases; `ignored_auth` still tries none and a wrong one.
    config=config(auth={"BearerAuth": {"bearer": TOKEN}}),
)


@schema.parametrize()
def test_flask_calculator(case: Case) -> None:
    """Every operation, positive and negative data, every check."""
    call_and_validate(case)


def test_path_parameter_with_newline_is_a_validation_error() -> None:
    """A path value that is not an integer is a 422, whatever characters it holds."""
    response = APP.test_client().get("/squares/a%0Ab")
    assert response.status_code == 422
