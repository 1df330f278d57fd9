"""The command line: ``python -m apicore_auth {hash,new,check-file}``.

Tokens are read from standard input or an interactive prompt, never from the command line,
so they do not end up in shell history or in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from typing import TextIO

from apicore_auth._errors import ConfigurationError
from apicore_auth._tokens import generate_token, hash_token, parse_tokens_file

_DESCRIPTION = """\
Manage apicore API tokens.

  hash        read a token from stdin (or a prompt) and print its tokens-file line
  new         print a new random token
  check-file  validate a tokens file and list its tokens (names, scopes, expiry)

Example:
  TOKEN="$(python -m apicore_auth new)"
  printf %s "$TOKEN" | python -m apicore_auth hash --name ci --scopes read >> tokens.txt
"""


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; return the exit status (0 ok, 1 bad input, 2 usage)."""
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    parser = argparse.ArgumentParser(
        prog="python -m apicore_auth",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    hash_cmd = commands.add_parser(
        "hash", help="hash a token read from stdin or a prompt (never from arguments)"
    )
    hash_cmd.add_argument("--name", help="the token's name, shown in logs")
    hash_cmd.add_argument("--scopes", help="comma-separated scopes, or * for every scope")
    hash_cmd.add_argument(
        "--expires", help="expiry: 2026-01-31 (midnight UTC) or 2026-01-31T12:00:00Z"
    )
    new_cmd = commands.add_parser("new", help="print a new random token")
    new_cmd.add_argument(
        "--bytes", type=int, default=32, help="bytes of randomness (default 32, at least 16)"
    )
    check_cmd = commands.add_parser("check-file", help="validate a tokens file")
    check_cmd.add_argument("path")
    args = parser.parse_args(argv)
    try:
        if args.command == "new":
            stdout.write(generate_token(args.bytes) + "\n")
        elif args.command == "hash":
            line = _hash_line(_read_token(stdin, stderr), args.name, args.scopes, args.expires)
            stdout.write(line + "\n")
        else:
            _check_file(args.path, stdout)
    except (ConfigurationError, ValueError) as exc:
        stderr.write(f"error: {exc}\n")
        return 1
    return 0


def _read_token(stdin: TextIO, stderr: TextIO) -> str:
    if stdin.isatty():
        token = getpass.getpass("Token: ", stream=stderr)
        if getpass.getpass("Token again: ", stream=stderr) != token:
            raise ValueError("the two tokens typed differ; nothing was hashed.")
        return token
    lines = stdin.read().strip().splitlines()
    if len(lines) > 1:
        raise ValueError("standard input holds several lines; hash one token at a time.")
    return lines[0] if lines else ""


def _hash_line(token: str, name: str | None, scopes: str | None, expires: str | None) -> str:
    options = (("name", name), ("scopes", scopes), ("expires", expires))
    line = "  ".join([hash_token(token), *(f"{k}={v}" for k, v in options if v is not None)])
    # The same parser as the server's checks the options; errors start with "options, line 1".
    parse_tokens_file(line, path="options")
    return line


def _check_file(path: str, stdout: TextIO) -> None:
    from apicore_auth._settings import AuthSettings
    from apicore_auth._sources import load_tokens

    records = load_tokens(AuthSettings(tokens_file=path), {})
    for record in records:
        scopes = ",".join(sorted(record.scopes)) or "-"
        expires = record.expires_at.isoformat() if record.expires_at else "never"
        stdout.write(f"{record.name}\tscopes={scopes}\texpires={expires}\t{record.source}\n")
    stdout.write(f"{len(records)} token(s), file OK.\n")
