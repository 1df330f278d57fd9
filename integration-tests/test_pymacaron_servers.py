"""pymacaron-core's spec-first server on gunicorn (Flask) and uvicorn (Starlette).

Each test reproduces one bug that schemathesis found in the pre-apicore-app pipeline (issue
15) against both real servers and shows it fixed. The app is ``apps/pymc_petstore.py``; its
handlers echo the keyword arguments they received in the ``X-Kwargs`` header.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

APPS = Path(__file__).parent / "apps"
if str(APPS) not in sys.path:
    sys.path.insert(0, str(APPS))

from pymc_petstore import SERVERS, serve  # noqa: E402  (the app, and how it is run)

FORM = "application/x-www-form-urlencoded"
# Generous: the machine running the suite may be busy; every call is still bounded.
HTTP = httpx.Client(timeout=30)


@pytest.fixture(scope="module", params=sorted(SERVERS))
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running server (started and stopped here, 127.0.0.1 only)."""
    with serve(request.param, tmp_path_factory.mktemp(request.param)) as base:
        yield base


def kwargs_seen(response: httpx.Response) -> tuple[list[str], object]:
    """The keyword argument names the handler got, and its ``petId``."""
    names, pet_id = response.headers["X-Kwargs"].split("|", 1)
    return json.loads(names), json.loads(pet_id)


def test_an_undeclared_form_field_is_a_400_and_never_reaches_the_handler(url: str) -> None:
    # was: 500, TypeError: update_pet_with_form() got an unexpected keyword argument 'bogus'
    # Swagger 2.0 formData is a closed set of fields: anything else is a 400 naming it
    for body in ("name=x&bogus=1", "=1&name=y"):  # an empty field name too
        r = HTTP.post(f"{url}/v2/pet/3", content=body, headers={"Content-Type": FORM})
        assert r.status_code == 400, r.text
        assert "X-Kwargs" not in r.headers  # the handler was not called
        assert r.json()["errors"][0]["type"] == "extra_forbidden"
    files = {"file": ("a.png", b"png"), "bogus": ("b.txt", b"?")}
    r = HTTP.post(f"{url}/v2/pet/3/uploadImage", files=files)
    assert r.status_code == 400, r.text
    r = HTTP.post(f"{url}/v2/pet/3", content="name=x", headers={"Content-Type": FORM})
    assert r.status_code == 200, r.text
    assert kwargs_seen(r)[0] == ["name"]


def test_a_form_field_never_overrides_the_path_parameter(url: str) -> None:
    # was: the handler called with petId='not-an-int' (a validation bypass)
    data = {"additionalMetadata": "hi", "petId": "not-an-int"}
    r = HTTP.post(f"{url}/v2/pet/1/uploadImage", data=data, files={"file": ("a", b"x")})
    assert r.status_code == 400, r.text  # petId is not a declared form field
    assert "X-Kwargs" not in r.headers
    data = {"additionalMetadata": "hi"}
    r = HTTP.post(f"{url}/v2/pet/1/uploadImage", data=data, files={"file": ("a", b"x")})
    assert r.status_code == 200, r.text
    assert kwargs_seen(r) == (["additionalMetadata", "file", "petId"], 1)


def test_an_xml_body_is_decoded_and_validated(url: str) -> None:
    # was: `<<<not xml` reached the handler as raw bytes, a 200
    xml = {"Content-Type": "application/xml"}
    r = HTTP.post(f"{url}/v2/pet", content=b"<<<not xml", headers=xml)
    assert r.status_code == 400
    r = HTTP.post(f"{url}/v2/pet", content=b"<Pet><id>1</id></Pet>", headers=xml)
    assert r.status_code == 400  # name is required
    assert r.json()["errors"][0]["loc"] == ["body", "name"]
    r = HTTP.post(f"{url}/v2/pet", content=b"<Pet><id>4</id><name>x</name></Pet>", headers=xml)
    assert (r.status_code, r.json()) == (200, {"id": 4, "name": "x"})


def test_errors_use_the_declared_media_type_and_error_schema(url: str) -> None:
    # was: application/problem+json where the spec declares application/json and Error
    for r in (
        HTTP.get(f"{url}/v2/pet/not-an-int"),
        HTTP.post(f"{url}/v2/pet", json={"name": 3}),
        HTTP.post(f"{url}/v2/pet", content=b"a,b", headers={"Content-Type": "text/csv"}),
        HTTP.get(f"{url}/v2/pet/1", headers={"X-Tenant": "x" * 21}),
    ):
        assert r.status_code in (400, 415), r.text
        assert r.headers["Content-Type"] == "application/json"
        error = r.json()
        assert error["code"] == r.status_code
        assert isinstance(error["message"], str)
        assert error["message"]


def test_an_empty_request_to_an_all_optional_multipart_operation_is_accepted(url: str) -> None:
    # was: 400 "the multipart body could not be parsed"
    r = HTTP.post(f"{url}/v2/pet/5/uploadImage")
    assert r.status_code == 200, r.text
    assert kwargs_seen(r) == (["petId"], 5)
    headers = {"Content-Type": "multipart/form-data; boundary=xyz"}
    r = HTTP.post(f"{url}/v2/pet/5/uploadImage", content=b"--xyz--\r\n", headers=headers)
    assert r.status_code == 200, r.text


def test_unknown_paths_are_json_and_the_spec_has_docs(url: str) -> None:
    # was: Flask's HTML 404 and no /docs
    r = HTTP.get(f"{url}/v2/nowhere")
    assert (r.status_code, r.headers["Content-Type"]) == (404, "application/problem+json")
    r = HTTP.delete(f"{url}/v2/pet/1")
    assert (r.status_code, r.headers["Content-Type"]) == (405, "application/problem+json")
    assert set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}
    for page in ("/docs", "/redoc"):
        r = HTTP.get(url + page)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/html")
        assert "cdn" not in r.text.lower()  # offline: assets served by the app itself
    r = HTTP.get(f"{url}/openapi.json")
    assert r.json()["swagger"] == "2.0"
    assert "/pet/{petId}/uploadImage" in r.json()["paths"]


def test_call_ids_travel_and_async_handlers_run(url: str) -> None:
    r = HTTP.get(f"{url}/v2/pet/7", params={"verbose": "true"}, headers={"PymCallID": "c-7"})
    assert (r.status_code, r.json()) == (200, {"id": 7, "name": "verbose rex"})
    assert r.headers["PymCallID"] == "c-7"
    assert r.headers["X-Request-ID"] == "c-7"
