"""The legacy README's examples through Flask's test client."""

from __future__ import annotations

from typing import Any

import flask
import pytest
from pymc_testapp import handlers
from pymc_testapp.wsgi import SPECS

from pymacaron_core import Pool
from pymacaron_core.swagger import ApiPool

PROBLEM = "application/problem+json"


def test_login_handler_receives_the_body_model_and_returns_a_model(
    client: flask.testing.FlaskClient,
) -> None:
    r = client.post("/v1/login", json={"email": "a@a.a", "password": "secret"})
    assert r.status_code == 200
    assert r.get_json() == {"message": "Welcome a@a.a!"}
    assert r.mimetype == "application/json"
    [credentials] = handlers.LOGINS
    assert credentials == ApiPool.login.model.Credentials(email="a@a.a", password="secret")


def test_login_handler_may_answer_a_flask_response(client: flask.testing.FlaskClient) -> None:
    r = client.post("/v1/login", json={"email": "a@a.a", "password": "nope"})
    assert r.status_code == 401
    assert r.get_json() == {"error": "INVALID_CREDENTIALS"}


def test_a_json_body_without_content_type_is_accepted_as_legacy(
    client: flask.testing.FlaskClient,
) -> None:
    r = client.post("/v1/login", data=b'{"email": "a@a.a", "password": "secret"}')
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"password": "secret"}, ["body", "email"]),
        ({"email": "a@a.a", "password": ""}, ["body", "password"]),
        ({"email": 5, "password": "x"}, ["body", "email"]),
    ],
)
def test_invalid_bodies_get_a_400_problem_and_the_handler_is_not_called(
    client: flask.testing.FlaskClient, body: dict[str, Any], loc: list[str]
) -> None:
    r = client.post("/v1/login", json=body)
    assert r.status_code == 400
    # the spec's `default` Error schema, in the media type it declares
    assert r.mimetype == "application/json"
    error = r.get_json()
    assert error["status"] == 400
    assert [e["loc"] for e in error["errors"]] == [loc]
    assert handlers.LOGINS == []


