"""Location markers: ``Header``, ``Cookie``, ``Query``, ``Path``, ``Form``, and injected types."""

from __future__ import annotations

import asyncio
import io
from typing import Annotated, Any

import pytest

from apicore_introspect import (
    Cookie,
    Form,
    Header,
    Path,
    Query,
    Range,
    RequestParts,
    SignatureError,
    UploadFile,
    ValidationError,
    describe,
)


class View:
    """Stands for a server's request view (an injected type)."""


def errors(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[tuple[Any, ...], str]]:
    return [(e.loc, e.type) for e in exc.value.errors]


def tenant_item(
    item: Annotated[int, Path("item-id")],
    tenant: Annotated[str, Header("X-Tenant")],
    if_match: Annotated[str | None, Header()] = None,
    session: Annotated[str, Cookie()] = "anonymous",
    page: Annotated[int, Query(), Range(ge=1)] = 1,
    tags: Annotated[list[str], Header("X-Tags")] = [],  # noqa: B006 - never mutated
) -> dict[str, Any]:
    return {}


def test_markers_are_read_when_described() -> None:
    op = describe(tenant_item)
    sources = {p.name: (p.source, p.key) for p in op.parameters}
    assert sources == {
        "item": ("path", "item-id"),
        "tenant": ("header", "X-Tenant"),
        "if_match": ("header", "if-match"),
        "session": ("cookie", "session"),
        "page": ("query", "page"),
        "tags": ("header", "X-Tags"),
    }
    assert not op.plain
    op.check_path_parameters(["item-id"])
    with pytest.raises(SignatureError):
        op.check_path_parameters(["item"])


def test_placed_parameters_bind_from_their_parts() -> None:
    op = describe(tenant_item)
    parts = RequestParts(
        headers={"x-tenant": "acme", "if-match": '"v1"', "x-tags": "a, b,,c"},
        cookies={"session": "s1"},
        query={"page": ["3"]},
    )
    _, kwargs = op.bind(None, path={"item-id": "7"}, parts=parts)
    assert kwargs == {
        "item": 7,
        "tenant": "acme",
        "if_match": '"v1"',
        "session": "s1",
        "page": 3,
        "tags": ["a", "b", "c"],
    }


def test_missing_and_invalid_placed_parameters_are_all_reported() -> None:
    op = describe(tenant_item)
    parts = RequestParts(headers={}, cookies={}, query={"page": ["0"]})
    with pytest.raises(ValidationError) as exc:
        op.bind(None, path={"item-id": "x"}, parts=parts)
    assert errors(exc) == [
        (("path", "item-id"), "int_parsing"),
        (("header", "X-Tenant"), "missing"),
        (("query", "page"), "greater_than_equal"),
    ]


def test_a_query_marker_on_a_body_function_reads_the_query_string() -> None:
    def create(name: str, dry_run: Annotated[bool, Query("dry-run")] = False) -> None:
        return None

    op = describe(create)
    _, kwargs = op.bind(b'{"name": "n"}', parts=RequestParts(query={"dry-run": ["true"]}))
    assert kwargs == {"name": "n", "dry_run": True}
    # the query name is not a body key
    with pytest.raises(ValidationError) as exc:
        op.bind(b'{"name": "n", "dry-run": true}', parts=RequestParts())
    assert errors(exc) == [(("body", "dry-run"), "extra_forbidden")]


def test_the_body_schema_leaves_out_placed_and_injected_parameters() -> None:
    def f(a: int, tenant: Annotated[str, Header()], view: View) -> None:
        return None

    op = describe(f, injected=(View,))
    assert op.body_schema()["properties"] == {"a": {"type": "integer"}}
    assert [p.name for p in op.injected] == ["view"]
    _, kwargs = op.bind(b'{"a": 1}', parts=RequestParts(headers={"tenant": "t"}))
    assert kwargs == {"a": 1, "tenant": "t"}  # the server adds "view" itself


