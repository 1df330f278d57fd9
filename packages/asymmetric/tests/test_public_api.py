import types

import asymmetric


def test_all_is_sorted_and_unique() -> None:
    assert list(asymmetric.__all__) == sorted(set(asymmetric.__all__))


def test_all_names_exist() -> None:
    for name in asymmetric.__all__:
        assert hasattr(asymmetric, name), name


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(asymmetric).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(asymmetric.__all__)


def test_testing_all_names_exist() -> None:
    import asymmetric.testing

    assert list(asymmetric.testing.__all__) == sorted(asymmetric.testing.__all__)
    for name in asymmetric.testing.__all__:
        assert hasattr(asymmetric.testing, name), name


def test_version_info_matches_version() -> None:
    assert asymmetric.version_info == (1, 0, 0)
    assert asymmetric.__version__ == "1.0.0"
