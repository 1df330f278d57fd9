"""apicore-auth: API tokens for HTTP APIs.

Tokens come from an environment variable, a ``*_FILE`` secret file or a tokens file of
hashes with names, scopes and expiry; several may be active at once for rotation. An
``Authenticator`` built once at start-up checks each request's headers against an endpoint's
``Requirement`` in constant time and returns the ``Principal`` or raises a
``CredentialsError`` that renders as an RFC 9457 problem document with the status and
``WWW-Authenticate`` header to send. Framework-neutral; its one dependency is
apicore-introspect (the shared ``Clock`` and ``testing.FakeClock``).
"""

from apicore_auth.__about__ import __version__
from apicore_auth._authenticator import Authenticator, HeadersLike
from apicore_auth._errors import (
    AuthError,
    ConfigurationError,
    CredentialsError,
    ExpiredTokenError,
    InsufficientScopeError,
    InvalidTokenError,
    InvalidTokenNameError,
    MalformedCredentialsError,
    MissingTokenError,
    NoTokenConfiguredError,
    TokenFileError,
)
from apicore_auth._openapi import (
    BEARER_SCHEME,
    LEGACY_SCHEME,
    X_API_KEY_SCHEME,
    openapi_responses,
    openapi_security,
    openapi_security_schemes,
)
from apicore_auth._requirement import ANY_TOKEN, NO_AUTH, Principal, Requirement
from apicore_auth._settings import (
    LEGACY_DEFAULT_TOKEN,
    LEGACY_ENV_VAR,
    LEGACY_HEADER_NAME,
    SHARED_ENV_VAR,
    TOKENS_FILE_ENV_VAR,
    AuthSettings,
)
from apicore_auth._tokens import TokenRecord, generate_token, hash_token, parse_tokens_file
from apicore_introspect import Clock

__all__ = [
    "ANY_TOKEN",
    "AuthError",
    "AuthSettings",
    "Authenticator",
    "BEARER_SCHEME",
    "Clock",
    "ConfigurationError",
    "CredentialsError",
    "ExpiredTokenError",
    "HeadersLike",
    "InsufficientScopeError",
    "InvalidTokenError",
    "InvalidTokenNameError",
    "LEGACY_DEFAULT_TOKEN",
    "LEGACY_ENV_VAR",
    "LEGACY_HEADER_NAME",
    "LEGACY_SCHEME",
    "MalformedCredentialsError",
    "MissingTokenError",
    "NO_AUTH",
    "NoTokenConfiguredError",
    "Principal",
    "Requirement",
    "SHARED_ENV_VAR",
    "TOKENS_FILE_ENV_VAR",
    "TokenFileError",
    "TokenRecord",
    "X_API_KEY_SCHEME",
    "__version__",
    "generate_token",
    "hash_token",
    "openapi_responses",
    "openapi_security",
    "openapi_security_schemes",
    "parse_tokens_file",
]
