"""Import time of our servers against their peers, each in a fresh interpreter.

Run: ``python benchmarks/bench_imports.py [--quick]`` in the bench environment
(``hatch run bench:all imports``).

Each round imports every module once, in a new ``python -X importtime`` process pinned to
one CPU, the order rotated by one each round (``harness``). The time is the cumulative
figure ``-X importtime`` reports for the module, interpreter start-up excluded, with the
bytecode compiled once beforehand into a cache of the run's own. Peers are
what an app of theirs imports: ``starlette.applications``, ``fastapi``, ``flask``. Modules
not installed in the environment are left out. A second table splits ``import asymmetric``
by top-level package (median self time across the rounds): where the rest goes.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict

import harness as h

MODULES = {
    "asymmetric": "asymmetric",
    "symmetric": "symmetric",
    "starlette": "starlette.applications",
    "fastapi": "fastapi",
    "flask": "flask",
}
DISTS = ["asymmetric", "symmetric", "starlette", "fastapi", "flask", "httpx"]
_BREAKDOWN: dict[str, list[float]] = defaultdict(list)
# Bytecode is written to (and read from) a cache of our own even where the environment sets
# PYTHONDONTWRITEBYTECODE (as this workplace does): without it, every round would compile
# every module of an editable install from source, which no installed wheel does.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def import_ms(module: str, breakdown: bool = False) -> float:
    """The cumulative import time of ``module`` in a fresh interpreter, in milliseconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=_ENV,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(own), int(cumulative), name.strip()))
    if breakdown:
        per_package: dict[str, int] = defaultdict(int)
        for self_us, _, name in rows:
            per_package[name.split(".")[0]] += self_us
        for package, total in per_package.items():
            _BREAKDOWN[package].append(total / 1000)
    return next(c for _, c, name in rows if name == module) / 1000


def main() -> int:
    mode, _ = h.Mode.parse()
    rounds = 5 if mode.quick else 15
    names = [n for n, m in MODULES.items() if importlib.util.find_spec(m.split(".")[0])]
    with h.Pinned(0), tempfile.TemporaryDirectory(prefix="apicore-pycache-") as cache:
        _ENV["PYTHONPYCACHEPREFIX"] = cache
        for name in names:  # warm-up: the files in the page cache, the bytecode compiled
            import_ms(MODULES[name])
        results = h.rotated_rounds(
            names, rounds, lambda n: import_ms(MODULES[n], breakdown=n == "asymmetric")
        )
    peers = [(f"÷ {p}", p) for p in ("starlette", "fastapi", "flask") if p in results]
    lines = [
        "## Import time: our servers against their peers (fresh interpreters)\n",
        h.preamble(
            mode, DISTS, "one import per process, the order rotated each round", served=False
        ),
        f"{rounds} rounds; `python -X importtime -c 'import M'`, the module's cumulative time "
        "(start-up excluded); starlette is `starlette.applications`.\n",
        h.table(results, unit="ms", spec=".1f", against=peers),
    ]
    if _BREAKDOWN:
        top = sorted(_BREAKDOWN.items(), key=lambda kv: -statistics.median(kv[1]))[:12]
        lines += ["`import asymmetric` by top-level package (median self time):\n"]
        lines += ["| package | ms |", "|---|---:|"]
        lines += [f"| {name} | {statistics.median(values):.1f} |" for name, values in top]
        lines.append("")
    if "asymmetric" in results:
        ours = results["asymmetric"].median
        for peer in ("starlette", "fastapi"):
            if peer in results:
                lines.append(
                    h.headline(
                        f"import asymmetric ÷ import {peer} (time; asymmetric {ours:.0f} ms)",
                        h.ratio(results["asymmetric"], results[peer]),
                        "asymmetric <= 150 ms",
                    )
                )
    print("\n".join([*lines, ""]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
