"""The exceptions of apicore-auth: configuration errors and credential errors.

``ConfigurationError`` is raised once, when tokens are loaded or settings changed;
``CredentialsError`` per request, rendered as a problem document by apicore-app. No message of
any of them ever contains a token, a token hash or a line of a tokens file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apicore_introspect import legacy_problem

# The problem protocol's members besides ``errors`` (apicore_introspect.PROBLEM_MEMBERS).
_MEMBERS = ("status", "slug", "title", "detail")


class AuthError(Exception):
    """Base class of every exception raised by apicore-auth."""


class ConfigurationError(AuthError, ValueError):
    """Tokens or settings cannot be used: fix the environment, the file or the call."""


class TokenFileError(ConfigurationError):
    """A tokens file (or a single-token ``*_FILE``) cannot be read or parsed.

    Attributes:
        path: The file's path, as given.
        line: The 1-based line number of the offending line, or ``None`` for the whole file.
    """

    def __init__(self, path: str, message: str, *, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class InvalidTokenNameError(ConfigurationError):
    """A header name or environment variable name for the token is unusable.

    Raised by the legacy renaming operations with symmetric's exact messages for a non-string
    or empty name.
    """


class CredentialsError(AuthError):
    """A request's credentials are refused; renders as a problem document.

    Attributes:
        status: The HTTP status code to answer with.
        slug: The last part of the problem ``type`` URI.
        title: The problem's short, constant title.
        detail: A sentence about this occurrence, safe to show to the client.
        www_authenticate: The ``WWW-Authenticate`` header value to send.
    """

    status = 401
    slug = "unauthorized"
    title = "Unauthorized"
    #: RFC 6750 error code put in ``WWW-Authenticate``; empty for none.
    error_code = ""

    def __init__(self, detail: str, *, challenge: str = 'Bearer realm="api"') -> None:
        self.detail = detail
        code = f', error="{self.error_code}"' if self.error_code else ""
        self.www_authenticate = challenge + code
        super().__init__(detail)

    @property
    def headers(self) -> dict[str, str]:
        """The response headers to send with the problem document (a fresh dict)."""
        return {"WWW-Authenticate": self.www_authenticate}

    def problem_fields(self) -> dict[str, Any]:
        """Return the problem protocol's members: status, slug, title, detail, errors."""
        return {member: getattr(self, member) for member in _MEMBERS} | {"errors": []}

    def to_problem(self) -> dict[str, Any]:
        """Return the RFC 9457 problem document for this error.

        .. deprecated:: Unreleased
            Use :meth:`problem_fields`; apicore-app renders the document
            (``apicore_app.render_problem``).
        """
        return legacy_problem(self, "to_problem")


class MissingTokenError(CredentialsError):
    """The endpoint requires a token and the request carries none (401, no error code)."""


class InvalidTokenError(CredentialsError):
    """The token matches none of the configured tokens (401, ``invalid_token``)."""

    error_code = "invalid_token"


class ExpiredTokenError(InvalidTokenError):
    """The token matches a configured token whose expiry has passed (401)."""


class NoTokenConfiguredError(CredentialsError):
    """The endpoint is protected but the server has no token configured: fail closed (401)."""


class InsufficientScopeError(CredentialsError):
    """The token is valid but lacks a scope the endpoint requires (403).

    Attributes:
        required: The scopes the endpoint requires, sorted.
    """

    status = 403
    slug = "forbidden"
    title = "Forbidden"
    error_code = "insufficient_scope"

    def __init__(
        self, detail: str, *, required: Iterable[str], challenge: str = 'Bearer realm="api"'
    ) -> None:
        self.required = tuple(sorted(required))
        super().__init__(detail, challenge=challenge)
        # RFC 6750 section 3: the scope attribute lists the scopes needed, space-separated.
        self.www_authenticate += f', scope="{" ".join(self.required)}"'

    def problem_fields(self) -> dict[str, Any]:
        """Return the problem's members, with the ``required_scopes`` extension member."""
        return {**super().problem_fields(), "required_scopes": list(self.required)}


class MalformedCredentialsError(CredentialsError):
    """The credential headers are malformed or ambiguous (400, ``invalid_request``)."""

    status = 400
    slug = "malformed-credentials"
    title = "Malformed credentials"
    error_code = "invalid_request"
