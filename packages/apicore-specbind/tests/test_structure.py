from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from apicore_specbind import SpecLoadError, SpecValidationWarning, load_spec

MALFORMED = sorted((Path(__file__).parent / "specs" / "malformed").glob("*.yaml"))

BOOLEAN_EXCLUSIVE_MINIMUM = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /items:
    post:
      operationId: addItem
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Item'}
      responses:
        "200": {description: ok}
components:
  schemas:
    Item:
      type: object
      $recursiveAnchor: true
      properties:
        count: {type: integer, minimum: 0, exclusiveMinimum: true}
"""


def _expected(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: ")
    return first.removeprefix("# expect: ")


@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_malformed_documents_fail_with_their_json_path(path: Path) -> None:
    with pytest.raises(SpecLoadError) as info:
        load_spec(path)
    dotted = [issue.dotted for issue in info.value.issues]
    assert _expected(path) in dotted, dotted


def test_there_are_enough_malformed_fixtures() -> None:
    assert len(MALFORMED) >= 10


def test_strict_refuses_a_boolean_exclusive_minimum_in_31() -> None:
    with pytest.raises(SpecLoadError, match=r"components\.schemas\.Item: invalid schema"):
        load_spec(BOOLEAN_EXCLUSIVE_MINIMUM)


def test_validate_off_loads_it() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec = load_spec(BOOLEAN_EXCLUSIVE_MINIMUM, validate="off")
    assert spec.operation("addItem").method == "POST"
    assert "Item" in spec.models


def test_validate_warn_loads_it_and_warns_each_problem() -> None:
    with pytest.warns(SpecValidationWarning, match=r"components\.schemas\.Item: invalid schema"):
        spec = load_spec(BOOLEAN_EXCLUSIVE_MINIMUM, validate="warn")
    assert spec.operation("addItem").path == "/items"


def test_validate_warn_leaves_out_an_unusable_operation() -> None:
    text = (Path(__file__).parent / "specs" / "malformed" / "response-is-text.yaml").read_text()
    text += (
        "  /y:\n    get:\n      operationId: getY\n"
        "      responses:\n        '200': {description: ok}\n"
    )
    with pytest.warns(SpecValidationWarning, match=r"paths\./x\.get\.responses\.200"):
        spec = load_spec(text, validate="warn")
    assert [op.operation_id for op in spec.operations] == ["getY"]


def test_validate_must_be_a_known_mode() -> None:
    with pytest.raises(ValueError, match="validate must be one of strict, warn, off"):
        load_spec(BOOLEAN_EXCLUSIVE_MINIMUM, validate="lenient")  # type: ignore[arg-type]


def test_servers_as_a_mapping_loads_with_validate_off() -> None:
    path = Path(__file__).parent / "specs" / "malformed" / "servers-mapping.yaml"
    spec = load_spec(path, validate="off")
    assert spec.server_urls == ()


@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_malformed_documents_load_with_validate_off_without_crashing(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpecValidationWarning)
        spec = load_spec(path, validate="off", cache=False)
    assert isinstance(spec.server_urls, tuple)
    assert all(scheme in {"http", "https", "ws", "wss"} for scheme in spec.schemes)
    assert spec.host is None or isinstance(spec.host, str)


def test_validate_warn_loads_a_spec_with_unresolvable_refs(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(
        'openapi: 3.0.3\ninfo: {title: t, version: "1"}\n'
        "paths:\n  /ok:\n    get:\n      operationId: ok\n"
        "      responses:\n        '200': {description: ok}\n"
        "  /bad:\n    get:\n      operationId: bad\n"
        "      responses:\n        '200': {$ref: '#/components/responses/Missing'}\n"
        "components:\n  schemas:\n    Far: {$ref: '../outside.yaml'}\n"
        "    Near: {type: object, properties: {a: {type: string}}}\n"
    )
    with pytest.raises(SpecLoadError, match="outside the spec's folder"):
        load_spec(tmp_path / "api.yaml")
    with pytest.warns(SpecValidationWarning) as caught:
        spec = load_spec(tmp_path / "api.yaml", validate="warn")
    messages = " ".join(str(w.message) for w in caught)
    assert "outside the spec's folder" in messages
    assert "components.schemas.Far" in messages
    assert "paths./bad.get.responses.200" in messages
    assert [op.operation_id for op in spec.operations] == ["ok"]
    assert set(spec.models) == {"Near"}
