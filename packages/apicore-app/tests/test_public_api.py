import types

import apicore_app


def test_all_is_sorted_and_unique() -> None:
    assert list(apicore_app.__all__) == sorted(set(apicore_app.__all__))


def test_all_names_exist() -> None:
    for name in apicore_app.__all__:
        assert hasattr(apicore_app, name), name


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(apicore_app).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(apicore_app.__all__)
