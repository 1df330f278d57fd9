"""Tokens at rest: hashing, the stored record, and the tokens-file format (pure, no I/O).

A stored token is the SHA-256 digest of its UTF-8 bytes, written ``sha256:<64 hex digits>``.
A fast unsalted hash is the right tool here: API tokens are long random strings, so the token
itself carries the entropy and a slow password hash would only cost time on every request.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TypedDict, Unpack

from apicore_auth._errors import ConfigurationError, TokenFileError
from apicore_introspect.frozen import field, frozen

HASH_PREFIX = "sha256:"
#: The scope that grants every scope.
ALL_SCOPES = "*"

_HASH_RE = re.compile(r"sha256:([0-9a-fA-F]{64})")
# RFC 6749 scope-token characters (NQCHAR without space) minus the comma, which separates
# scopes in the tokens file.
_SCOPE_RE = re.compile(r"[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+")
_NAME_RE = re.compile(r"[A-Za-z0-9._@:+/-]{1,100}")
# Printable ASCII without space: what every HTTP client can send in a header unchanged.
_TOKEN_RE = re.compile(r"[\x21-\x7e]+")
_FILE_KEYS = ("name", "scopes", "expires")


def hash_token(token: str) -> str:
    """Hash a token for a tokens file.

    Args:
        token: The plaintext token.

    Returns:
        ``"sha256:<64 lowercase hex digits>"``.

    Raises:
        ConfigurationError: The token is empty or contains characters HTTP clients cannot
            send in a header (whitespace, control or non-ASCII characters).
    """
    check_token_text(token, source="the token")
    return HASH_PREFIX + hashlib.sha256(token.encode("ascii")).hexdigest()


def digest_of(token: str) -> bytes:
    """Return the 32-byte SHA-256 digest of a presented token (never raises)."""
    # surrogatepass: a header decoded with surrogateescape must not crash the check.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def generate_token(nbytes: int = 32) -> str:
    """Return a new random URL-safe token carrying ``nbytes`` bytes of entropy."""
    if nbytes < 16:
        raise ValueError("nbytes must be at least 16: shorter tokens can be guessed.")
    return secrets.token_urlsafe(nbytes)


def check_token_text(token: str, *, source: str) -> None:
    """Refuse a configured token that clients cannot send verbatim (message names ``source``)."""
    if not token:
        raise ConfigurationError(f"{source} is empty; set a token or unset it.")
    if not _TOKEN_RE.fullmatch(token):
        raise ConfigurationError(
            f"{source} contains whitespace, control or non-ASCII characters, which HTTP "
            "clients cannot send in a header; use printable ASCII only, for example a token "
            "from `python -m apicore_auth new`."
        )


def check_scope(scope: object) -> str:
    """Return ``scope`` if it is a valid scope name, else raise ``ValueError``."""
    if not isinstance(scope, str) or not (scope == ALL_SCOPES or _SCOPE_RE.fullmatch(scope)):
        raise ValueError(
            f"Invalid scope {scope!r}: use printable ASCII without spaces, commas, quotes or "
            "backslashes, such as 'read' or 'items:write'."
        )
    return scope


class RecordFields(TypedDict, total=False):
    """The optional fields of ``TokenRecord.from_token`` and ``TokenRecord.from_hash``."""

    scopes: Iterable[str]
    expires_at: datetime | None
    source: str


@frozen
class TokenRecord:
    """One accepted token, as stored: its digest and what it grants.

    Build one with ``from_token`` (plaintext, hashed at once) or ``from_hash``.

    Attributes:
        digest: The 32-byte SHA-256 digest of the token (never shown in the repr).
        name: A non-secret label used in logs and as the principal's name.
        scopes: The scopes granted; ``"*"`` grants every scope.
        expires_at: When the token stops working (timezone-aware), or ``None``.
        source: Where the token was configured (an env var name or ``path:line``).
    """

    digest: bytes = field(repr=False)
    name: str
    scopes: frozenset[str] = frozenset()
    expires_at: datetime | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if len(self.digest) != 32:
            raise ValueError("digest must be a 32-byte SHA-256 digest.")
        if not _NAME_RE.fullmatch(self.name):
            raise ValueError(
                "Invalid token name: use 1 to 100 letters, digits or ._@:+/- characters."
            )
        for scope in self.scopes:
            check_scope(scope)
        if self.expires_at is not None and self.expires_at.utcoffset() is None:
            raise ValueError("expires_at must be timezone-aware, e.g. datetime(..., tzinfo=UTC).")

    @classmethod
    def from_token(cls, token: str, *, name: str, **fields: Unpack[RecordFields]) -> TokenRecord:
        """Hash a plaintext token into a record; the plaintext is not kept.

        ``fields`` are the optional ``scopes`` (any iterable), ``expires_at`` and ``source``.
        """
        check_token_text(token, source=f"token {name!r}")
        return cls.from_hash(hash_token(token), name=name, **fields)

    @classmethod
    def from_hash(
        cls, token_hash: str, *, name: str, **fields: Unpack[RecordFields]
    ) -> TokenRecord:
        """Build a record from a ``sha256:<hex>`` hash as written by ``hash_token``.

        ``fields`` are the optional ``scopes`` (any iterable), ``expires_at`` and ``source``.
        """
        match = _HASH_RE.fullmatch(token_hash)
        if match is None:
            raise ValueError("A token hash must look like 'sha256:<64 hex digits>'.")
        scopes = frozenset(fields.get("scopes", ()))
        digest = bytes.fromhex(match.group(1))
        return cls(digest, name, scopes, fields.get("expires_at"), fields.get("source", ""))

    def grants(self, scopes: frozenset[str]) -> bool:
        """Whether this token grants every scope in ``scopes``."""
        return ALL_SCOPES in self.scopes or scopes <= self.scopes


def parse_expiry(text: str) -> datetime:
    """Parse ``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 datetime with a timezone."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    value = datetime.fromisoformat(text)
    if value.utcoffset() is None:
        raise ValueError("naive datetime")
    return value


