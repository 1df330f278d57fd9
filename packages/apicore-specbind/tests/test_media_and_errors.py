"""Body decoders, undecodable media types, empty forms and declared error bodies."""

from __future__ import annotations

from typing import Any

import pytest

from apicore_specbind import Spec, UnsupportedMediaTypeError

SPEC = """
swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /pets:
    post:
      consumes: [application/json, application/xml]
      parameters:
        - {in: body, name: body, required: true, schema: {$ref: "#/definitions/Pet"}}
      responses:
        200: {description: ok}
        default: {description: error, schema: {$ref: "#/definitions/Error"}}
  /forms:
    post:
      consumes: [multipart/form-data]
      parameters:
        - {in: formData, name: note, type: string, required: false}
      responses:
        200: {description: ok}
        400:
          description: bad
          schema:
            type: object
            additionalProperties: false
            properties: {oops: {type: integer}}
definitions:
  Pet: {type: object, required: [name], properties: {name: {type: string}}}
  Error:
    type: object
    required: [code, message]
    properties: {code: {type: integer}, message: {type: string}}
"""

PROBLEM: dict[str, Any] = {
    "type": "urn:apicore:problem:validation-error",
    "title": "Validation error",
    "status": 400,
    "detail": "The request has 1 validation error.",
    "errors": [{"loc": ["body", "name"], "msg": "Field required", "type": "missing"}],
}


@pytest.fixture(scope="module")
def spec() -> Spec:
    return Spec.from_string(SPEC)


def test_xml_is_a_415_without_a_decoder_and_validated_with_one(spec: Spec) -> None:
    op = spec.operations[0]
    assert op.body_media_types() == {"application/json"}
    with pytest.raises(UnsupportedMediaTypeError):
        op.parse_request(body=b"<Pet/>", content_type="application/xml")
    decoders = {"application/xml": lambda body: {"name": body.decode()}}
    assert op.body_media_types(decoders) == {"application/json", "application/xml"}
    parsed = op.parse_request(body=b"rex", content_type="application/xml", decoders=decoders)
    assert parsed.body.name == "rex"


def test_an_empty_form_request_is_a_form_without_fields(spec: Spec) -> None:
    op = spec.operations[1]
    assert op.parse_request(body=b"").body == {}
    closing = op.parse_request(body=b"--b--\r\n", content_type="multipart/form-data; boundary=b")
    assert closing.body == {}


def test_error_bodies_fit_the_declared_schema_or_stay_problems(spec: Spec) -> None:
    media, body = spec.operations[0].error_body(400, PROBLEM)
    assert media == "application/json"
    assert body == {"code": 400, "message": PROBLEM["detail"], "errors": PROBLEM["errors"]}
    media, body = spec.operations[1].error_body(400, PROBLEM)  # cannot fit: a problem
    assert (media, body) == ("application/problem+json", PROBLEM)
    assert spec.operations[1].error_body(415, PROBLEM)[0] == "application/problem+json"
