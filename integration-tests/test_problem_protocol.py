"""Every package's errors that answer a request satisfy the one problem protocol.

``problem_fields()`` gives status, slug, title, detail and errors; only
``apicore_introspect.render_problem`` (re-exported by apicore-app) applies the one prefix.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import pytest

import apicore_app
import apicore_auth
import apicore_callbacks
import apicore_introspect
import apicore_specbind
import asymmetric
import symmetric
from apicore_introspect import (
    PROBLEM_MEMBERS,
    PROBLEM_TYPE_PREFIX,
    ErrorDetail,
    ProblemError,
    render_problem,
)

MODULES = (
    "apicore_app",
    "apicore_auth",
    "apicore_callbacks",
    "apicore_callbacks.adapters",
    "apicore_client",
    "apicore_introspect",
    "apicore_openapi",
    "apicore_specbind",
    "asymmetric",
    "pymacaron_core",
    "symmetric",
)


def _public_errors() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, BaseException):
                found[f"{module_name}.{name}"] = value
    return found


def _answers_requests(cls: type[BaseException]) -> bool:
    """Whether a class describes a problem document to answer a request with.

    apicore-client's errors are excluded by this test: their ``problem`` is a property, the
    document *received* from a server, not one to answer with. pymacaron-core's legacy
    exceptions carry ``status_code`` (legacy) and are answered by its Flask adapter.
    """
    legacy = getattr(cls, "problem", None)
    return (
        hasattr(cls, "problem_fields")
        or hasattr(cls, "to_problem")
        or (callable(legacy) and not isinstance(legacy, property))
        or isinstance(getattr(cls, "status", None), int)
    )


PUBLIC = _public_errors()
ANSWERING = {name: cls for name, cls in PUBLIC.items() if _answers_requests(cls)}


def test_the_packages_have_errors_that_answer_requests() -> None:
    # Every package that answers requests with problems is represented.
    owners = {name.split(".")[0] for name in ANSWERING}
    assert owners >= {
        "apicore_app",
        "apicore_auth",
        "apicore_callbacks",
        "apicore_introspect",
        "apicore_specbind",
        "asymmetric",
        "symmetric",
    }


@pytest.mark.parametrize("name", sorted(ANSWERING))
def test_every_answering_error_class_satisfies_the_protocol(name: str) -> None:
    cls = ANSWERING[name]
    assert issubclass(cls, ProblemError), f"{name} has no problem_fields()"


def _header_case(label: str, cls: type[Any], header: str) -> tuple[str, Any, dict[str, Any]]:
    """A bad callback header: the error and the 422 document it is answered with."""
    error = cls(f"Bad {header}.", legacy_message="bad", loc=["header", header], kind="bad")
    item = {"loc": ["header", header], "msg": f"Bad {header}.", "type": "bad"}
    document = {
        "type": "urn:apicore:problem:validation-error",
        "title": "Invalid callback request",
        "status": 422,
        "detail": f"Bad {header}.",
        "errors": [item],
    }
    return label, error, document


INSTANCES: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "introspect validation",
        apicore_introspect.ValidationError((ErrorDetail(("body", "x"), "bad", "int_type"),)),
        {
            "type": "urn:apicore:problem:validation-error",
            "title": "Validation error",
            "status": 422,
            "detail": "The request has 1 validation error.",
            "errors": [{"loc": ["body", "x"], "msg": "bad", "type": "int_type"}],
        },
    ),
    (
        "introspect malformed",
        apicore_introspect.MalformedRequestError("Not JSON."),
        {
            "type": "urn:apicore:problem:malformed-request",
            "title": "Malformed request",
            "status": 400,
            "detail": "Not JSON.",
        },
    ),
    (
        "specbind too large",
        apicore_specbind.BodyTooLargeError("Too big."),
        {
            "type": "urn:apicore:problem:payload-too-large",
            "title": "Payload too large",
            "status": 413,
            "detail": "Too big.",
        },
    ),
    (
        "specbind validation",
        apicore_specbind.RequestValidationError(
            [ErrorDetail(("query", "n"), "no", "type")], status=400
        ),
        {
            "type": "urn:apicore:problem:validation-error",
            "title": "Validation error",
            "status": 400,
            "detail": "The request has 1 validation error.",
            "errors": [{"loc": ["query", "n"], "msg": "no", "type": "type"}],
        },
    ),
    (
        "auth scope",
        apicore_auth.InsufficientScopeError("Needs more.", required=["b", "a"]),
        {
            "type": "urn:apicore:problem:forbidden",
            "title": "Forbidden",
            "status": 403,
            "detail": "Needs more.",
            "required_scopes": ["a", "b"],
        },
    ),
    (
        "auth missing",
        apicore_auth.MissingTokenError("No token."),
        {
            "type": "urn:apicore:problem:unauthorized",
            "title": "Unauthorized",
            "status": 401,
            "detail": "No token.",
        },
    ),
    _header_case("callbacks header", apicore_callbacks.CallbackRequestError, "X-Callback-URL"),
    (
        "callbacks broker",
        apicore_callbacks.BrokerUnavailableError("redis down at 10.0.0.1"),
        {
            "type": "urn:apicore:problem:service-unavailable",
            "title": "Service unavailable",
            "status": 503,
            "detail": "the callback job could not be queued; retry later",
        },
    ),
    (
        "symmetric legacy auth",
        symmetric.AuthenticationRequiredError("No token."),
        {
            "type": "urn:apicore:problem:unauthorized",
            "title": "Unauthorized",
            "status": 401,
            "detail": "No token.",
        },
    ),
    _header_case(
        "asymmetric legacy callback headers",
        asymmetric.InvalidCallbackHeadersError,
        "X-Callback-Method",
    ),
    (
        "app HTTPError",
        apicore_app.HTTPError(404, "No such pet.", extra={"pet": 7}),
        {
            "type": "urn:apicore:problem:not-found",
            "title": "Not found",
            "status": 404,
            "detail": "No such pet.",
            "pet": 7,
        },
    ),
    (
        "app HTTPError with its own type",
        apicore_app.HTTPError(402, type="https://example.com/probs/credit", title="No credit"),
        {"type": "https://example.com/probs/credit", "title": "No credit", "status": 402},
    ),
]


@pytest.mark.parametrize(("label", "error", "document"), INSTANCES, ids=[i[0] for i in INSTANCES])
def test_one_renderer_makes_the_documents_on_the_wire(
    label: str, error: Any, document: dict[str, Any]
) -> None:
    assert isinstance(error, ProblemError), label
    fields = error.problem_fields()
    assert set(PROBLEM_MEMBERS) <= set(fields)
    assert ":" not in fields["slug"]  # a slug, never the URI
    assert render_problem(error) == document
    assert list(render_problem(error)) == list(document)  # member order kept too
    # The old document methods still give the same document; only the app's own
    # HTTPError.problem() is not deprecated.
    legacy = getattr(error, "to_problem", None) or getattr(error, "problem", None)
    assert callable(legacy), label
    if isinstance(error, apicore_app.HTTPError):
        assert legacy() == document
    else:
        with pytest.deprecated_call(match=r"problem\(\) is deprecated"):
            assert legacy() == document


def test_the_app_reexports_the_one_renderer_and_prefix() -> None:
    assert apicore_app.render_problem is render_problem
    assert apicore_app.PROBLEM_TYPE_PREFIX is PROBLEM_TYPE_PREFIX
    assert apicore_app.ProblemError is ProblemError


def test_the_status_override_is_the_renderers() -> None:
    error = apicore_introspect.ValidationError((ErrorDetail(("body",), "m", "missing"),))
    assert render_problem(error, status=400)["status"] == 400
    assert error.problem_fields()["status"] == 422


def test_the_old_specbind_prefix_is_a_deprecated_alias() -> None:
    with pytest.deprecated_call(match="apicore_introspect.PROBLEM_TYPE_PREFIX"):
        value = apicore_specbind.PROBLEM_TYPE_PREFIX
    assert value is PROBLEM_TYPE_PREFIX
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "PROBLEM_TYPE_PREFIX" not in apicore_specbind.__all__