def parse_tokens_file(text: str, *, path: str) -> tuple[TokenRecord, ...]:
    """Parse the text of a tokens file into records.

    The format, one token per line::

        # comment lines and blank lines are ignored
        sha256:<64 hex>  [name=<name>]  [scopes=<scope>,<scope>|*]  [expires=<date|datetime>]

    Fields are separated by whitespace; a field starting with ``#`` starts a comment. The
    default name is ``<file name>:<line>``.

    Args:
        text: The file's content.
        path: The file's path, used in error messages and default names.

    Raises:
        TokenFileError: Naming the file and line; the line's content is never echoed, since
            it may hold a plaintext token pasted by mistake.
    """
    base = path.replace("\\", "/").rsplit("/", 1)[-1] or "tokens"
    records: list[TokenRecord] = []
    seen: dict[bytes, int] = {}
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        fields = list(itertools.takewhile(lambda item: not item.startswith("#"), raw.split()))
        if not fields:
            continue
        record = _parse_line(fields, path=path, line=number, default_name=f"{base}:{number}")
        if record.digest in seen:
            raise TokenFileError(
                path,
                f"the same token hash is already on line {seen[record.digest]}; keep one line "
                "per token.",
                line=number,
            )
        seen[record.digest] = number
        records.append(record)
    return tuple(records)


def _parse_line(fields: list[str], *, path: str, line: int, default_name: str) -> TokenRecord:
    def fail(message: str) -> TokenFileError:
        return TokenFileError(path, message, line=line)

    first, options = fields[0], fields[1:]
    if not _HASH_RE.fullmatch(first):
        raise fail(
            "the first field must be a token hash 'sha256:<64 hex digits>' (it is not; "
            "if it is a plaintext token, remove it and store its hash instead, from "
            "`python -m apicore_auth hash`)."
        )
    values: dict[str, str] = {}
    for position, option in enumerate(options, start=2):
        key, sep, value = option.partition("=")
        if not sep or key not in _FILE_KEYS:
            raise fail(
                f"field {position} is not one of name=..., scopes=..., expires=... "
                "(values cannot contain spaces)."
            )
        if key in values:
            raise fail(f"{key}= is given twice.")
        if not value:
            raise fail(f"{key}= has an empty value.")
        values[key] = value
    name = values.get("name", default_name)
    if not _NAME_RE.fullmatch(name):
        raise fail("name= must be 1 to 100 letters, digits or ._@:+/- characters.")
    scopes = frozenset(values["scopes"].split(",")) if "scopes" in values else frozenset()
    try:
        for scope in scopes:
            check_scope(scope)
    except ValueError:
        raise fail(
            "scopes= must be a comma-separated list of scopes (printable ASCII without "
            "spaces, quotes or backslashes), or * for every scope."
        ) from None
    expires_at = None
    if "expires" in values:
        try:
            expires_at = parse_expiry(values["expires"])
        except ValueError:
            raise fail(
                "expires= must be a date (2026-01-31, meaning midnight UTC) or an ISO 8601 "
                "datetime with a timezone (2026-01-31T12:00:00Z)."
            ) from None
    return TokenRecord.from_hash(
        first, name=name, scopes=scopes, expires_at=expires_at, source=f"{path}:{line}"
    )
