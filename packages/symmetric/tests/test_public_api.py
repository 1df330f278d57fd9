import symmetric
from apicore_test_support import public_api_problems


def test_all_lists_every_public_name_once_and_sorted() -> None:
    assert public_api_problems(symmetric) == []


def test_singleton_is_an_app() -> None:
    assert isinstance(symmetric.symmetric, symmetric.Symmetric)
    assert symmetric.version_info >= (4, 0, 0)
