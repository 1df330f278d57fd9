"""``symmetric`` and ``asymmetric`` load modules by the same rules, with the same messages.

Both commands run for real (subprocesses); a module that fails to import is named with the
file and line of the failure, and the traceback leaves out importlib's frames.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BROKEN = {
    "syntax": ("x = 1\ndef f(:\n    pass\n", "line 2: SyntaxError: "),
    "name": ("x = 1\n\nundefined_name + 1\n", "line 3: NameError: name 'undefined_name'"),
    "dependency": ("import no_such_dependency_xyz\n", "line 1: ModuleNotFoundError: "),
}
COMMANDS = [("symmetric", "docs"), ("symmetric", "run"), ("asymmetric", "docs")]
COMMANDS += [("asymmetric", "run")]


def run(package: str, command: str, module: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", package, command, module]
    if command == "run" and package == "asymmetric":
        argv.append("--dry-run")  # never serve: the module fails before anyway
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_module_reads_the_same_under_both_clis(case: str, tmp_path: Path) -> None:
    source, expected = BROKEN[case]
    (tmp_path / f"broken_{case}.py").write_text(source, encoding="utf-8")
    errors = set()
    for package, command in COMMANDS:
        result = run(package, command, f"broken_{case}", tmp_path)
        assert result.returncode == 1, (package, command, result.stderr)
        error = result.stderr.strip().splitlines()[-1]
        assert error.startswith(f"Error: Importing broken_{case} failed at broken_{case}.py, ")
        assert expected in error
        assert "importlib" not in result.stderr
        errors.add(error)
    assert len(errors) == 1, errors


def test_a_missing_module_reads_the_same_under_both_clis(tmp_path: Path) -> None:
    errors = {
        run(package, command, "no_such_module_here", tmp_path).stderr.strip()
        for package, command in COMMANDS
    }
    assert len(errors) == 1, errors
    assert errors.pop().startswith("Error: Module no_such_module_here not found")
