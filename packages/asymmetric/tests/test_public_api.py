import asymmetric
from apicore_test_support import LAZY_PACKAGES, imported_packages, public_api_problems


def test_all_lists_every_public_name_once_and_sorted() -> None:
    assert public_api_problems(asymmetric) == []


def test_testing_all_names_exist() -> None:
    import asymmetric.testing

    assert list(asymmetric.testing.__all__) == sorted(asymmetric.testing.__all__)
    for name in asymmetric.testing.__all__:
        assert hasattr(asymmetric.testing, name), name


def test_version_info_matches_version() -> None:
    assert asymmetric.version_info == (1, 0, 0)
    assert asymmetric.__version__ == "1.0.0"


def test_import_loads_no_spec_docs_or_callback_machinery() -> None:
    assert imported_packages("import asymmetric") & LAZY_PACKAGES == set()
    # the callback errors load apicore-callbacks when asked for
    assert "apicore_callbacks" in imported_packages(
        "import asymmetric; asymmetric.InvalidCallbackObjectError"
    )
