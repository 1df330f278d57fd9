"""The repository's own rules: every package is complete, wired into hatch and documented."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(p for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").is_file())


def _pyproject(package: Path) -> dict[str, object]:
    return tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))


def test_there_are_packages() -> None:
    assert PACKAGES, "packages/ holds no distribution"


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_package_layout(package: Path) -> None:
    module = package.name.replace("-", "_")
    for relative in (
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        f"src/{module}/__init__.py",
        f"src/{module}/__about__.py",
        f"src/{module}/py.typed",
        "tests/conftest.py",
        "tests/test_public_api.py",
    ):
        assert (package / relative).is_file(), f"{package.name} lacks {relative}"
    assert "## Unreleased" in (package / "CHANGELOG.md").read_text(encoding="utf-8")
    about = (package / f"src/{module}/__about__.py").read_text(encoding="utf-8")
    assert re.fullmatch(r'__version__ = "\d+\.\d+\.\d+"\n', about)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_package_metadata(package: Path) -> None:
    project = _pyproject(package)["project"]
    assert isinstance(project, dict)
    urls = project["urls"]
    assert isinstance(urls, dict)
    assert project["name"] == package.name
    assert project["dynamic"] == ["version"]
    assert project["description"]
    assert "Typing :: Typed" in project["classifiers"]
    assert {"Documentation", "Source", "Changelog"} <= set(urls)
    for requirement in project.get("dependencies", []):
        # sibling dependencies are version ranges, never paths or URLs
        assert not re.search(r"file:| @ ", requirement), f"{package.name}: {requirement}"
    # tool configuration lives in the root pyproject.toml only
    tool = _pyproject(package).get("tool", {})
    assert isinstance(tool, dict)
    assert set(tool) <= {"hatch"}


def test_every_package_is_in_the_pkg_matrix() -> None:
    hatch = tomllib.loads((ROOT / "hatch.toml").read_text(encoding="utf-8"))
    matrix = hatch["envs"]["pkg"]["matrix"][0]["package"]
    assert sorted(matrix) == [p.name for p in PACKAGES]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_package_is_in_readme_table(package: Path) -> None:
    assert f"`{package.name}`" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_package_has_a_docs_page(package: Path) -> None:
    page = ROOT / "docs" / "packages" / f"{package.name}.md"
    assert page.is_file(), f"docs/packages/{package.name}.md is missing"
    assert f"packages/{package.name}.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_no_bracket_decorations_in_log_messages(package: Path) -> None:
    """Log lines name their package through the logger, not with `[[package]]` prefixes."""
    decorated = re.compile(r"""["']\[\[\w+\]\]""")
    for path in sorted((package / "src").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not decorated.search(line), f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
