"""Shared fixtures for the cross-package integration tests."""

from __future__ import annotations

import os
import shutil

import pytest


def require_system(program: str, *, install: str) -> str:
    """Return the path of a system program, or skip (fail in CI) when it is absent.

    Tests that need a real component (redis-server, chromium, ...) call this. On a
    developer's machine a missing program skips the test with the command that installs
    it; with ``APICORE_REQUIRE_SYSTEM=1`` (set by ``.ci/run``) it is a failure instead.
    """
    path = shutil.which(program)
    if path is not None:
        return path
    message = f"{program} is not installed; install it with: {install}"
    if os.environ.get("APICORE_REQUIRE_SYSTEM") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's chromium (``apt-get install -y chromium``)."""
    return require_system("chromium", install="apt-get install -y chromium")


@pytest.fixture(scope="session")
def redis_server() -> str:
    """The path of Debian's redis-server (``apt-get install -y redis-server``)."""
    return require_system("redis-server", install="apt-get install -y redis-server")


@pytest.fixture(scope="session")
def npx() -> str:
    """The path of ``npx`` (Debian's ``nodejs`` and ``npm``), which runs pinned npm tools."""
    return require_system("npx", install="apt-get install -y nodejs npm")


@pytest.fixture(scope="session")
def uvx() -> str:
    """The path of ``uvx`` (installed with hatch, or ``python3 -m pip install uv``)."""
    return require_system("uvx", install="python3 -m pip install uv")


@pytest.fixture(scope="session")
def curl() -> str:
    """The path of ``curl`` (``apt-get install -y curl``)."""
    return require_system("curl", install="apt-get install -y curl")


@pytest.fixture(scope="session")
def git() -> str:
    """The path of ``git`` (``apt-get install -y git``)."""
    return require_system("git", install="apt-get install -y git")


@pytest.fixture(scope="session")
def uv() -> str:
    """The path of uv (hatch installs it; ``pip install uv`` otherwise)."""
    return require_system("uv", install="pip install uv (pip install hatch brings it too)")
