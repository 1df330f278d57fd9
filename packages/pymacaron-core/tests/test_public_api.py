import types

import pymacaron_core
import pymacaron_core.exceptions
import pymacaron_core.swagger
import pymacaron_core.swagger.api
import pymacaron_core.swagger.apipool


def test_all_is_sorted_and_unique() -> None:
    assert list(pymacaron_core.__all__) == sorted(set(pymacaron_core.__all__))


def test_all_names_exist() -> None:
    for name in pymacaron_core.__all__:
        assert hasattr(pymacaron_core, name), name


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(pymacaron_core).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(pymacaron_core.__all__)


def test_legacy_import_paths_give_the_same_objects() -> None:
    assert pymacaron_core.swagger.ApiPool is pymacaron_core.ApiPool
    assert pymacaron_core.swagger.apipool.ApiPool is pymacaron_core.ApiPool
    assert pymacaron_core.swagger.api.API is pymacaron_core.API
    exc = pymacaron_core.exceptions
    assert exc.PyMacaronCoreException is pymacaron_core.PyMacaronCoreException
    assert exc.ValidationError.status_code == 400
    assert issubclass(exc.ValidationError, exc.PyMacaronCoreException)


def test_version_continues_the_legacy_line() -> None:
    assert pymacaron_core.__version__.startswith("2.")
