"""The I/O edge: read tokens from the environment and from files.

This is the only module that touches the environment or the disk. Plaintext tokens are
hashed as soon as they are read and never kept, logged or put in an error message.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Mapping

from apicore_auth._errors import ConfigurationError, TokenFileError
from apicore_auth._settings import AuthSettings
from apicore_auth._tokens import ALL_SCOPES, TokenRecord, check_token_text, parse_tokens_file

logger = logging.getLogger("apicore_auth")

#: Larger files are refused: a tokens file is a few lines, a secret file one.
MAX_FILE_BYTES = 1 << 20
_SAFE_NAME_RE = re.compile(r"[A-Za-z0-9._@:+/-]{1,100}")


def load_tokens(settings: AuthSettings, environ: Mapping[str, str]) -> tuple[TokenRecord, ...]:
    """Read every token source ``settings`` names from ``environ`` and the disk."""
    records: list[TokenRecord] = []
    origins: list[str] = []
    for env_var in settings.env_vars:
        record = _env_token(env_var, environ)
        if record is not None and all(r.digest != record.digest for r in records):
            records.append(record)
            origins.append(env_var)
    path = settings.tokens_file
    what = "the tokens file"
    if path is None:
        path = environ.get(settings.tokens_file_env_var)
        what = f"the tokens file named by {settings.tokens_file_env_var}"
        if path == "":
            raise ConfigurationError(
                f"{settings.tokens_file_env_var} is set but empty; set it to a file's path."
            )
    if path is not None:
        listed = parse_tokens_file(_read_file(path, what=what, secret=False), path=path)
        records.extend(listed)
        origins.append(f"{path} ({', '.join(record.name for record in listed)})")
    if records:
        count = len(records)
        logger.info(
            "Loaded %d API token%s from %s.", count, "" if count == 1 else "s", ", ".join(origins)
        )
    return tuple(records)


def _env_token(env_var: str, environ: Mapping[str, str]) -> TokenRecord | None:
    """The token in ``env_var``, or in the file ``<env_var>_FILE`` names, if either is set."""
    file_var = env_var + "_FILE"
    env_value, file_value = environ.get(env_var), environ.get(file_var)
    if env_value is not None and file_value is not None:
        raise ConfigurationError(f"Both {env_var} and {file_var} are set; set only one of them.")
    if env_value is not None:
        token = env_value.strip()
        check_token_text(token, source=f"The environment variable {env_var}")
        return _env_record(token, env_var, source=f"env {env_var}")
    if file_value is None:
        return None
    if not file_value:
        raise ConfigurationError(f"{file_var} is set but empty; set it to a file's path.")
    text = _read_file(file_value, what=f"the token file named by {file_var}", secret=True)
    token = text.strip()
    check_token_text(token, source=f"The token file {file_value} (named by {file_var})")
    return _env_record(token, file_var, source=f"file {file_value}")


def _env_record(token: str, variable: str, *, source: str) -> TokenRecord:
    # An environment token is the deployment's single token: it grants every scope.
    name = variable if _SAFE_NAME_RE.fullmatch(variable) else "environment-token"
    return TokenRecord.from_token(token, name=name, scopes=(ALL_SCOPES,), source=source)


def _read_file(path: str, *, what: str, secret: bool) -> str:
    """Read a small UTF-8 file after checking who may change (or read) it."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise TokenFileError(path, f"{what} does not exist; fix the path.") from None
    except OSError as exc:
        raise TokenFileError(path, f"{what} cannot be read ({exc.strerror}).") from None
    if not stat.S_ISREG(info.st_mode):
        raise TokenFileError(path, f"{what} is not a regular file.")
    if os.name == "posix":
        if info.st_mode & stat.S_IWOTH:
            raise TokenFileError(
                path,
                f"{what} is writable by every user, who could add their own token; "
                f"run `chmod o-w {path}`.",
            )
        if secret and info.st_mode & stat.S_IROTH:
            # Container secret mounts are often 0444 inside a single-user container, so this
            # is a warning, not a refusal.
            logger.warning(
                "%s (%s) is readable by every user; run `chmod o-r %s` unless it is a "
                "container secret mount.",
                what,
                path,
                path,
            )
    if info.st_size > MAX_FILE_BYTES:
        raise TokenFileError(path, f"{what} is larger than {MAX_FILE_BYTES} bytes.")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise TokenFileError(path, f"{what} cannot be read ({exc.strerror}).") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise TokenFileError(path, f"{what} is not UTF-8 text.") from None
