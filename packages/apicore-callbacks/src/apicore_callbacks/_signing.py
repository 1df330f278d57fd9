"""Standard Webhooks signatures: ``v1,<base64 HMAC-SHA256(id.timestamp.body)>``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets as _secrets
import time
from collections.abc import Iterable, Mapping
from typing import Any

from apicore_callbacks._errors import SettingsError, WebhookVerificationError

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = 300.0


def generate_secret(nbytes: int = 32) -> str:
    """Return a new random signing secret, ``whsec_<base64>`` (24 to 64 bytes)."""
    if not 24 <= nbytes <= 64:
        raise ValueError("a signing secret must have 24 to 64 random bytes")
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(nbytes)).decode()


def secret_key(secret: str | bytes) -> bytes:
    """Return the raw HMAC key of a ``whsec_...`` secret (the prefix is optional).

    Raises:
        SettingsError: The secret is empty or not base64.
    """
    if isinstance(secret, bytes):
        key = secret
    else:
        text = secret.strip().removeprefix(SECRET_PREFIX)
        try:
            key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise SettingsError(
                "a signing secret must be 'whsec_' followed by base64; "
                "create one with apicore_callbacks.generate_secret()"
            ) from None
    if not key:
        raise SettingsError("a signing secret must not be empty")
    return key


def _digests(
    msg_id: str, timestamp: int, body: bytes, secrets: str | bytes | Iterable[str | bytes]
) -> list[bytes]:
    """The HMAC-SHA256 of ``id.timestamp.body`` under each secret."""
    if isinstance(secrets, str | bytes):
        secrets = [secrets]
    keys = [secret_key(s) for s in secrets]
    if not keys:
        raise SettingsError("at least one signing secret is needed")
    content = f"{msg_id}.{int(timestamp)}.".encode() + body
    return [hmac.new(key, content, hashlib.sha256).digest() for key in keys]


def sign(
    msg_id: str, timestamp: int, body: bytes, secrets: str | bytes | Iterable[str | bytes]
) -> str:
    """Return the ``webhook-signature`` header value: one ``v1,<sig>`` per secret, space-separated.

    Args:
        msg_id: The ``webhook-id`` (must not contain ``.``).
        timestamp: The ``webhook-timestamp`` (integer Unix seconds).
        body: The exact body bytes sent.
        secrets: One secret or several (rotation: receivers accept any of them).
    """
    if "." in msg_id:
        raise ValueError("a webhook id must not contain '.'")
    digests = _digests(msg_id, timestamp, body, secrets)
    return " ".join("v1," + base64.b64encode(digest).decode() for digest in digests)


def webhook_headers(
    msg_id: str, timestamp: int, body: bytes, secrets: Iterable[str | bytes] = ()
) -> dict[str, str]:
    """Return the Standard Webhooks headers for one delivery attempt (signed when secrets given)."""
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(timestamp))}
    secret_list = list(secrets)
    if secret_list:
        headers["webhook-signature"] = sign(msg_id, timestamp, body, secret_list)
    return headers


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    secrets: str | bytes | Iterable[str | bytes],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Any:
    """Verify a received webhook and return its parsed JSON body.

    Standard Webhooks compatible: checks ``webhook-id``, ``webhook-timestamp`` (within
    ``tolerance`` seconds of ``now``) and that one ``v1`` signature in ``webhook-signature``
    matches one of ``secrets`` (constant-time). De-duplicate deliveries on ``webhook-id``.

    Args:
        payload: The raw request body, exactly as received.
        headers: The request headers (any case).
        secrets: The signing secret, or several during a rotation.
        tolerance: Allowed clock difference in seconds (default 5 minutes).
        now: The current Unix time (default: ``time.time()``).

    Returns:
        The JSON-decoded body.

    Raises:
        WebhookVerificationError: A header is missing, the timestamp is outside the
            tolerance, or no signature matches.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id", "")
    stamp = lowered.get("webhook-timestamp", "")
    signatures = lowered.get("webhook-signature", "")
    if not (msg_id and stamp and signatures):
        raise WebhookVerificationError(
            "missing webhook-id, webhook-timestamp or webhook-signature header"
        )
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not an integer") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError(
            "webhook-timestamp is outside the tolerance; check both clocks or replayed message"
        )
    body = payload.encode() if isinstance(payload, str) else payload
    expected = _digests(msg_id, timestamp, body, secrets)
    for item in signatures.split():
        version, _, encoded = item.partition(",")
        if version != "v1":
            continue
        try:
            candidate = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        # Compare against every key without stopping early: timing must not reveal which matched.
        if any([hmac.compare_digest(candidate, digest) for digest in expected]):
            try:
                return json.loads(body)
            except ValueError:
                raise WebhookVerificationError("the webhook body is not JSON") from None
    raise WebhookVerificationError("no webhook-signature matches the signing secret(s)")
