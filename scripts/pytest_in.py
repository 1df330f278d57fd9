"""``pytest`` on a default folder, unless the arguments already name a test path.

``hatch run test:unit`` runs every package's tests; ``hatch run test:unit packages/x/tests``
runs that folder only (the default is dropped as soon as an argument is an existing path,
``path::test_name`` included). The hatch scripts call it as ``python scripts/pytest_in.py
DEFAULT {args}``.
"""

from __future__ import annotations

import os
import sys

# pytest options whose next word is a value, never a path to collect
_TAKES_VALUE = {
    "-k", "-m", "-p", "-o", "-c", "-W", "--deselect", "--ignore", "--ignore-glob",
    "--rootdir", "--basetemp", "--maxfail", "--confcutdir", "--durations", "--tb",
    "--override-ini", "--junit-xml", "--log-level", "--import-mode",
}  # fmt: skip


def names_a_path(args: list[str]) -> bool:
    """Whether any positional argument is an existing file or folder (``a.py::test`` too)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in _TAKES_VALUE:
            skip = True
        elif not arg.startswith("-") and os.path.exists(arg.split("::")[0]):
            return True
    return False


def main() -> None:
    """Replace this process with pytest on the chosen paths."""
    default, *args = sys.argv[1:]
    argv = args if names_a_path(args) else [default, *args]
    os.execvp("pytest", ["pytest", *argv])


if __name__ == "__main__":
    main()
