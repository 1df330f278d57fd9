"""``UploadFile``: a file sent in a ``multipart/form-data`` body, and its schema node.

The file's bytes are in a ``tempfile.SpooledTemporaryFile``: in memory up to a threshold,
on disk (an already-unlinked temporary file) beyond it. The server closes every upload when
the request is over, which frees the memory and the disk space.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from typing import IO, Any

from apicore_introspect._errors import ErrorDetail, Loc
from apicore_introspect._nodes import INVALID, Errors, Node


class UploadFile:
    """One uploaded file.

    Args:
        file: The file's bytes, positioned anywhere (it is rewound).
        filename: The client's file name (never trust it as a path).
        content_type: The part's ``Content-Type`` (``application/octet-stream`` if none).
        size: The size in bytes.
        headers: The part's headers, lower-case names.

    Attributes:
        filename: The client's file name, or ``None``.
        content_type: The media type the client gave.
        size: The size in bytes.
        headers: The part's headers.
        file: The underlying binary file object.
    """

    __slots__ = ("content_type", "file", "filename", "headers", "size")

    def __init__(
        self,
        file: IO[bytes],
        *,
        filename: str | None = None,
        content_type: str = "application/octet-stream",
        size: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        file.seek(0, 2)
        end = file.tell()
        file.seek(0)
        self.file = file
        self.filename = filename
        self.content_type = content_type
        self.size = end if size is None else size
        self.headers = dict(headers or {})

    @classmethod
    def spooled(cls, *, spool_threshold: int = 1024 * 1024, **options: Any) -> UploadFile:
        """An empty upload over a new spooled temporary file; write to ``upload.file``."""
        return cls(tempfile.SpooledTemporaryFile(max_size=spool_threshold), **options)

    @property
    def in_memory(self) -> bool:
        """Whether the bytes are still in memory (not yet spooled to disk)."""
        return not getattr(self.file, "_rolled", True)

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (all by default) from the current position."""
        return self.file.read(size)

    async def aread(self, size: int = -1) -> bytes:
        """``read`` for async functions: in a worker thread once the file is on disk."""
        if self.in_memory:
            return self.file.read(size)
        return await asyncio.to_thread(self.file.read, size)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move the read position (``whence`` as for ``io.IOBase.seek``)."""
        return self.file.seek(offset, whence)

    def close(self) -> None:
        """Release the memory or the temporary file (the server does it after the request)."""
        self.file.close()

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return bool(self.file.closed)

    def __repr__(self) -> str:
        return (
            f"UploadFile(filename={self.filename!r}, content_type={self.content_type!r}, "
            f"size={self.size})"
        )


class FileNode(Node):
    """``UploadFile``: a file part of a multipart body (never JSON or text)."""

    json_types = frozenset[str]()
    fixed_schema = {"type": "string", "format": "binary"}

    def decode(self, value: Any, loc: Loc, errors: Errors) -> Any:
        if isinstance(value, UploadFile):
            return value
        msg = "Input should be a file, sent as a part of a multipart/form-data body"
        errors.append(ErrorDetail(loc, msg, "file_type"))
        return INVALID
