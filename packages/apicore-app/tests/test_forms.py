"""Form body parsing: URL-encoded and multipart, every limit, every malformation."""

from __future__ import annotations

import dataclasses

import pytest

from apicore_app import FormError, FormLimits, UploadFile
from apicore_app._forms import close_uploads, media_type, parse_form

MULTIPART = "multipart/form-data; boundary=XyZ"


def part(name: str, content: bytes, *, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"Content-Disposition: {disposition}\r\n"
    if filename is not None:
        head += "Content-Type: text/plain\r\n"
    return b"--XyZ\r\n" + head.encode() + b"\r\n" + content + b"\r\n"


def multipart(*parts: bytes) -> bytes:
    return b"".join(parts) + b"--XyZ--\r\n"


def test_media_type_parameters() -> None:
    assert media_type('Multipart/Form-Data; boundary="a b"; charset=utf-8') == (
        "multipart/form-data",
        {"boundary": "a b", "charset": "utf-8"},
    )


def test_urlencoded() -> None:
    data = parse_form("application/x-www-form-urlencoded", b"a=1&a=2&b=&c=%C3%A9", FormLimits())
    assert data == {"a": ["1", "2"], "b": [""], "c": ["é"]}


def test_multipart_fields_and_files() -> None:
    body = multipart(
        part("note", "héllo".encode()), part("file", b"data\r\nmore", filename="f.txt")
    )
    data = parse_form(MULTIPART, b"preamble\r\n" + body + b"epilogue", FormLimits())
    try:
        assert data["note"] == ["héllo"]
        (upload,) = data["file"]
        assert isinstance(upload, UploadFile)
        assert (upload.filename, upload.content_type, upload.size) == ("f.txt", "text/plain", 10)
        assert upload.read() == b"data\r\nmore"
    finally:
        close_uploads(data)
    assert upload.closed


def test_large_files_are_spooled_to_disk() -> None:
    body = multipart(part("file", b"x" * 100, filename="big"))
    data = parse_form(MULTIPART, body, FormLimits(spool_threshold=10))
    (upload,) = data["file"]
    assert isinstance(upload, UploadFile)
    assert not upload.in_memory
    close_uploads(data)


def test_an_empty_value_without_the_crlf_before_the_delimiter() -> None:
    # werkzeug's test client writes an empty field so (schemathesis found it)
    body = b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n' + multipart(part("b", b"2"))
    assert parse_form(MULTIPART, body, FormLimits()) == {"a": [""], "b": ["2"]}


def test_an_empty_field_and_an_empty_file() -> None:
    data = parse_form(
        MULTIPART, multipart(part("a", b""), part("f", b"", filename="")), FormLimits()
    )
    assert data["a"] == [""]
    (upload,) = data["f"]
    assert isinstance(upload, UploadFile)
    assert (upload.filename, upload.size) == (None, 0)
    close_uploads(data)


@pytest.mark.parametrize(
    ("content_type", "body", "status", "match"),
    [
        ("multipart/form-data", multipart(part("a", b"1")), 400, "boundary"),
        (MULTIPART, b"no delimiter here", 400, "no part"),
        (MULTIPART, part("a", b"1"), 400, "truncated"),
        (
            MULTIPART,
            b"--XyZ\r\n" + b"Content-Disposition: form-data; name=a\r\n1",
            400,
            "truncated",
        ),
        (MULTIPART, b"--XyZ junk\r\n\r\n\r\n--XyZ--", 400, "boundary is broken"),
        (MULTIPART, multipart(b"--XyZ\r\nno blank line\r\n"), 400, "blank line"),
        (MULTIPART, multipart(b"--XyZ\r\nbad header\r\n\r\nx\r\n"), 400, "header line"),
        (
            MULTIPART,
            multipart(b"--XyZ\r\nContent-Disposition: attachment\r\n\r\nx\r\n"),
            400,
            "form-data",
        ),
        (MULTIPART, multipart(part("a", b"\xff")), 400, "UTF-8"),
        ("application/x-www-form-urlencoded", b"a=\xff", 400, "UTF-8"),
    ],
)
def test_malformed_forms_are_400(content_type: str, body: bytes, status: int, match: str) -> None:
    with pytest.raises(FormError, match=match) as exc:
        parse_form(content_type, body, FormLimits())
    assert exc.value.status == status


@pytest.mark.parametrize(
    ("limits", "content_type", "body", "match"),
    [
        (FormLimits(max_size=10), MULTIPART, multipart(part("a", b"1")), "form is larger"),
        (
            FormLimits(max_file_size=3),
            MULTIPART,
            multipart(part("f", b"1234", filename="f")),
            "File",
        ),
        (FormLimits(max_field_size=3), MULTIPART, multipart(part("a", b"1234")), "Field"),
        (
            FormLimits(max_fields=1),
            MULTIPART,
            multipart(part("a", b"1"), part("b", b"2")),
            "fields",
        ),
        (FormLimits(max_field_size=3), "application/x-www-form-urlencoded", b"a=1234", "Field"),
        (FormLimits(max_fields=1), "application/x-www-form-urlencoded", b"a=1&b=2", "fields"),
    ],
)
def test_limits_are_413(limits: FormLimits, content_type: str, body: bytes, match: str) -> None:
    with pytest.raises(FormError, match=match) as exc:
        parse_form(content_type, body, limits)
    assert exc.value.status == 413


def test_files_parsed_before_an_error_are_closed() -> None:
    body = multipart(part("f", b"data", filename="f"), part("a", b"\xff"))
    with pytest.raises(FormError):
        parse_form(MULTIPART, body, FormLimits())


@pytest.mark.parametrize("name", ["max_size", "max_file_size", "max_fields", "max_field_size"])
def test_limits_must_be_positive(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        FormLimits(**{name: 0})


def test_form_limits_are_an_immutable_checked_value() -> None:
    limits = FormLimits(max_fields=10)
    assert limits == FormLimits(max_fields=10) != FormLimits()
    assert hash(limits) == hash(FormLimits(max_fields=10))
    assert repr(FormLimits(1, 2, 3, 4, 5)) == (
        "FormLimits(max_size=1, max_file_size=2, max_fields=3, max_field_size=4, spool_threshold=5)"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.max_fields = 11  # type: ignore[misc]
    with pytest.raises(ValueError, match="FormLimits.max_fields must be at least 1"):
        FormLimits(max_fields=0)
    with pytest.raises(ValueError, match="FormLimits.spool_threshold must not be negative"):
        FormLimits(spool_threshold=-1)
