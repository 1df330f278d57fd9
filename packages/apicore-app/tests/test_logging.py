import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from apicore_app import configure_logging


@pytest.fixture(autouse=True)
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_log_file_and_level(tmp_path: Path) -> None:
    log_file = tmp_path / "app.log"
    configure_logging(environ={"LOG_FILE": str(log_file), "LOG_LEVEL": "info"})
    configure_logging(environ={"LOG_FILE": str(log_file), "LOG_LEVEL": "info"})  # idempotent
    logging.getLogger("apicore.access").info("hello from the test")
    logging.getLogger("apicore.access").debug("not shown")
    text = log_file.read_text()
    assert text.count("hello from the test") == 1
    assert "not shown" not in text
    assert logging.getLogger().level == logging.INFO


def test_default_level_is_warning() -> None:
    configure_logging(environ={})
    assert logging.getLogger().level == logging.WARNING


def test_bad_level() -> None:
    with pytest.raises(ValueError, match="LOG_LEVEL='LOUD'"):
        configure_logging(environ={"LOG_LEVEL": "loud"})
