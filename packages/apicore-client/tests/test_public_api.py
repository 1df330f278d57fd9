import subprocess
import sys

import pytest

import apicore_client
from apicore_client import extending
from apicore_test_support import public_api_problems


def test_all_lists_every_public_name_once_and_sorted() -> None:
    assert public_api_problems(apicore_client) == []


SPEC_MACHINERY = ("apicore_specbind", "yaml", "jsonschema", "fastjsonschema")


def _loaded_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running ``code``."""
    script = (
        f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(out.stdout.split())


@pytest.mark.parametrize(
    ("code", "loads", "not_loaded"),
    [
        # the package and its call context (apicore-introspect's): no HTTP client, no spec
        ("import apicore_client", {"apicore_client"}, {"httpx", *SPEC_MACHINERY}),
        (
            "from apicore_client import CallContext, reset_call_context, set_call_context",
            {"apicore_client", "apicore_introspect"},
            {"httpx", *SPEC_MACHINERY},
        ),
        ("from apicore_client import Client", {"httpx"}, set(SPEC_MACHINERY)),
        ("import apicore_client\napicore_client.SpecClient", {"apicore_specbind"}, set()),
    ],
    ids=["package", "context", "client", "spec-client"],
)
def test_names_load_what_they_need_on_first_use(
    code: str, loads: set[str], not_loaded: set[str]
) -> None:
    loaded = _loaded_after(code)
    assert loads <= loaded
    assert loaded.isdisjoint(not_loaded), loaded & not_loaded


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        apicore_client.Nope  # noqa: B018


def test_moved_legacy_names_without_pymacaron_core_say_where_they_went() -> None:
    code = (
        "import sys, warnings\n"
        "sys.modules['pymacaron_core'] = None  # not installed\n"
        "warnings.simplefilter('ignore', DeprecationWarning)\n"
        "import apicore_client\n"
        "try:\n"
        "    apicore_client.LEGACY_KWARGS\n"
        "except AttributeError as exc:\n"
        "    print(exc)\n"
        "spec = {'swagger': '2.0', 'info': {'title': 'T', 'version': '1'}, 'paths': {}}\n"
        "try:\n"
        "    apicore_client.Client.from_spec(spec, base_url='http://t', legacy_kwargs=True)\n"
        "except apicore_client.ConfigError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "moved to pymacaron-core: pip install pymacaron-core" in out.stdout
    assert "legacy_kwargs=True needs pymacaron-core (pip install pymacaron-core)" in out.stdout


def test_extending_lists_every_public_name_once_and_sorted() -> None:
    assert public_api_problems(extending) == []
    # the top level's list of moved names (it cannot import extending: that loads httpx)
    assert apicore_client._EXTENDING == set(extending.__all__)


@pytest.mark.parametrize("name", extending.__all__)
def test_extension_points_at_the_top_level_still_work_but_warn(name: str) -> None:
    with pytest.warns(DeprecationWarning, match="import it from apicore_client.extending"):
        value = getattr(apicore_client, name)
    assert value is getattr(extending, name)
    assert name not in vars(apicore_client)  # every use warns
