import subprocess
import sys
import types

import pytest

import apicore_client


def test_all_is_sorted_and_unique() -> None:
    assert list(apicore_client.__all__) == sorted(set(apicore_client.__all__))


def test_all_names_exist() -> None:
    for name in apicore_client.__all__:
        assert hasattr(apicore_client, name), name


def test_every_public_name_is_exported() -> None:
    public = {
        name
        for name, value in vars(apicore_client).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(apicore_client.__all__)


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
        # servers import the package for the call context: no HTTP client, no spec machinery
        ("import apicore_client", {"apicore_client"}, {"httpx", *SPEC_MACHINERY}),
        (
            "from apicore_client import CallContext, reset_call_context, set_call_context",
            {"apicore_client"},
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
