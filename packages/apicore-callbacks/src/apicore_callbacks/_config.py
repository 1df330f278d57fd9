"""Callback declaration (the decorator's ``callback=``) and per-request header parsing."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from apicore_callbacks._errors import (
    InvalidCallbackKeyError,
    InvalidCallbackMethodError,
    InvalidCallbackObjectError,
    InvalidCallbackURLError,
    InvalidIdempotencyKeyError,
)
from apicore_callbacks._jobs import CallbackRequest
from apicore_callbacks._ssrf import DestinationPolicy, check_url

logger = logging.getLogger("apicore_callbacks")

LEGACY_KEYS = ("callback_url_header", "callback_method_header", "custom_callback_key_header")
METHODS = ("POST", "PUT", "PATCH")
MAX_KEY_LENGTH = 256
MAX_IDEMPOTENCY_KEY_LENGTH = 255
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PRINTABLE = re.compile(r"[\x20-\x7e]+")


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


@dataclass(frozen=True)
class CallbackConfig:
    """The request header names a callback endpoint reads (legacy ``asymmetric`` defaults).

    Attributes:
        url_header: Header with the callback URL (required in requests).
        method_header: Header with the callback method (``POST`` when absent).
        key_header: Header with a key to wrap the result as ``{key: result}``.
        idempotency_header: Header with the request's idempotency key.
    """

    url_header: str = "Asymmetric-Callback-URL"
    method_header: str = "Asymmetric-Callback-Method"
    key_header: str = "Asymmetric-Custom-Callback-Key"
    idempotency_header: str = "Idempotency-Key"

    @classmethod
    def from_legacy(cls, callback: object) -> CallbackConfig | None:
        """Read the decorator's ``callback=`` argument, validated at decoration time.

        ``False``/``None`` means no callback; ``True`` the default headers; a dict may set
        ``callback_url_header``, ``callback_method_header`` and ``custom_callback_key_header``
        (strings). Unlike the legacy package, ``{}`` enables the callback with the defaults.

        Raises:
            InvalidCallbackObjectError: Any other value, an unknown key or a non-string value
                (the legacy error class).
        """
        if callback is None or callback is False:
            return None
        if callback is True:
            return cls()
        if not isinstance(callback, Mapping):
            raise InvalidCallbackObjectError(
                f"Invalid callback object: {callback!r}; pass callback=True or a dict with "
                f"some of the keys {', '.join(LEGACY_KEYS)}"
            )
        problems = [f"unknown key {k!r}" for k in callback if k not in LEGACY_KEYS]
        problems += [
            f"{k!r} must be an HTTP header name (a non-empty string of token characters)"
            for k, v in callback.items()
            if k in LEGACY_KEYS and not (isinstance(v, str) and _TOKEN.fullmatch(v))
        ]
        if problems:
            shown = json.dumps({str(k): repr(v) for k, v in callback.items()}, indent=2)
            logger.critical("Invalid callback object:\n%s", shown)
            raise InvalidCallbackObjectError(
                "Invalid callback object: "
                + "; ".join(problems)
                + f" (allowed keys: {', '.join(LEGACY_KEYS)})"
            )
        defaults = cls()
        return cls(
            url_header=callback.get("callback_url_header", defaults.url_header),
            method_header=callback.get("callback_method_header", defaults.method_header),
            key_header=callback.get("custom_callback_key_header", defaults.key_header),
        )

    def parse(self, headers: Mapping[str, str], *, policy: DestinationPolicy) -> CallbackRequest:
        """Read and validate one request's callback headers (names are case-insensitive).

        Args:
            headers: The request headers.
            policy: The SSRF policy for the literal-address pre-check: the dispatcher's
                (``dispatcher.settings.policy``), built once from the settings and the
                environment, never re-read per request.

        Raises:
            CallbackRequestError: Render ``.problem()`` as the 422 answer (``.legacy_message``
                is the legacy ``{"message": ...}`` text); no job must be created.
        """
        lowered = _lower(headers)
        url = lowered.get(self.url_header.lower(), "").strip()
        try:
            dest = check_url(url, policy)
        except InvalidCallbackURLError as exc:
            raise InvalidCallbackURLError(
                exc.detail,
                legacy_message=exc.legacy_message,
                loc=["header", self.url_header],
                kind=exc.kind,
            ) from None
        method = lowered.get(self.method_header.lower())
        if method is not None and method.strip().upper() not in METHODS:
            raise InvalidCallbackMethodError(
                f"the callback method must be one of {', '.join(METHODS)}",
                legacy_message="Invalid callback HTTP method",
                loc=["header", self.method_header],
                kind="invalid_method",
            )
        key = lowered.get(self.key_header.lower()) or None
        if key is not None and (len(key) > MAX_KEY_LENGTH or not _PRINTABLE.fullmatch(key)):
            raise InvalidCallbackKeyError(
                f"the custom callback key must be 1 to {MAX_KEY_LENGTH} printable characters",
                legacy_message="Invalid callback key",
                loc=["header", self.key_header],
                kind="invalid_key",
            )
        return CallbackRequest(url=dest.url, method=(method or "POST").strip().upper(), key=key)

    def idempotency_key(self, headers: Mapping[str, str]) -> str | None:
        """Return the request's ``Idempotency-Key`` (``None`` when absent).

        Raises:
            InvalidIdempotencyKeyError: Empty, longer than 255 or non-printable.
        """
        raw = _lower(headers).get(self.idempotency_header.lower())
        if raw is None:
            return None
        key = raw.strip()
        if key.startswith('"') and key.endswith('"') and len(key) >= 2:  # RFC 8941 sf-string
            key = key[1:-1]
        if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not _PRINTABLE.fullmatch(key):
            raise InvalidIdempotencyKeyError(
                f"the {self.idempotency_header} header must be 1 to "
                f"{MAX_IDEMPOTENCY_KEY_LENGTH} printable characters",
                legacy_message="Invalid idempotency key",
                loc=["header", self.idempotency_header],
                kind="invalid_idempotency_key",
            )
        return key
