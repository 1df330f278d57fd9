from __future__ import annotations

import http.server
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apicore_specbind import (
    RefResolutionError,
    RequestValidationError,
    SpecLimitError,
    SpecLimits,
    load_spec,
)
from apicore_test_support import serving

HEAD = 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\n'


def _op(schema_ref: str) -> str:
    return (
        "paths:\n  /x:\n    post:\n      requestBody:\n        content:\n"
        f"          application/json:\n            schema: {{$ref: '{schema_ref}'}}\n"
        "      responses:\n        '200': {description: ok}\n"
    )


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Canary.hits.append(self.path)
        body = b"type: object\nproperties: {a: {type: integer}}\n"
        if self.path.startswith("/big"):
            body += b"description: " + b"x" * 5000 + b"\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def canary() -> Iterator[str]:
    _Canary.hits = []
    with serving(_Canary) as url:
        yield url


def test_remote_ref_is_not_fetched(canary: str) -> None:
    with pytest.raises(RefResolutionError, match="remote \\$ref .* is not fetched") as info:
        load_spec(HEAD + _op(f"{canary}/schema.yaml"))
    assert info.value.issues[0].dotted.startswith("paths./x.post.requestBody")
    assert _Canary.hits == []


def test_remote_ref_fetched_only_when_allowed(canary: str) -> None:
    spec = load_spec(HEAD + _op(f"{canary}/schema.yaml#"), allow_remote_refs=True)
    assert _Canary.hits == ["/schema.yaml"]
    op = spec.operations[0]
    with pytest.raises(ValueError, match="validation error"):
        op.parse_request(body=b'{"a": "x"}', content_type="application/json")


def test_relative_file_refs_inside_folder(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "pet.yaml").write_text(
        "Pet:\n  type: object\n  required: [name]\n  properties:\n"
        "    name: {type: string}\n    kids: {type: array, items: {$ref: '#/Pet'}}\n"
        "    owner: {$ref: 'owner.yaml'}\n"
    )
    (tmp_path / "models" / "owner.yaml").write_text(
        "type: object\nproperties: {pet: {$ref: 'pet.yaml#/Pet'}}\n"
    )
    (tmp_path / "api.yaml").write_text(
        HEAD
        + _op("#/components/schemas/Pet")
        + "components:\n  schemas:\n    Pet: {$ref: 'models/pet.yaml#/Pet'}\n"
    )
    spec = load_spec(tmp_path / "api.yaml")
    parsed = spec.operations[0].parse_request(
        body=b'{"name": "a", "kids": [{"name": "b", "kids": []}], "owner": {"pet": {"name": "c"}}}',
        content_type="application/json",
    )
    assert parsed.body.kids[0].name == "b"
    with pytest.raises(ValueError, match="validation error"):
        spec.operations[0].parse_request(
            body=b'{"name": "a", "kids": [{}]}', content_type="application/json"
        )


@pytest.mark.parametrize("ref", ["../secret.yaml#/S", "/etc/passwd", "sub/../../secret.yaml"])
def test_refs_escaping_the_folder_are_refused(tmp_path: Path, ref: str) -> None:
    (tmp_path / "secret.yaml").write_text("S: {type: object}\n")
    folder = tmp_path / "api"
    folder.mkdir()
    (folder / "api.yaml").write_text(HEAD + _op(ref))
    with pytest.raises(RefResolutionError, match="outside the spec's folder"):
        load_spec(folder / "api.yaml")


