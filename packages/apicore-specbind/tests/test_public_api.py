import types

import apicore_specbind


def test_all_is_sorted_and_unique() -> None:
    assert list(apicore_specbind.__all__) == sorted(set(apicore_specbind.__all__))


def test_all_names_exist() -> None:
    for name in apicore_specbind.__all__:
        assert hasattr(apicore_specbind, name), name


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(apicore_specbind).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(apicore_specbind.__all__)
