"""Which request headers are forwarded to receivers: validated, or dropped (pure)."""

from __future__ import annotations

import re

_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


def clean_traceparent(value: str | None) -> str | None:
    """Return a W3C ``traceparent`` value when it is well-formed, else ``None``.

    Well-formed is version ``00`` to ``fe``, a 32-digit trace id and a 16-digit parent id
    (lower-case hex, neither all zeros) and two flag digits. Anything else (non-ASCII bytes,
    a forged line break) is dropped, never sent to a receiver.
    """
    if value is None:
        return None
    match = _TRACEPARENT.fullmatch(value.strip())
    if match is None:
        return None
    version, trace_id, parent_id, _ = match.groups()
    if version == "ff" or not trace_id.strip("0") or not parent_id.strip("0"):
        return None
    return match.group(0)


def clean_request_id(value: str | None) -> str | None:
    """Return a request id when it is 1 to 128 of ``A-Za-z0-9._:/+=@-``, else ``None``."""
    if value is None or not _REQUEST_ID.fullmatch(value):
        return None
    return value
