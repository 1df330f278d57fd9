"""The per-request check: headers + requirement -> principal, or a credentials error.

Everything that does not depend on the request (header names, digests, messages, principals)
is computed once in ``Authenticator.__init__`` so that ``check`` stays a short loop over the
request's headers, one SHA-256 and one ``hmac.compare_digest`` per configured token.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TypeAlias

from apicore_auth import _errors as errors
from apicore_auth._requirement import ANY_TOKEN, Principal, Requirement
from apicore_auth._settings import (
    LEGACY_DEFAULT_TOKEN,
    X_API_KEY,
    AuthSettings,
    normalize_header_name,
)
from apicore_auth._tokens import ALL_SCOPES, TokenRecord, digest_of
from apicore_introspect import Clock

logger = logging.getLogger("apicore_auth")

#: Request headers: a mapping (case-insensitive lookups are not needed), or an iterable of
#: ``(name, value)`` pairs as ``str`` or ``bytes`` (WSGI ``EnvironHeaders``, ASGI raw headers).
HeadersLike: TypeAlias = (
    Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]]
)
#: Where the authenticator reads the time: a :class:`~apicore_introspect.Clock` (its
#: ``time()``) or a function returning seconds since the epoch (like ``time.time``).
TimeSource: TypeAlias = Clock | Callable[[], float]


class Authenticator:
    """Checks requests' credentials against a fixed set of tokens.

    Immutable after construction and safe to share between threads and event loops. Build
    one at start-up with ``Authenticator.from_env()`` (environment and files) or directly
    from ``TokenRecord`` values; then call ``check`` on every request.

    Args:
        tokens: The accepted tokens. Several may be active at once (rotation).
        settings: Header forms, names and the legacy default-token switch.
        clock: A :class:`~apicore_introspect.Clock` (its ``time()`` is read) or a function
            returning the current epoch time; used only for tokens that expire.

    Raises:
        ConfigurationError: Two records hold the same token.
    """

    __slots__ = (
        "_challenge",
        "_clock",
        "_entries",
        "_header_kinds",
        "_missing_detail",
        "_using_default",
        "settings",
        "tokens",
    )

    def __init__(
        self,
        tokens: Iterable[TokenRecord] = (),
        *,
        settings: AuthSettings | None = None,
        clock: TimeSource = time.time,
    ) -> None:
        self.settings = settings = settings if settings is not None else AuthSettings()
        records = tuple(tokens)
        self._using_default = not records and settings.allow_default_token
        if self._using_default:
            records = (
                TokenRecord.from_token(
                    LEGACY_DEFAULT_TOKEN,
                    name="legacy-default-token",
                    scopes=(ALL_SCOPES,),
                    source="legacy default",
                ),
            )
            logger.warning(_default_token_warning(settings))
        _refuse_duplicates(records)
        #: The accepted tokens (digests are hidden from their repr).
        self.tokens: tuple[TokenRecord, ...] = records
        self._entries = tuple(
            (
                record.digest,
                record.expires_at.timestamp() if record.expires_at is not None else None,
                Principal(record.name, record.scopes, record.expires_at, record.source),
            )
            for record in records
        )
        self._clock = clock.time if isinstance(clock, Clock) else clock
        self._challenge = settings.challenge
        kinds: dict[str, str] = {}
        if settings.legacy_header:
            kinds[normalize_header_name(settings.header_name)] = settings.header_name
        if settings.x_api_key:
            kinds["x-api-key"] = X_API_KEY
        if settings.bearer:
            kinds["authorization"] = "Authorization"
        self._header_kinds = kinds
        forms = " or ".join(settings.header_forms)
        self._missing_detail = f"This endpoint requires an API token; send it as {forms}."

    @classmethod
    def from_env(
        cls,
        settings: AuthSettings | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        clock: TimeSource = time.time,
    ) -> Authenticator:
        """Load the tokens from the environment and files named by ``settings``.

        Sources, all combined: ``settings.env_var`` (one plaintext token, hashed at once),
        or ``<env_var>_FILE`` (a file holding one plaintext token; setting both is an
        error), and a tokens file (``settings.tokens_file``, else the path in
        ``settings.tokens_file_env_var``). Environment tokens grant every scope.

        Args:
            settings: What to read; the legacy symmetric names by default.
            environ: The environment to read (``os.environ`` by default).
            clock: Passed to the authenticator.

        Raises:
            ConfigurationError: A source is set but unusable; ``TokenFileError`` names the
                file and line.
        """
        from apicore_auth._sources import load_tokens

        settings = settings if settings is not None else AuthSettings()
        records = load_tokens(settings, os.environ if environ is None else environ)
        return cls(records, settings=settings, clock=clock)

    @property
    def configured(self) -> bool:
        """Whether any token (including an allowed legacy default) is accepted."""
        return bool(self._entries)

    @property
    def using_default_token(self) -> bool:
        """Whether the public legacy default token is what is accepted."""
        return self._using_default

    def __repr__(self) -> str:
        names = ", ".join(record.name for record in self.tokens)
        return f"<Authenticator tokens=[{names}]>"

    def check(self, headers: HeadersLike, requirement: Requirement = ANY_TOKEN) -> Principal | None:
        """Authenticate a request against ``requirement``.

        Args:
            headers: The request headers (names are matched case-insensitively).
            requirement: What the endpoint requires.

        Returns:
            ``None`` when the requirement is ``NO_AUTH`` (headers are not read), else the
            principal the token belongs to.

        Raises:
            MissingTokenError: No token sent (401).
            InvalidTokenError: Unknown token (401); ``ExpiredTokenError`` when expired.
            NoTokenConfiguredError: The server has no token configured (401, fail closed).
            InsufficientScopeError: Valid token without a required scope (403).
            MalformedCredentialsError: Malformed or conflicting credential headers (400).
        """
        if not requirement.authenticated:
            return None
        if not self._entries:
            raise errors.NoTokenConfiguredError(
                "This endpoint requires an API token, but the server has none configured, "
                "so it refuses every request; the server's log says how to set one.",
                challenge=self._challenge,
            )
        presented = self._presented(headers)
        if presented is None:
            raise errors.MissingTokenError(self._missing_detail, challenge=self._challenge)
        digest, via = presented
        found: tuple[bytes, float | None, Principal] | None = None
        # Every entry is compared, without stopping at a match, so the time taken does not
        # depend on which token matched; each comparison is constant-time on 32 bytes.
        for entry in self._entries:
            if hmac.compare_digest(entry[0], digest):
                found = entry
        if found is None:
            logger.debug("Refused an unknown API token sent in %s.", via)
            raise errors.InvalidTokenError("The API token is not valid.", challenge=self._challenge)
        _, expires, principal = found
        if expires is not None and self._clock() >= expires:
            logger.info(
                "Refused API token %r (sent in %s): it expired at %s.",
                principal.name,
                via,
                principal.expires_at,
            )
            raise errors.ExpiredTokenError(
                "The API token has expired; ask for a new one.", challenge=self._challenge
            )
        needed = requirement.scopes
        if needed and ALL_SCOPES not in principal.scopes and not needed <= principal.scopes:
            missing = ", ".join(sorted(needed - principal.scopes))
            raise errors.InsufficientScopeError(
                f"The API token lacks the scope(s) this endpoint requires: {missing}.",
                required=needed,
                challenge=self._challenge,
            )
        return principal

    def _presented(self, headers: HeadersLike) -> tuple[bytes, str] | None:
        """Find the one token the request carries: its digest and the header it came in."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        kinds = self._header_kinds
        found: list[tuple[bytes, str]] = []
        other_scheme = False
        for raw_name, raw_value in items:
            name = raw_name.decode("latin-1") if isinstance(raw_name, bytes) else raw_name
            display = kinds.get(name.lower().replace("_", "-"))
            if display is None:
                continue
            value = raw_value.decode("latin-1") if isinstance(raw_value, bytes) else raw_value
            token = value.strip()
            if display == "Authorization":
                scheme, _, token = token.partition(" ")
                if scheme.lower() != "bearer":
                    # Another scheme (Basic for a proxy, say) is not ours: ignored when a
                    # supported credential is also present, a 400 otherwise (below).
                    other_scheme = True
                    continue
                token = token.strip()
            if not token:
                raise errors.MalformedCredentialsError(
                    "The Authorization header has the Bearer scheme but no token."
                    if display == "Authorization"
                    else f"The {display} header is empty; put the API token in it.",
                    challenge=self._challenge,
                )
            if any(char.isspace() for char in token):
                raise errors.MalformedCredentialsError(
                    f"The token in the {display} header contains spaces, or the header was "
                    "sent more than once; send one token, once.",
                    challenge=self._challenge,
                )
            found.append((digest_of(token), display))
        if not found:
            if other_scheme:
                raise errors.MalformedCredentialsError(
                    "The Authorization header must be 'Bearer <token>'; other schemes are not "
                    "accepted.",
                    challenge=self._challenge,
                )
            return None
        first = found[0][0]
        if any(not hmac.compare_digest(first, digest) for digest, _ in found[1:]):
            names = ", ".join(sorted({display for _, display in found}))
            raise errors.MalformedCredentialsError(
                f"Different API tokens were sent ({names}); send exactly one.",
                challenge=self._challenge,
            )
        return found[0]

    def diagnose(self, requirements: Iterable[Requirement]) -> str | None:
        """Check at start-up that the endpoints' requirements can be met; log what is wrong.

        Adapters call this once, with every endpoint's requirement. Problems are logged as
        warnings (protected endpoints that will refuse every request because no token is
        set, the public default token, expired tokens, scopes no token grants) and returned.
        No token is a warning, not an error: the server is safe and works, and the message
        says how to set one.

        Returns:
            The message logged, or ``None`` when there is nothing to say.
        """
        protected = [req for req in requirements if req.authenticated]
        if not protected:
            return None
        settings = self.settings
        # The default-token warning was logged when the authenticator was built; it is part
        # of the returned diagnosis but not logged twice.
        warning = [_default_token_warning(settings)] if self._using_default else []
        messages: list[str] = []
        now = self._clock()
        live = [entry for entry in self._entries if entry[1] is None or entry[1] > now]
        expired = sorted(entry[2].name for entry in self._entries if entry not in live)
        if expired:
            messages.append(
                f"These API tokens have expired and are refused: {', '.join(expired)}. "
                "Remove them from the tokens file."
            )
        granted = set[str]().union(*(principal.scopes for _, _, principal in live))
        if live and ALL_SCOPES not in granted:
            ungranted = sorted(set[str]().union(*(req.scopes for req in protected)) - granted)
            if ungranted:
                messages.append(
                    f"No unexpired API token grants the scope(s) {', '.join(ungranted)}, so the "
                    "endpoints requiring them refuse every request with 403; add them to a "
                    "token's scopes= in the tokens file."
                )
        if not live:
            messages.append(_not_configured_message(settings, len(protected)))
        if messages:
            logger.warning("\n".join(messages))
        return "\n".join(warning + messages) or None


