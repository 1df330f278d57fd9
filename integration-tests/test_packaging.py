"""Every distribution builds, passes ``twine check``, installs alone and imports.

Wheels and sdists are built with hatchling from each ``packages/<dist>/``; each wheel is then
installed into a fresh virtual environment with only its declared dependencies (siblings come
from the wheels just built, everything else from the package index) and imported. A web
framework must not come with the framework-free packages.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(p for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").is_file())
FRAMEWORK_FREE = {
    "apicore-introspect",
    "apicore-openapi",
    "apicore-auth",
    "apicore-callbacks",
    "apicore-specbind",
    "apicore-client",
    "apicore-app",
}
FRAMEWORKS = ("flask", "starlette", "werkzeug", "fastapi", "django")


def run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    for package in PACKAGES:
        run(sys.executable, "-m", "hatchling", "build", "-d", out, cwd=package)
    return out


def test_every_package_builds_a_wheel_and_an_sdist_that_twine_accepts(dist: Path) -> None:
    for package in PACKAGES:
        module = package.name.replace("-", "_")
        assert list(dist.glob(f"{module}-*.whl")), f"no wheel for {package.name}"
        assert list(dist.glob(f"{module}-*.tar.gz")), f"no sdist for {package.name}"
    run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_each_wheel_installs_alone_and_imports(
    dist: Path, package: Path, tmp_path: Path, uv: str
) -> None:
    module = package.name.replace("-", "_")
    wheel = next(dist.glob(f"{module}-*.whl"))
    venv = tmp_path / "venv"
    run(uv, "venv", "-q", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    run(uv, "pip", "install", "-q", "--python", python, "--find-links", dist, wheel)
    project = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    version = run(python, "-c", f"import {module}; print({module}.__version__)").strip()
    about = (package / "src" / module / "__about__.py").read_text(encoding="utf-8")
    assert f'"{version}"' in about
    installed = run(uv, "pip", "list", "--python", python, "--format=freeze").lower()
    names = {line.split("==")[0] for line in installed.splitlines()}
    if package.name in FRAMEWORK_FREE:
        assert not names & set(FRAMEWORKS), f"{package.name} pulled in a web framework"
    if package.name == "asymmetric":
        # `pip install asymmetric` is the full stack
        full = [p.name.replace("-", "_") for p in PACKAGES if p.name.startswith("apicore-")]
        run(python, "-c", "; ".join(f"import {m}" for m in ["asymmetric", *full]))
    assert project["name"] == package.name
