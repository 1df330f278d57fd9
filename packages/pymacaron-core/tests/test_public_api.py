import pymacaron_core
import pymacaron_core.exceptions
import pymacaron_core.swagger
import pymacaron_core.swagger.api
import pymacaron_core.swagger.apipool
from apicore_test_support import public_api_problems


def test_all_lists_every_public_name_once_and_sorted() -> None:
    assert public_api_problems(pymacaron_core) == []


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
