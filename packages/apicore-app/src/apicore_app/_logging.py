"""Logging set-up shared by the CLIs and apps: ``LOG_LEVEL`` and ``LOG_FILE``, as legacy."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(
    *, environ: Mapping[str, str] | None = None, default_level: str = "WARNING"
) -> None:
    """Log to stderr, and to ``LOG_FILE`` when set, at ``LOG_LEVEL`` (default WARNING).

    The access log (``apicore.access``, one line per request with its request id) is at
    INFO, so it is on with ``LOG_LEVEL=INFO``. Safe to call more than once.

    Raises:
        ValueError: ``LOG_LEVEL`` is not a logging level name.
    """
    env = os.environ if environ is None else environ
    level_name = env.get("LOG_LEVEL", default_level).strip().upper()
    level = logging.getLevelName(level_name)
    if not isinstance(level, int):
        raise ValueError(f"LOG_LEVEL={level_name!r} is not a level; use DEBUG, INFO, WARNING, ...")
    root = logging.getLogger()
    root.setLevel(level)
    formatter = logging.Formatter(_FORMAT)
    for handler in [h for h in root.handlers if getattr(h, "_apicore", False)]:
        root.removeHandler(handler)
        handler.close()
    new: list[logging.Handler] = [logging.StreamHandler()]
    if env.get("LOG_FILE"):
        new.append(logging.FileHandler(env["LOG_FILE"], encoding="utf-8"))
    for handler in new:
        handler._apicore = True  # type: ignore[attr-defined]
        handler.setFormatter(formatter)
        root.addHandler(handler)
