"""The README's install commands, run as written in fresh virtual environments.

The README tells users to build the wheels from a clone and install a meta-package (or
apicore-client alone) with a version bound, because the package index holds legacy releases
of the same names. Each command must install *our* version: ``pip show`` reports the version
in the package's ``__about__.py``, and the legacy releases (asymmetric 0.3, symmetric 3.x,
pymacaron-core 1.0.x) can never be picked.

pip resolves third-party packages under ``locks/test.txt`` (``PIP_CONSTRAINT``), so the test
installs what the rest of the suite tested.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
OURS = {"asymmetric": (1, 0), "symmetric": (4, 0), "pymacaron-core": (2, 0)}
# what each installed distribution must be able to do at once
SMOKE = {
    "asymmetric": "import asymmetric, apicore_callbacks; print(asymmetric.__version__)",
    "symmetric": "import symmetric, flask; print(symmetric.__version__)",
    "pymacaron-core": "import pymacaron_core; print(pymacaron_core.__version__)",
    "apicore-client": "import apicore_client; print(apicore_client.__version__)",
}


def install_block() -> list[str]:
    """The console block of the README's "Install" section, one command per line."""
    section = README.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block is not None, "README's Install section has no console block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line]


COMMANDS = install_block()
WHEEL_COMMAND = next(c for c in COMMANDS if c.startswith("pip wheel "))
INSTALLS = {shlex.split(c)[-1].split(">=")[0]: c for c in COMMANDS if c.startswith("pip install ")}


def version_of(dist: str) -> str:
    about = ROOT / "packages" / dist / "src" / dist.replace("-", "_") / "__about__.py"
    found = re.search(r'__version__ = "([^"]+)"', about.read_text(encoding="utf-8"))
    assert found is not None
    return found.group(1)


def shell(command: str, *, cwd: Path, bin_dir: Path) -> str:
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PIP_CONSTRAINT": str(ROOT / "locks" / "test.txt"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder that looks like a clone (``packages/``) where the wheel command was run."""
    here = tmp_path_factory.mktemp("clone")
    (here / "packages").symlink_to(ROOT / "packages", target_is_directory=True)
    shell(WHEEL_COMMAND, cwd=here, bin_dir=Path(sys.executable).parent)
    return here


def test_the_readme_lists_each_installable_with_our_lower_bound() -> None:
    assert set(INSTALLS) == set(SMOKE)
    for dist, (major, minor) in OURS.items():
        assert f'"{dist}>={major}.{minor}"' in INSTALLS[dist]
        assert version_of(dist).startswith(f"{major}.")
        assert f"{dist} >= {major}.{minor}" in README  # said plainly, in words too


@pytest.fixture(scope="module")
def venvs(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One fresh venv per README install command, installed concurrently (pip is mostly I/O)."""
    root = tmp_path_factory.mktemp("venvs")

    # The venvs are made one after the other: a copy of the interpreter being written by
    # one thread is inherited, open, by a process another thread forks ("Text file busy").
    bins: dict[str, Path] = {}
    for dist in INSTALLS:
        venv.create(root / dist, with_pip=True, symlinks=True)
        bins[dist] = root / dist / "bin"

    def install(dist: str) -> Path:
        shell(INSTALLS[dist], cwd=clone, bin_dir=bins[dist])
        return bins[dist]

    with ThreadPoolExecutor(max_workers=len(INSTALLS)) as pool:
        return dict(zip(INSTALLS, pool.map(install, INSTALLS), strict=True))


@pytest.mark.parametrize("dist", sorted(SMOKE))
def test_install_command_gives_our_version_in_a_fresh_venv(
    dist: str, clone: Path, venvs: dict[str, Path]
) -> None:
    bin_dir = venvs[dist]
    shown = shell(f"pip show {dist}", cwd=clone, bin_dir=bin_dir)
    assert f"Version: {version_of(dist)}\n" in shown, shown
    assert shell(f"python -c {shlex.quote(SMOKE[dist])}", cwd=clone, bin_dir=bin_dir).strip() == (
        version_of(dist)
    )
    if dist == "apicore-client":
        listed = shell("pip list --format=freeze", cwd=clone, bin_dir=bin_dir).lower()
        assert "flask" not in listed
        assert "starlette" not in listed
    if dist in ("asymmetric", "symmetric"):
        cli = shell(f"{dist} --version", cwd=clone, bin_dir=bin_dir)
        assert version_of(dist) in cli


@pytest.mark.parametrize(("dist", "legacy"), [("asymmetric", "0.3.0"), ("symmetric", "3.4.3")])
def test_examples_refuse_a_legacy_release_with_a_clear_message(
    dist: str, legacy: str, tmp_path: Path
) -> None:
    # a legacy distribution's metadata first on the path, as `pip install asymmetric` leaves it
    info = tmp_path / f"{dist}-{legacy}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {legacy}\n")
    done = subprocess.run(
        [sys.executable, "-c", "import examples"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"{dist} {legacy} is installed: that is the legacy release" in done.stderr
    assert f'pip install --find-links dist "{dist}>=' in done.stderr
    ours = subprocess.run(
        [sys.executable, "-c", "import examples"], cwd=ROOT, capture_output=True, timeout=60
    )
    assert ours.returncode == 0, ours.stderr