def test_plain_functions_stay_plain() -> None:
    def add(a: int, b: int = 2) -> int:
        return a + b

    op = describe(add, injected=(View,), response_types=(View,))
    assert op.plain
    assert not op.form


def upload(
    file: UploadFile, note: str, count: int = 1, extra: list[UploadFile] | None = None
) -> None:
    return None


def a_file(data: bytes = b"data", name: str = "a.txt") -> UploadFile:
    return UploadFile(io.BytesIO(data), filename=name, content_type="text/plain")


def test_an_upload_makes_the_body_a_form() -> None:
    op = describe(upload)
    assert op.form
    schema = op.body_schema()
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert schema["required"] == ["file", "note"]
    first, second = a_file(), a_file(b"more")
    form: dict[str, list[Any]] = {
        "file": [first],
        "note": ["hi"],
        "count": ["2"],
        "extra": [second],
    }
    _, kwargs = op.bind(None, parts=RequestParts(form=form))
    assert kwargs == {"file": first, "note": "hi", "count": 2, "extra": [second]}


def test_form_fields_and_files_are_checked() -> None:
    op = describe(upload)
    form: dict[str, list[Any]] = {"file": ["x"], "note": [a_file()], "count": ["x"], "other": ["?"]}
    with pytest.raises(ValidationError) as exc:
        op.bind(None, parts=RequestParts(form=form))
    assert errors(exc) == [
        (("body", "file"), "file_type"),
        (("body", "note"), "string_type"),
        (("body", "count"), "int_parsing"),
        (("body", "other"), "extra_forbidden"),
    ]
    with pytest.raises(ValidationError) as missing:
        op.bind(None, parts=RequestParts(form={}))
    assert errors(missing) == [(("body", "file"), "missing"), (("body", "note"), "missing")]


def test_a_form_marker_with_an_alias() -> None:
    def login(user: Annotated[str, Form("user-name")], password: Annotated[str, Form()]) -> None:
        return None

    op = describe(login)
    assert op.form
    assert sorted(op.body_schema()["properties"]) == ["password", "user-name"]
    form = {"user-name": ["ada"], "password": ["pw"]}
    assert op.bind(None, parts=RequestParts(form=form))[1] == {"user": "ada", "password": "pw"}


def test_a_file_in_json_is_refused() -> None:
    op = describe(upload)
    with pytest.raises(ValidationError) as exc:
        op.bind(None, parts=RequestParts(form={"file": ["x"], "note": ["n"]}))
    assert errors(exc) == [(("body", "file"), "file_type")]


def test_response_types_have_no_return_schema() -> None:
    def ready() -> View:
        return View()

    def either() -> int | View:
        return 1

    assert describe(ready, response_types=(View,)).returns_response
    assert describe(ready, response_types=(View,)).return_schema == {}
    mixed = describe(either, response_types=(View,))
    assert mixed.returns_response
    assert mixed.return_schema == {"type": "integer"}


def test_kwargs_cannot_be_placed() -> None:
    def f(**headers: Annotated[str, Header()]) -> None:
        return None

    with pytest.raises(SignatureError, match="location marker"):
        describe(f)


def test_upload_file_reads_and_closes() -> None:
    upload_file = UploadFile.spooled(spool_threshold=4, filename="f.bin")
    upload_file.file.write(b"0123456789")
    upload_file.file.seek(0)
    assert not upload_file.in_memory  # past the threshold: on disk
    assert upload_file.read(4) == b"0123"
    upload_file.seek(0)
    assert upload_file.read() == b"0123456789"
    assert "f.bin" in repr(upload_file)
    upload_file.close()
    assert upload_file.closed


def test_upload_file_aread() -> None:
    async def read_both() -> tuple[bytes, bytes]:
        small = a_file(b"abc")
        big = UploadFile.spooled(spool_threshold=1)
        big.file.write(b"xyz")
        try:
            return await small.aread(), await UploadFile(big.file).aread()
        finally:
            big.close()

    assert asyncio.run(read_both()) == (b"abc", b"xyz")
