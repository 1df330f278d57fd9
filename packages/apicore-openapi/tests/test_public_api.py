import types

import apicore_openapi


def test_all_is_sorted_and_unique() -> None:
    assert list(apicore_openapi.__all__) == sorted(set(apicore_openapi.__all__))


def test_all_names_exist() -> None:
    for name in apicore_openapi.__all__:
        assert hasattr(apicore_openapi, name), name


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(apicore_openapi).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(apicore_openapi.__all__)
