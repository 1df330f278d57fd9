import symmetric
from apicore_test_support import LAZY_PACKAGES, imported_packages, public_api_problems


def test_all_lists_every_public_name_once_and_sorted() -> None:
    assert public_api_problems(symmetric) == []


def test_singleton_is_an_app() -> None:
    assert isinstance(symmetric.symmetric, symmetric.Symmetric)
    assert symmetric.version_info >= (4, 0, 0)


def test_import_loads_no_spec_docs_or_callback_machinery() -> None:
    assert imported_packages("import symmetric") & LAZY_PACKAGES == set()
