"""pytest configuration for apicore-auth's own tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def auth_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every apicore_auth log record, DEBUG included."""
    with caplog.at_level(logging.DEBUG, logger="apicore_auth"):
        yield caplog
