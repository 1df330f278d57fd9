"""Run every ``benchmarks/bench_*.py`` and collect their Markdown sections.

Usage: ``hatch run bench:all [--quick]``. Each benchmark is a standalone script that prints
one Markdown section with absolute numbers and ratios against peers measured in the same
run. The combined report is written to ``benchmarks/results/latest.md``.
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    names = [a for a in argv if not a.startswith("-")]
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        "# Benchmark results\n",
        f"Run {stamp} on {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}; {'quick' if quick else 'full'} mode. Ratios compare "
        "peers measured in the same run; absolute numbers only hold for this machine.\n",
    ]
    failed = []
    for script in scripts:
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        cmd = [sys.executable, str(script), *(["--quick"] if quick else [])]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            failed.append(script.name)
            sections.append(
                f"## {script.stem}\n\nFAILED (exit {done.returncode}):\n\n"
                f"```\n{done.stderr[-2000:]}\n```\n"
            )
        else:
            sections.append(done.stdout.strip() + "\n")
    report = "\n".join(sections)
    out = HERE / "results" / "latest.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report, encoding="utf-8")
    if not quick and not names and not failed:
        # A complete run is what the docs' performance page shows (commit it).
        # (docs/performance.md includes benchmarks/RESULTS.md)
        results = HERE / "RESULTS.md"
        nested = report.replace("\n## ", "\n#### ")  # each benchmark's section, nested
        results.write_text(nested.replace("# Benchmark results", "### Latest full run", 1))
        print(f"written to {results.relative_to(HERE.parent)}", file=sys.stderr)
    print(report)
    print(f"written to {out.relative_to(HERE.parent)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
