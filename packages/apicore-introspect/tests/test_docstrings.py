from __future__ import annotations

import pytest

from apicore_introspect import parse_docstring

GOOGLE = """Add two numbers.

    The sum is exact for integers.

    Args:
        a: The first number.
        b (int): The second number,
            on two lines.
        **extra: Anything else.

    Returns:
        The sum.

    Raises:
        ValueError: Never.
    """

NUMPY = """Add two numbers.

    The sum is exact for integers.

    Parameters
    ----------
    a : int
        The first number.
    b : int, optional
        The second number,
        on two lines.

    Returns
    -------
    int
        The sum.
    """

REST = """Add two numbers.

    The sum is exact for integers.

    :param a: The first number.
    :param int b: The second number,
        on two lines.
    :returns: The sum.
    :raises ValueError: Never.
    """


@pytest.mark.parametrize("doc", [GOOGLE, NUMPY, REST], ids=["google", "numpy", "rest"])
def test_styles(doc: str) -> None:
    parsed = parse_docstring(doc)
    assert parsed.summary == "Add two numbers."
    assert parsed.description == "The sum is exact for integers."
    assert parsed.params["a"] == "The first number."
    assert parsed.params["b"] == "The second number, on two lines."
    assert "sum" in parsed.returns.lower()


def test_google_var_keyword() -> None:
    assert parse_docstring(GOOGLE).params["extra"] == "Anything else."


@pytest.mark.parametrize("doc", [None, "", "   "])
def test_empty(doc: str | None) -> None:
    parsed = parse_docstring(doc)
    assert (parsed.summary, parsed.description, parsed.params, parsed.returns) == ("", "", {}, "")


def test_summary_joins_first_paragraph_lines() -> None:
    parsed = parse_docstring("Add two\nnumbers together.\n\nMore text.\n\nEven more.")
    assert parsed.summary == "Add two numbers together."
    assert parsed.description == "More text.\n\nEven more."


def test_class_attributes_section_documents_fields() -> None:
    parsed = parse_docstring("A point.\n\nAttributes:\n    x: Horizontal.\n    y: Vertical.\n")
    assert parsed.params == {"x": "Horizontal.", "y": "Vertical."}
