"""Form bodies (URL-encoded and ``multipart/form-data``), parsed from the bytes read.

Files become ``UploadFile`` objects; a broken body or one over a bound is a ``FormError``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from apicore_introspect import UploadFile
from apicore_introspect.frozen import frozen

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
FORM_TYPES = frozenset({URLENCODED, MULTIPART})

_PARAM = re.compile(r';\s*([A-Za-z0-9!#$%&\'*+.^_`|~-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_MAX_HEADER_BLOCK = 16 * 1024


@frozen
class FormLimits:
    """Bounds on form bodies (``multipart/form-data`` and URL-encoded).

    Attributes:
        max_size: Largest form body, in bytes, files included (413 beyond).
        max_file_size: Largest single file, in bytes (413 beyond).
        max_fields: Most fields and files in one form (413 beyond).
        max_field_size: Largest text field, in bytes (413 beyond).
        spool_threshold: Files larger than this go to a temporary file on disk; smaller
            ones stay in memory.
    """

    max_size: int = 64 * 1024 * 1024
    max_file_size: int = 32 * 1024 * 1024
    max_fields: int = 1000
    max_field_size: int = 1024 * 1024
    spool_threshold: int = 1024 * 1024

    def __post_init__(self) -> None:
        for name in ("max_size", "max_file_size", "max_fields", "max_field_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"FormLimits.{name} must be at least 1")
        if self.spool_threshold < 0:
            raise ValueError("FormLimits.spool_threshold must not be negative")


class FormError(ValueError):
    """A form body that cannot be read: ``status`` is 400 (malformed) or 413 (too large)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


FormData = dict[str, list[Any]]


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """``"multipart/form-data; boundary=x"`` -> ``("multipart/form-data", {"boundary": "x"})``."""
    kind, _, rest = content_type.partition(";")
    params = {}
    for name, value in _PARAM.findall(";" + rest):
        value = value.strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[name.lower()] = value
    return kind.strip().lower(), params


def parse_form(content_type: str, body: bytes, limits: FormLimits) -> FormData:
    """Parse a form body; the caller closes the ``UploadFile`` values after the request.

    Raises:
        FormError: A malformed body (400) or one over a limit (413).
    """
    if len(body) > limits.max_size:
        raise FormError(413, f"The form is larger than {limits.max_size} bytes.")
    kind, params = media_type(content_type)
    if kind == URLENCODED:
        return _urlencoded(body, limits)
    boundary = params.get("boundary", "")
    if not 1 <= len(boundary) <= 70:
        raise FormError(400, "The multipart/form-data Content-Type has no valid boundary.")
    data: FormData = {}
    try:
        _multipart(body, boundary.encode("latin-1", "replace"), limits, data)
    except BaseException:
        close_uploads(data)
        raise
    return data


def close_uploads(data: FormData | None) -> None:
    """Close every ``UploadFile`` of a parsed form (frees memory and temporary files)."""
    for values in (data or {}).values():
        for value in values:
            if isinstance(value, UploadFile):
                value.close()


def _urlencoded(body: bytes, limits: FormLimits) -> FormData:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormError(400, f"The form is not valid UTF-8 (byte {exc.start}).") from exc
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=limits.max_fields)
    except ValueError as exc:
        raise FormError(413, f"The form has more than {limits.max_fields} fields.") from exc
    data: FormData = {}
    for name, value in pairs:
        if len(value) > limits.max_field_size:
            raise FormError(413, f"Field {name!r} is larger than {limits.max_field_size} bytes.")
        data.setdefault(name, []).append(value)
    return data


def _multipart(body: bytes, boundary: bytes, limits: FormLimits, data: FormData) -> None:
    delimiter = b"--" + boundary
    separator = b"\r\n" + delimiter
    if body.startswith(delimiter):
        position = len(delimiter)
    else:
        start = body.find(separator)  # a preamble before the first part is allowed
        if start < 0:
            raise FormError(400, "The multipart body has no part with the given boundary.")
        position = start + len(separator)
    view = memoryview(body)
    count = 0
    while True:
        if body.startswith(b"--", position):
            return  # the close delimiter; an epilogue after it is ignored
        line_end = body.find(b"\r\n", position)
        if line_end < 0 or body[position:line_end].strip(b" \t"):
            raise FormError(400, "The multipart body is truncated or its boundary is broken.")
        start = line_end + 2
        end = body.find(separator, start)
        if end < 0:
            raise FormError(400, "The multipart body is truncated (no closing boundary).")
        count += 1
        if count > limits.max_fields:
            raise FormError(413, f"The form has more than {limits.max_fields} fields.")
        _part(body, view, start, end, limits, data)
        position = end + len(separator)


def _part(
    body: bytes, view: memoryview, start: int, end: int, limits: FormLimits, data: FormData
) -> None:
    split = body.find(b"\r\n\r\n", start, end)
    if split >= 0:
        content_start = split + 4
    elif end - 2 > start and body.startswith(b"\r\n\r\n", end - 2):
        # An empty value whose blank line is followed by the delimiter without its own
        # CRLF (werkzeug's test client writes empty fields so): the blank line doubles as it.
        split, content_start = end - 2, end
    else:
        raise FormError(400, "A multipart part has no blank line after its headers.")
    if split - start > _MAX_HEADER_BLOCK:
        raise FormError(413, f"A multipart part's headers exceed {_MAX_HEADER_BLOCK} bytes.")
    headers: dict[str, str] = {}
    for line in body[start:split].split(b"\r\n"):
        if not line:
            continue
        key, colon, value = line.decode("utf-8", "replace").partition(":")
        if not colon or not key.strip():
            raise FormError(400, "A multipart part has a malformed header line.")
        headers[key.strip().lower()] = value.strip()
    disposition, params = media_type(headers.get("content-disposition", ""))
    name = params.get("name")
    if disposition != "form-data" or name is None:
        raise FormError(400, 'Each multipart part needs Content-Disposition: form-data; name="..."')
    content = view[content_start:end]
    if "filename" in params or "filename*" in params:
        if len(content) > limits.max_file_size:
            raise FormError(413, f"File {name!r} is larger than {limits.max_file_size} bytes.")
        upload = UploadFile.spooled(
            spool_threshold=limits.spool_threshold,
            filename=params.get("filename") or None,
            content_type=headers.get("content-type", "application/octet-stream"),
            headers=headers,
        )
        data.setdefault(name, []).append(upload)  # listed first: closed on any error below
        upload.file.write(content)
        upload.file.seek(0)
        upload.size = len(content)
        return
    if len(content) > limits.max_field_size:
        raise FormError(413, f"Field {name!r} is larger than {limits.max_field_size} bytes.")
    try:
        text = bytes(content).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormError(400, f"Field {name!r} is not valid UTF-8.") from exc
    data.setdefault(name, []).append(text)
