"""For those who tune or check deliveries: retries, signatures and the SSRF guard.

:class:`DeliveryRetryPolicy` and :func:`classify` decide when a delivery is retried (Standard
Webhooks semantics, ``Retry-After`` honoured through :func:`parse_retry_after`); :func:`sign`,
:func:`webhook_headers` and :func:`verify` are the Standard Webhooks signature; the
:class:`GuardedTransport` and :func:`check_url` apply the :class:`DestinationPolicy` to
every destination (:func:`parse_ip` and :func:`refusal_reason` are its address rules).
"""

from __future__ import annotations

from apicore_callbacks import _deprecation
from apicore_callbacks._guard import GuardedTransport
from apicore_callbacks._retry import (
    STANDARD_SCHEDULE,
    DeliveryRetryPolicy,
    Verdict,
    classify,
    parse_retry_after,
)
from apicore_callbacks._signing import generate_secret, sign, verify, webhook_headers
from apicore_callbacks._ssrf import (
    DestinationPolicy,
    check_url,
    parse_ip,
    refusal_reason,
)

__all__ = [
    "STANDARD_SCHEDULE",
    "DeliveryRetryPolicy",
    "DestinationPolicy",
    "GuardedTransport",
    "Verdict",
    "check_url",
    "classify",
    "generate_secret",
    "parse_ip",
    "parse_retry_after",
    "refusal_reason",
    "sign",
    "verify",
    "webhook_headers",
]


# Old name (deprecated, see CHANGELOG): apicore_client.RetryPolicy is a client call's.
__getattr__ = _deprecation.deprecated_names(
    __name__, {"RetryPolicy": f"{__name__}.DeliveryRetryPolicy"}
)
