"""The I/O edge: reading spec files (regular files only, bounded), fetching remote documents.

Everything else in the package works on the plain Python data returned from here. Parsed
documents are kept per process, keyed by path, modification time and size, so a spec read
twice is parsed once.
"""

from __future__ import annotations

import os
import stat
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apicore_specbind._errors import load_error
from apicore_specbind._parse import SpecLimits, check_size, parse_text

#: Fetches a remote document (``http(s)://`` URL) and returns its text. Only ever called when
#: remote references were explicitly allowed.
Fetcher = Callable[[str], str]

FileStamp = tuple[str, int, int]
"""A file as the caches see it: (resolved path, modification time in ns, size)."""


def stamp(path: Path) -> FileStamp | None:
    """The file's current stamp, or ``None`` if it cannot be read."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (str(path), info.st_mtime_ns, info.st_size)


def read_file(path: Path, *, limits: SpecLimits) -> tuple[str, FileStamp]:
    """A spec file's UTF-8 text and its stamp as read; regular files only, bounded.

    A FIFO, a device or a folder is refused before anything is read (it is opened
    non-blocking). ``SpecLoadError`` says what is wrong (missing, too big, not UTF-8...).
    """
    source = str(path)
    fd = -1
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise load_error(f"{path} is not a regular file; only files are read", source)
        check_size(info.st_size, limits, source=source)
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise load_error(f"file not found: {path}", source) from None
    except OSError as exc:
        raise load_error(f"cannot read {path}: {exc.strerror}", source) from None
    finally:
        if fd >= 0:
            os.close(fd)
    check_size(len(data), limits, source=source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise load_error(f"{path} is not UTF-8 text", source) from None
    return text, (source, info.st_mtime_ns, info.st_size)


class LRUCache:
    """A small thread-safe mapping that forgets the least recently used entry first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        """The value, or :data:`MISSING`."""
        with self._lock:
            if key not in self._items:
                return MISSING
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Any, value: Any) -> None:
        """Remember a value (forgetting the oldest one past the size)."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()


MISSING: Any = object()
_DOCUMENTS = LRUCache(64)


def load_file(path: Path, *, limits: SpecLimits, cache: bool = True) -> tuple[Any, FileStamp]:
    """Read and parse a file, or reuse its parse if the file is unchanged.

    The parsed value is shared between loads: callers copy what they change.
    """
    current = stamp(path) if cache else None
    if current is not None:
        found = _DOCUMENTS.get((current, limits))
        if found is not MISSING:
            return found, current
    text, read = read_file(path, limits=limits)
    document = parse_text(text, source=str(path), limits=limits)
    if cache:
        _DOCUMENTS.put((read, limits), document)
    return document, read


def clear_documents() -> None:
    """Forget every parsed document."""
    _DOCUMENTS.clear()


def urllib_fetcher(limits: SpecLimits) -> Fetcher:
    """The default fetcher of remote ``$ref`` (used only when remote refs are enabled).

    It reads at most ``limits.max_bytes`` within ``limits.fetch_timeout`` seconds in all.
    """

    def fetch(url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"only http(s) URLs are fetched, not {url!r}")
        deadline = time.monotonic() + limits.fetch_timeout
        chunks: list[bytes] = []
        total = 0
        with urllib.request.urlopen(url, timeout=limits.fetch_timeout) as response:
            while True:
                if time.monotonic() > deadline:
                    raise limits.refuse(
                        "fetch_timeout", f"fetching {url} took too long", source=url
                    )
                chunk: bytes = response.read(64 * 1024)
                if not chunk:
                    break
                total += len(chunk)
                check_size(total, limits, source=url)
                chunks.append(chunk)
        return b"".join(chunks).decode("utf-8")

    return fetch
