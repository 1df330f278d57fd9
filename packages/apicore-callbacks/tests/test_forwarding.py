from __future__ import annotations

import pytest

from apicore_callbacks._forwarding import clean_request_id, clean_traceparent

GOOD = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_a_well_formed_traceparent_is_kept() -> None:
    assert clean_traceparent(GOOD) == GOOD
    assert clean_traceparent(f" {GOOD} ") == GOOD


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "00-\xe9\xe9-x",
        "00-abc-def-01",
        GOOD.upper(),
        "ff" + GOOD[2:],
        "00-" + "0" * 32 + "-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-" + "0" * 16 + "-01",
        GOOD + "\r\nx-forged: 1",
    ],
)
def test_a_malformed_traceparent_is_dropped(value: str | None) -> None:
    assert clean_traceparent(value) is None


@pytest.mark.parametrize("value", ["req-7", "a" * 128, "x.y:z/+=@_-9"])
def test_a_sane_request_id_is_kept(value: str) -> None:
    assert clean_request_id(value) == value


@pytest.mark.parametrize("value", [None, "", "a" * 129, "caf\xe9", "a b", "a\nb"])
def test_an_insane_request_id_is_dropped(value: str | None) -> None:
    assert clean_request_id(value) is None