def test_relative_ref_from_text_needs_base_dir(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("type: object\n")
    with pytest.raises(RefResolutionError, match="needs a spec loaded from a file"):
        load_spec(HEAD + _op("s.yaml"))
    assert load_spec(HEAD + _op("s.yaml"), base_dir=tmp_path).operations


def test_dangling_and_looping_refs_name_their_path() -> None:
    text = (
        HEAD
        + _op("#/components/schemas/Nope")
        + "components:\n  schemas:\n"
        + "    A: {$ref: '#/components/schemas/B'}\n"
        + "    B: {$ref: '#/components/schemas/A'}\n"
    )
    with pytest.raises(RefResolutionError) as info:
        load_spec(text)
    dotted = [i.dotted for i in info.value.issues]
    assert dotted == ["paths./x.post.requestBody.content.application/json.schema.$ref"]


@pytest.mark.filterwarnings(r"ignore:Spec\.match\(\) is deprecated:DeprecationWarning")
def test_recursive_schema_cycle_is_fine(notes: object) -> None:
    from apicore_specbind import Spec

    assert isinstance(notes, Spec)
    with pytest.deprecated_call(match=r"Spec\.match\(\) is deprecated"):
        op = notes.match("GET", "/notes/4a0b5b1e-9b1c-4a47-9d0e-4c2a7b9a1c11/children")
    assert op is not None
    assert op[1] == {"noteId": "4a0b5b1e-9b1c-4a47-9d0e-4c2a7b9a1c11"}
    with pytest.deprecated_call():
        assert notes.match("POST", "/notes/x/children") is None
    tree = {
        "note": {"title": "t", "created": "2024-01-01T00:00:00Z"},
        "children": [{"children": [{}]}],
    }
    out = op[0].marshal_response(200, tree)
    assert out == tree
    decoded = op[0].decode_response(
        200, b'{"children": [{"children": [{"children": []}]}]}', "application/json"
    )
    assert type(decoded.children[0].children[0]).__name__ == "Tree"


HEAD31 = 'openapi: 3.1.0\ninfo: {title: t, version: "1"}\n'


def _body_errors(spec: Any, body: bytes) -> list[str]:
    op = spec.operations[0]
    try:
        op.parse_request(body=body, content_type="application/json")
    except RequestValidationError as exc:
        return [".".join(map(str, e.loc)) for e in exc.errors]
    return []


def test_anchor_refs_resolve() -> None:
    spec = load_spec(
        HEAD31
        + _op("#pet")
        + "components:\n  schemas:\n    Pet:\n      $anchor: pet\n      type: object\n"
        "      required: [name]\n      properties: {name: {type: string}}\n"
    )
    assert spec.operations[0].request_body is not None
    media = spec.operations[0].request_body.content[0]
    assert media.schema == {"$ref": "#/components/schemas/Pet"}
    assert _body_errors(spec, b'{"name": "Rex"}') == []
    assert _body_errors(spec, b"{}") == ["body.name"]


def test_refs_to_an_embedded_id_and_its_anchors(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(
        HEAD31
        + _op("https://example.com/schemas/pet")
        + "components:\n  schemas:\n    Pet:\n      $id: https://example.com/schemas/pet\n"
        "      type: object\n      properties:\n        tag: {$ref: '#/$defs/tag'}\n"
        "        owner: {$ref: 'owner#person'}\n"
        # RFC 6901 in a URI fragment, decoded once: "a%2520b" names the key "a%20b"
        "        code: {$ref: '#/$defs/a%2520b'}\n"
        "      $defs:\n        tag: {type: string, maxLength: 3}\n"
        "        a%20b: {type: integer}\n"
        "    Owner:\n      $id: https://example.com/schemas/owner\n"
        "      $defs:\n        person: {$anchor: person, type: object, required: [name]}\n"
    )
    spec = load_spec(tmp_path / "api.yaml")  # not "outside the spec's folder"
    pet = spec.document["components"]["schemas"]["Pet"]
    assert pet["properties"]["tag"] == {"$ref": "#/components/schemas/Pet/$defs/tag"}
    assert pet["properties"]["owner"] == {"$ref": "#/components/schemas/Owner/$defs/person"}
    assert "$id" not in pet
    assert _body_errors(spec, b'{"tag": "abcd", "owner": {}, "code": "x"}') == [
        "body.code",
        "body.owner.name",
        "body.tag",
    ]


def test_an_unknown_anchor_is_reported_with_its_path() -> None:
    with pytest.raises(RefResolutionError, match="no \\$anchor 'nope'") as info:
        load_spec(HEAD31 + _op("#nope"))
    assert info.value.issues[0].dotted.endswith("schema.$ref")


def test_dynamic_ref_and_recursive_ref_resolve_to_their_anchor() -> None:
    spec = load_spec(
        HEAD31
        + _op("#/components/schemas/Tree")
        + "components:\n  schemas:\n    Tree:\n      $dynamicAnchor: node\n      type: object\n"
        "      properties:\n        value: {type: integer}\n"
        "        kids: {type: array, items: {$dynamicRef: '#node'}}\n"
        "    List:\n      $recursiveAnchor: true\n      type: object\n"
        "      properties: {next: {$recursiveRef: '#'}}\n"
    )
    schemas = spec.document["components"]["schemas"]
    assert schemas["Tree"]["properties"]["kids"]["items"] == {"$ref": "#/components/schemas/Tree"}
    assert schemas["List"]["properties"]["next"] == {"$ref": "#/components/schemas/List"}
    assert _body_errors(spec, b'{"kids": [{"kids": [{"value": "x"}]}]}') == [
        "body.kids.0.kids.0.value"
    ]


def test_remote_documents_are_bounded_too(canary: str) -> None:
    with pytest.raises(SpecLimitError, match=r"max_bytes=2000") as info:
        load_spec(
            HEAD + _op(f"{canary}/big.yaml#"),
            allow_remote_refs=True,
            limits=SpecLimits(max_bytes=2000),
        )
    assert info.value.limit == "max_bytes"
    assert _Canary.hits == ["/big.yaml"]


def test_too_many_documents_are_refused(tmp_path: Path) -> None:
    for index in range(3):
        (tmp_path / f"s{index}.yaml").write_text(f"{{$ref: 's{index + 1}.yaml'}}\n")
    (tmp_path / "s3.yaml").write_text("type: object\n")
    (tmp_path / "api.yaml").write_text(HEAD + _op("s0.yaml"))
    assert load_spec(tmp_path / "api.yaml").operations
    with pytest.raises(SpecLimitError, match="max_documents"):
        load_spec(tmp_path / "api.yaml", limits=SpecLimits(max_documents=2))


@pytest.mark.parametrize("name", ["default", "enum", "example", "const"])
def test_file_refs_under_names_like_keywords(tmp_path: Path, name: str) -> None:
    # A property (and a schema) named like a literal keyword holds a reference, not data.
    (tmp_path / "thing.yaml").write_text("Thing: {type: integer}\n")
    (tmp_path / "api.yaml").write_text(
        HEAD
        + _op(f"#/components/schemas/{name}")
        + "components:\n  schemas:\n"
        + f"    {name}:\n      type: object\n"
        + f"      properties: {{{name}: {{$ref: 'thing.yaml#/Thing'}}}}\n"
    )
    op = load_spec(tmp_path / "api.yaml").operations[0]
    body = f'{{"{name}": 3}}'.encode()
    assert op.parse_request(body=body, content_type="application/json").body is not None
    with pytest.raises(ValueError, match="validation error"):
        op.parse_request(body=f'{{"{name}": "x"}}'.encode(), content_type="application/json")
