import apicore_introspect
from apicore_test_support import public_api_problems


def test_all_lists_every_public_name_once_and_sorted() -> None:
    assert public_api_problems(apicore_introspect) == []
