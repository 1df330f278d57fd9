from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from apicore_auth import Authenticator, hash_token
from apicore_auth.testing import bearer

TOKEN = "cli-token-0123456789abcdef"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apicore_auth", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_hash_reads_stdin_and_the_line_works_in_a_tokens_file(tmp_path: Path) -> None:
    result = run(
        "hash",
        "--name",
        "ci",
        "--scopes",
        "read,write",
        "--expires",
        "2099-01-01",
        stdin=TOKEN + "\n",
    )
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert line == f"{hash_token(TOKEN)}  name=ci  scopes=read,write  expires=2099-01-01"
    assert TOKEN not in result.stdout + result.stderr
    path = tmp_path / "tokens.txt"
    path.write_text(line + "\n")
    path.chmod(0o600)
    principal = Authenticator.from_env(environ={"APICORE_TOKENS_FILE": str(path)}).check(
        bearer(TOKEN)
    )
    assert principal is not None
    assert principal.name == "ci"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        ((), "", "the token is empty"),
        ((), "two words", "contains whitespace"),
        ((), "one\ntwo\n", "several lines"),
        (("--scopes", "a b"), TOKEN, "field 3 is not one of"),
        (("--expires", "soon"), TOKEN, "expires= must be a date"),
    ],
)
def test_hash_errors_exit_1_without_echo(args: tuple[str, ...], stdin: str, message: str) -> None:
    result = run("hash", *args, stdin=stdin)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "two words" not in result.stderr
    assert TOKEN not in result.stderr


def test_token_is_never_taken_from_arguments() -> None:
    result = run("hash", TOKEN, stdin="")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_new_prints_a_fresh_usable_token() -> None:
    result = run("new")
    assert result.returncode == 0
    token = result.stdout.strip()
    assert len(token) >= 43
    hash_token(token)
    assert run("new").stdout.strip() != token
    assert run("new", "--bytes", "4").returncode == 1


def test_check_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.txt"
    path.write_text(
        f"{hash_token(TOKEN)} name=ci scopes=b,a expires=2099-01-01\n{hash_token('x')}\n"
    )
    path.chmod(0o600)
    result = run("check-file", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ci\tscopes=a,b\texpires=2099-01-01T00:00:00+00:00\t")
    assert lines[1].startswith("tokens.txt:2\tscopes=-\texpires=never")
    assert lines[2] == "2 token(s), file OK."
    assert hash_token(TOKEN) not in result.stdout
    path.write_text("not-a-hash\n")
    bad = run("check-file", str(path))
    assert bad.returncode == 1
    assert "line 1: the first field must be a token hash" in bad.stderr
    assert "not-a-hash" not in bad.stderr


def test_no_command_is_a_usage_error() -> None:
    result = run()
    assert result.returncode == 2
