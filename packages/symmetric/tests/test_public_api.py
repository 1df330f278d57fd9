import types

import symmetric


def test_all_is_sorted_and_unique() -> None:
    assert list(symmetric.__all__) == sorted(set(symmetric.__all__))


def test_all_names_exist() -> None:
    for name in symmetric.__all__:
        assert hasattr(symmetric, name), name


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(symmetric).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(symmetric.__all__)


def test_singleton_is_an_app() -> None:
    assert isinstance(symmetric.symmetric, symmetric.Symmetric)
    assert symmetric.version_info >= (4, 0, 0)
