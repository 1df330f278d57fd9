"""Where tokens come from and which headers carry them (pure values, legacy renaming)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from apicore_auth._errors import InvalidTokenNameError
from apicore_introspect.frozen import frozen

#: Legacy symmetric's request header (``API_CLIENT_TOKEN_NAME``).
LEGACY_HEADER_NAME: Final = "symmetric_api_key"
#: Legacy symmetric's environment variable (``API_SERVER_TOKEN_NAME``).
LEGACY_ENV_VAR: Final = "SYMMETRIC_API_KEY"
#: The environment variable every package reads a token from, whatever its own variable is.
SHARED_ENV_VAR: Final = "APICORE_API_KEY"
#: Legacy symmetric's public default token (``API_DEFAULT_TOKEN``): anyone can read it in
#: symmetric's documentation, so it is accepted only when ``allow_default_token`` is set.
LEGACY_DEFAULT_TOKEN: Final = "symmetric_token"
#: The environment variable naming a tokens file, by default.
TOKENS_FILE_ENV_VAR: Final = "APICORE_TOKENS_FILE"
#: The header for API keys.
X_API_KEY: Final = "X-API-Key"

_HEADER_RE = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_REALM_RE = re.compile(r'[^"\\\x00-\x1f\x7f]*')


def normalize_header_name(name: str) -> str:
    """Lower-case a header name and treat ``_`` as ``-`` (as Werkzeug's lookup does)."""
    return name.lower().replace("_", "-")


@frozen(kw_only=True)
class AuthSettings:
    """Where tokens come from and which headers may carry them.

    The defaults read symmetric's legacy names, so old deployments keep working; each
    package passes its own ``env_var`` (asymmetric: ``ASYMMETRIC_API_KEY``).

    Attributes:
        env_var: The package's environment variable holding one plaintext token (legacy
            ``set_server_token_name``). ``<env_var>_FILE`` may instead name a file holding it.
        shared_env_var: A second such variable, read as well, with the same name in every
            package: ``APICORE_API_KEY`` (and ``APICORE_API_KEY_FILE``); ``None`` reads only
            ``env_var``.
        header_name: The legacy API-key header (legacy ``set_client_token_name``); matched
            case-insensitively with ``-`` and ``_`` interchangeable.
        tokens_file: Path of a tokens file (hashes, names, scopes, expiry); when ``None``,
            the path is read from the ``tokens_file_env_var`` environment variable, if set.
        tokens_file_env_var: Environment variable that may name a tokens file.
        bearer: Accept ``Authorization: Bearer <token>``.
        x_api_key: Accept the ``X-API-Key`` header.
        legacy_header: Accept the ``header_name`` header.
        allow_default_token: Accept legacy symmetric's public default token
            ``symmetric_token`` when no token is configured (development server or explicit
            legacy switch only; logs a warning).
        realm: The realm sent in ``WWW-Authenticate``.
    """

    env_var: str = LEGACY_ENV_VAR
    shared_env_var: str | None = SHARED_ENV_VAR
    header_name: str = LEGACY_HEADER_NAME
    tokens_file: str | None = None
    tokens_file_env_var: str = TOKENS_FILE_ENV_VAR
    bearer: bool = True
    x_api_key: bool = True
    legacy_header: bool = True
    allow_default_token: bool = False
    realm: str = "api"

    def __post_init__(self) -> None:
        _check_header_name(self.header_name)
        _check_env_var(self.env_var)
        if self.shared_env_var is not None:
            _check_env_var(self.shared_env_var)
        _check_env_var(self.tokens_file_env_var)
        if not _REALM_RE.fullmatch(self.realm):
            raise ValueError("realm cannot contain quotes, backslashes or control characters.")
        if not (self.bearer or self.x_api_key or self.legacy_header):
            raise ValueError("Enable at least one of bearer, x_api_key and legacy_header.")

    @property
    def file_env_var(self) -> str:
        """The ``*_FILE`` variable: ``<env_var>_FILE``, naming a file holding the token."""
        return self.env_var + "_FILE"

    @property
    def env_vars(self) -> tuple[str, ...]:
        """Every variable a token is read from: ``env_var``, then ``shared_env_var``."""
        if self.shared_env_var is None or self.shared_env_var == self.env_var:
            return (self.env_var,)
        return (self.env_var, self.shared_env_var)

    @property
    def challenge(self) -> str:
        """The ``WWW-Authenticate`` challenge, without an error code."""
        scheme = "Bearer" if self.bearer else "APIKey"
        return f'{scheme} realm="{self.realm}"'

    @property
    def header_forms(self) -> tuple[str, ...]:
        """Human-readable list of the accepted header forms, for messages."""
        forms = []
        if self.bearer:
            forms.append("'Authorization: Bearer <token>'")
        if self.x_api_key:
            forms.append(f"'{X_API_KEY}: <token>'")
        if legacy_header_shown(self):
            # '-' and '_' are interchangeable here, but proxies and servers (gunicorn,
            # nginx) drop header names with '_': suggest the spelling that gets through.
            spelled = "-".join(part.capitalize() for part in re.split(r"[-_]", self.header_name))
            forms.append(f"'{spelled}: <token>'")
        return tuple(forms)

    def with_client_token_name(self, name: object) -> AuthSettings:
        """Return settings whose legacy header is ``name`` (legacy ``set_client_token_name``).

        Raises:
            InvalidTokenNameError: With legacy symmetric's messages for a non-string or empty
                name, and for a name that is not a valid header name or is ``Authorization``.
        """
        return replace(self, header_name=_legacy_name(name, "client"))

    def with_server_token_name(self, name: object) -> AuthSettings:
        """Return settings reading the token from env var ``name`` (``set_server_token_name``).

        Raises:
            InvalidTokenNameError: With legacy symmetric's messages for a non-string or empty
                name, and for a name an environment variable cannot have.
        """
        return replace(self, env_var=_legacy_name(name, "server"))


def _legacy_name(name: object, side: str) -> str:
    # legacy symmetric's messages, verbatim
    if not isinstance(name, str):
        raise InvalidTokenNameError(
            f"Invalid {side} token name type given on set_{side}_token_name call"
        )
    if not name:
        raise InvalidTokenNameError(f"Empty {side} token name given on set_{side}_token_name call")
    return name


def legacy_header_shown(settings: AuthSettings) -> bool:
    """Whether the legacy header is a form of its own (not ``X-API-Key`` again)."""
    legacy = normalize_header_name(settings.header_name)
    return settings.legacy_header and not (settings.x_api_key and legacy == "x-api-key")


def _check_header_name(name: object) -> None:
    if not isinstance(name, str) or not _HEADER_RE.fullmatch(name):
        raise InvalidTokenNameError(
            f"Invalid client token name {name!r}: a header name is letters, digits and "
            "!#$%&'*+-.^_`|~ only (no spaces or colons)."
        )
    if normalize_header_name(name) == "authorization":
        raise InvalidTokenNameError(
            "The client token name cannot be 'Authorization': that header carries "
            "'Bearer <token>', which is already accepted."
        )


def _check_env_var(name: object) -> None:
    if not isinstance(name, str) or not name or "=" in name or "\x00" in name:
        raise InvalidTokenNameError(
            f"Invalid environment variable name {name!r}: use a non-empty name without '=', "
            "such as MY_API_KEY."
        )