def _refuse_duplicates(records: tuple[TokenRecord, ...]) -> None:
    seen: dict[bytes, TokenRecord] = {}
    for record in records:
        # A dict keyed by digest is fine here: this runs once on configuration, not on
        # attacker-controlled input.
        previous = seen.setdefault(record.digest, record)
        if previous is not record:
            raise errors.ConfigurationError(
                f"The same token is configured twice: as {previous.name!r} "
                f"({previous.source or 'given directly'}) and as {record.name!r} "
                f"({record.source or 'given directly'}); keep one."
            )


def _not_configured_message(settings: AuthSettings, count: int) -> str:
    also = f" (or {settings.shared_env_var})" if len(settings.env_vars) > 1 else ""
    return (
        f"{count} endpoint(s) require an API token but no token is configured, so every "
        "request to them is refused with 401. Set one before starting the server: "
        f'export {settings.env_var}="$(python -m apicore_auth new)"{also}, or put the token '
        f"in a file and set {settings.file_env_var}=/path/to/that/file, or list hashed tokens "
        "(from `python -m apicore_auth hash`) in a tokens file named by "
        f"{settings.tokens_file_env_var}."
    )


def _default_token_warning(settings: AuthSettings) -> str:
    return (
        f"!!! SECURITY WARNING: accepting legacy symmetric's PUBLIC default token "
        f"'{LEGACY_DEFAULT_TOKEN}', because no token is configured and the default token is "
        "allowed (development server or legacy switch). Anyone can call the protected "
        f"endpoints. Set {' or '.join(settings.env_vars)} (or {settings.file_env_var}, or a "
        f"tokens file in {settings.tokens_file_env_var}) before exposing this server."
    )