def test_malformed_json_is_a_400_problem(client: flask.testing.FlaskClient) -> None:
    r = client.post("/v1/login", data=b'{"email": ', content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["errors"][0]["type"] == "json_invalid"


def test_wrong_content_type_is_a_415_problem(client: flask.testing.FlaskClient) -> None:
    r = client.post("/v1/login", data=b"email=a", content_type="text/csv")
    assert r.status_code == 415
    assert r.mimetype == "application/json"  # the spec's default Error
    assert r.get_json() == {
        "error": "Send the body as application/json, not text/csv.",
        "status": 415,
    }


def test_global_decorator_wraps_every_route_of_the_api(client: flask.testing.FlaskClient) -> None:
    client.post("/v1/login", json={"email": "a@a.a", "password": "secret"})
    client.get("/v1/hello")
    client.get("/v1/version")  # another API, spawned without the decorator
    assert [c.rsplit(" ", 1)[0] for c in handlers.CALLS] == ["POST /v1/login", "GET /v1/hello"]
    assert all(len(c.rsplit(" ", 1)[1]) == 36 for c in handlers.CALLS)  # a uuid4 call id


def test_html_endpoint_returns_a_string_or_a_tuple(client: flask.testing.FlaskClient) -> None:
    r = client.get("/v1/hello?name=bob")
    assert (r.status_code, r.mimetype, r.text) == (200, "text/html", "<h1>hello bob</h1>")
    r = client.get("/v1/hello?name=tuple")
    assert (r.status_code, r.text) == (201, "<h1>created</h1>")


def test_handler_exception_with_default_callback_is_a_500_problem_without_its_text(
    client: flask.testing.FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    r = client.get("/v1/crash")
    assert r.status_code == 500
    assert r.mimetype == PROBLEM
    assert "hunter2" not in r.text
    assert r.get_json()["type"] == "urn:apicore:problem:internal-error"
    assert r.headers["PymCallID"] in r.get_json()["detail"]
    assert "RuntimeError" in caplog.text  # the log has the traceback


def test_handler_exception_goes_through_error_callback(client: flask.testing.FlaskClient) -> None:
    r = client.get("/v1/fail")
    assert r.status_code == 500
    assert r.get_json() == {"error": "the handler failed", "status": 500}


def test_exception_status_code_is_kept(client: flask.testing.FlaskClient) -> None:
    r = client.get("/v1/teapot")
    assert r.status_code == 418
    assert r.get_json() == {"error": "short and stout", "status": 418}


def test_validation_errors_go_through_error_callback(client: flask.testing.FlaskClient) -> None:
    r = client.get("/v1/echo/abc/notanint?opt=x")
    assert r.status_code == 400
    body = r.get_json()
    assert body["status"] == 400
    assert "path.num" in body["error"]
    assert "query.opt" in body["error"]


def test_path_and_query_parameters_are_typed_kwargs(client: flask.testing.FlaskClient) -> None:
    r = client.get("/v1/echo/abc/42?opt=5&flag=true")
    assert r.get_json() == {"item": "abc", "num": 42, "opt": 5, "flag": True}
    r = client.get("/v1/echo/abc/42")
    assert r.get_json() == {"item": "abc", "num": 42, "flag": False}  # default applied


def test_result_that_does_not_fit_the_spec_is_a_500(client: flask.testing.FlaskClient) -> None:
    r = client.get("/v1/bad-result")
    assert r.status_code == 500
    assert r.mimetype == PROBLEM
    assert "message" not in r.get_json()["detail"]


def test_none_result_is_a_500(client: flask.testing.FlaskClient) -> None:
    assert client.get("/v1/nothing").status_code == 500


def test_x_no_bind_server_operations_get_no_route(client: flask.testing.FlaskClient) -> None:
    assert client.post("/v1/logout").status_code == 404


def test_unknown_method_is_405(client: flask.testing.FlaskClient) -> None:
    assert client.delete("/v1/login").status_code == 405


def test_x_decorate_server_wraps_the_handler(client: flask.testing.FlaskClient) -> None:
    r = client.post("/v1/user", json={"name": "Ada", "surname": "Lovelace"})
    assert r.status_code == 201
    assert client.get("/v1/user/ada.lovelace").status_code == 401
    r = client.get(
        "/v1/user/ada.lovelace?uppercase=true", headers={"Authorization": "Bearer let-me-in"}
    )
    assert r.status_code == 200
    assert r.get_json() == {"id": "ada.lovelace", "name": "ADA", "surname": "LOVELACE"}


def test_x_persist_hooks_are_injected(client: flask.testing.FlaskClient) -> None:
    User = ApiPool.user.model.User
    User(id="x", name="n", surname="s").save_to_db()
    loaded = User.load_from_db("x")  # type: ignore[attr-defined]  # injected by x-persist
    assert loaded == User(id="x", name="n", surname="s")
    r = client.get("/v1/user/nobody", headers={"Authorization": "Bearer let-me-in"})
    assert r.status_code == 404
    assert r.get_json() == {"error": "no user nobody"}


def test_call_id_and_path_come_from_headers(client: flask.testing.FlaskClient) -> None:
    r = client.get("/v1/version", headers={"PymCallID": "abc", "PymCallPath": "front.user"})
    assert r.get_json() == {"version": "1.2.3", "call_id": "abc", "call_path": "front.user.public"}
    assert r.headers["PymCallID"] == "abc"


def test_readme_header_spelling_is_accepted(client: flask.testing.FlaskClient) -> None:
    r = client.get("/v1/version", headers={"PymCallerID": "xyz", "PymCallerPath": "front"})
    assert r.get_json()["call_id"] == "xyz"
    assert r.get_json()["call_path"] == "front.public"


def test_a_new_call_id_is_made_without_headers(client: flask.testing.FlaskClient) -> None:
    first = client.get("/v1/version").get_json()
    second = client.get("/v1/version").get_json()
    assert first["call_path"] == "public"
    assert first["call_id"] != second["call_id"]


def test_form_data_fields_are_typed_kwargs(client: flask.testing.FlaskClient) -> None:
    r = client.post("/v1/form", data={"item": "a", "num": "3"})
    assert (r.status_code, r.get_json()) == (200, {"item": "a", "num": 3})
    r = client.post("/v1/form", data={"item": "a", "num": "x"}, content_type="multipart/form-data")
    assert r.status_code == 400
    assert "formData.num" in r.get_json()["error"]


def test_flask_abort_in_a_handler_keeps_its_status(client: flask.testing.FlaskClient) -> None:
    assert client.get("/v1/abort").status_code == 404


def test_validation_error_raised_by_a_handler_is_a_400_problem(
    client: flask.testing.FlaskClient,
) -> None:
    r = client.get("/v1/refuse")
    assert (r.status_code, r.mimetype) == (400, PROBLEM)
    assert r.get_json()["detail"] == "the 'when' argument must be in the future"


def test_one_log_line_per_request_with_the_call_id(
    client: flask.testing.FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="apicore.access"):
        client.get("/v1/version", headers={"PymCallID": "log-me"})
    lines = [r.getMessage() for r in caplog.records if r.name == "apicore.access"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /v1/version 200")
    assert "request_id=log-me" in lines[0]  # the call id is the request id


def test_undeclared_status_is_sent_and_logged(
    client: flask.testing.FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    r = client.get("/v1/accepted")
    assert (r.status_code, r.get_json()) == (202, {"version": "x"})
    assert any("does not declare" in m for m in caplog.messages)


def test_error_callback_returning_none_counts_as_unhandled(pool: Pool) -> None:
    seen: list[Exception] = []
    app = flask.Flask("t")
    ApiPool.add("login", yaml_path=SPECS / "login.yaml", error_callback=seen.append)
    ApiPool.login.spawn_api(app)
    client = app.test_client()
    r = client.post("/v1/login", json={})
    assert (r.status_code, r.mimetype) == (400, "application/json")  # declared default Error
    r = client.get("/v1/crash")
    assert (r.status_code, r.mimetype) == (500, PROBLEM)
    assert [type(e).__name__ for e in seen] == ["ValidationError", "RuntimeError"]


def test_an_empty_answer_has_the_spec_media_type(client: flask.testing.FlaskClient) -> None:
    created = client.post("/v2/pets", json={"name": "rex"})
    assert created.status_code in (200, 201), created.data
    response = client.delete(f"/v2/pets/{created.get_json()['id']}")
    assert response.status_code == 204
    assert response.data == b""
    assert response.headers["Content-Type"] == "application/json"  # the spec's, not text/html
