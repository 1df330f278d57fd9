"""Parsers for the string-encoded scalar types, and their inverse for durations.

Each parser takes a decoded JSON value and returns the Python value or raises
``ValueError``/``TypeError``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

# RFC 3339 section 5.6 ``date-time``: seconds and an offset are required; the fraction has
# any number of digits; ``T`` may be ``t`` or a space (section 5.6's note), ``Z`` may be ``z``.
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?")
_DURATION = re.compile(
    r"(?P<sign>[+-])?P(?!$)(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?",
    re.IGNORECASE,
)
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_UUID = re.compile(UUID_PATTERN)
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("expected a string")
    return value


def _matched(value: Any, pattern: re.Pattern[str], what: str) -> str:
    text = _text(value)
    if not pattern.fullmatch(text):
        raise ValueError(f"not {what}")
    return text


def _fraction(text: str) -> str:
    # Python parses at most microseconds; RFC 3339 allows more digits.
    return re.sub(r"(\.\d{6})\d+", r"\1", text)


def parse_datetime(value: Any) -> dt.datetime:
    """Parse an RFC 3339 ``date-time``, the one rule of OpenAPI's ``format: date-time``.

    ``2024-01-01T10:00:00Z``, ``2024-01-01t10:00:00.5+01:00`` or ``2024-01-01 10:00:00-05:00``:
    seconds and an offset (``Z`` or ``+HH:MM``) are required, so the result is always an
    aware datetime; fractions past microseconds are truncated. ``2024-01-01T10:00`` or a
    datetime without an offset is refused (``ValueError``). Both function-first binding
    (a ``datetime`` annotation) and spec-first validation (apicore-specbind) use this parser.
    """
    text = _matched(value, _DATETIME, "a date-time")
    text = _fraction(text[:10] + "T" + text[11:]).replace("z", "Z")
    return dt.datetime.fromisoformat(text)


def parse_date(value: Any) -> dt.date:
    """Parse an RFC 3339 ``full-date``, ``YYYY-MM-DD`` (the one rule of ``format: date``)."""
    return dt.date.fromisoformat(_matched(value, _DATE, "a date"))


def parse_time(value: Any) -> dt.time:
    """Parse a time of day, with optional seconds, fraction and offset."""
    return dt.time.fromisoformat(_fraction(_matched(value, _TIME, "a time")).replace("z", "Z"))


def parse_duration(value: Any) -> dt.timedelta:
    """Parse a number of seconds or an ISO 8601 duration (weeks, days, hours, minutes, seconds)."""
    if type(value) in (int, float) or isinstance(value, Decimal):
        return dt.timedelta(seconds=float(value))
    text = _text(value)
    match = _DURATION.fullmatch(text)
    if not match:
        if _DECIMAL.fullmatch(text):
            return dt.timedelta(seconds=float(text))
        raise ValueError("not a duration")
    parts = {
        k: float(v.replace(",", ".")) for k, v in match.groupdict().items() if v and k != "sign"
    }
    delta = dt.timedelta(**parts)
    return -delta if match.group("sign") == "-" else delta


def format_duration(delta: dt.timedelta) -> str:
    """Write a timedelta as an ISO 8601 duration (``P1DT2H3M4.5S``), the inverse of the parser."""
    total_us = delta // dt.timedelta(microseconds=1)
    days, rest = divmod(abs(total_us), 86_400 * 1_000_000)
    hours, rest = divmod(rest, 3_600 * 1_000_000)
    minutes, rest = divmod(rest, 60 * 1_000_000)
    seconds, micros = divmod(rest, 1_000_000)
    time_part = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if seconds or micros or not (days or hours or minutes):
        time_part += f"{seconds}.{micros:06d}".rstrip("0").rstrip(".") + "S"
    sign = "-" if total_us < 0 else ""
    return f"{sign}P" + (f"{days}D" if days else "") + (f"T{time_part}" if time_part else "")


def parse_uuid(value: Any) -> uuid.UUID:
    """Parse a UUID in its canonical hyphenated form."""
    return uuid.UUID(_matched(value, _UUID, "a UUID"))
