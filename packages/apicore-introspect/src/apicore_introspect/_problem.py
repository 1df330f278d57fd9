"""The problem protocol: one shape for every error that answers a request, one renderer.

Every package's request errors (apicore-introspect's, apicore-specbind's, apicore-auth's
credential errors, apicore-callbacks' header errors, apicore-app's ``HTTPError``) have one
method, ``problem_fields()``, returning a mapping with five members:

- ``status``: the HTTP status (``int``);
- ``slug``: the problem type's last part, such as ``"validation-error"`` (never the full URI);
- ``title``: a short, constant title;
- ``detail``: a sentence about this occurrence (``None`` for none);
- ``errors``: a sequence of error items, each ``{"loc": [...], "msg": str, "type": str}``
  (empty when there is none);

plus any extension member (``required_scopes``...). It is a structural protocol
(:class:`ProblemError`): an error satisfies it without importing it, and
:class:`ProblemFieldsMixin` writes it once for the request errors. :func:`render_problem` is
the one place that turns fields into an RFC 9457 document, with the one
:data:`PROBLEM_TYPE_PREFIX`; apicore-app and the adapters call it, the packages that raise
the errors do not (only their deprecated ``to_problem()``/``problem()`` methods do).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, Final, Protocol, runtime_checkable

#: The one prefix of every problem ``type`` URI: ``urn:apicore:problem:<slug>``.
PROBLEM_TYPE_PREFIX: Final = "urn:apicore:problem:"

#: The media type of problem documents (RFC 9457 section 3).
PROBLEM_MEDIA_TYPE: Final = "application/problem+json"

#: The members every ``problem_fields()`` mapping has.
PROBLEM_MEMBERS: Final = ("status", "slug", "title", "detail", "errors")


@runtime_checkable
class ProblemError(Protocol):
    """An error that answers a request with a problem document (see the module docstring)."""

    def problem_fields(self) -> Mapping[str, Any]:
        """Return the status, slug, title, detail, errors and extension members."""
        ...


def render_problem(error: ProblemError, *, status: int | None = None) -> dict[str, Any]:
    """Return the RFC 9457 problem document of an error.

    Members come in the order ``type``, ``title``, ``status``, ``detail`` (left out when
    ``None``), ``errors`` (left out when empty), then the extension members. A ``type`` field,
    an absolute URI, replaces the prefixed slug (``HTTPError(type=...)`` only).

    Args:
        error: Any object with ``problem_fields()``.
        status: Answer with this status instead of the error's (400 instead of 422 for a
            server configured so).
    """
    fields = dict(error.problem_fields())
    slug = fields.pop("slug")
    custom_type = fields.pop("type", None)
    own_status = fields.pop("status")
    document: dict[str, Any] = {
        "type": custom_type if custom_type is not None else PROBLEM_TYPE_PREFIX + slug,
        "title": fields.pop("title"),
        "status": own_status if status is None else status,
    }
    detail = fields.pop("detail")
    if detail is not None:
        document["detail"] = detail
    errors = fields.pop("errors")
    if errors:
        document["errors"] = [dict(item) for item in errors]
    document.update(fields)
    return document


def legacy_problem(error: ProblemError, method: str) -> dict[str, Any]:
    """Warn that ``error.<method>()`` is deprecated, then return the document it always gave.

    For the deprecated document methods of apicore-auth (``to_problem()``) and
    apicore-callbacks (``problem()``): :func:`render_problem`'s document (their errors always
    have a ``detail``, so it is the document those methods gave).
    """
    warnings.warn(
        f"{type(error).__name__}.{method}() is deprecated: use problem_fields(), rendered by "
        "apicore_app.render_problem(error)",
        DeprecationWarning,
        stacklevel=3,
    )
    return render_problem(error)
