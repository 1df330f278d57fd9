"""Run the ``benchmarks/bench_*.py`` scripts, collect their sections and headline ratios.

Usage::

    hatch run bench:all [--quick] [NAME ...]   # every benchmark (or those matching NAME)
    hatch run bench:quick                      # the headline benchmarks, quick: <= 3 min

Each benchmark is a standalone script (method: ``harness.py``) that prints one Markdown
section with medians, their spread and ratios to the floor and to peers measured in the same
run, and records its headline ratios. The combined report goes to
``benchmarks/results/latest.md`` (not committed); a complete full run also rewrites
``benchmarks/RESULTS.md``, which the docs' performance page includes. The headline ratios
are printed last. Nothing here asserts a timing: a benchmark fails only when a server gives
a wrong answer or does not start.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness as h

HERE = Path(__file__).resolve().parent
# the benchmarks that measure the targets of issue 20 (bench:quick runs only these)
HEADLINE_SCRIPTS = (
    "bench_asymmetric",
    "bench_symmetric",
    "bench_pymacaron",
    "bench_client",
    "bench_imports",
)
TIMEOUT = 30 * 60  # seconds per script: every loop inside is bounded, this bounds the rest


def headline_table(path: Path, quick: bool) -> str:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    kind = "QUICK run: smoke figures, not for quoting" if quick else "full run"
    lines = [f"## Headline ratios ({kind}; medians)\n", "| measure | ratio | target |"]
    lines.append("|---|---:|---|")
    lines += [f"| {r['name']} | {r['value']:.2f}x | {r['target']} |" for r in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    headlines_only = "--headlines" in argv
    names = [a for a in argv if not a.startswith("-")]
    scripts = sorted(HERE.glob("bench_*.py"))
    if headlines_only:
        scripts = [s for s in scripts if s.stem in HEADLINE_SCRIPTS]
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    sections = [
        "# Benchmark results\n",
        f"Run {stamp} on {h.cpu_model()} ({os.cpu_count()} cores), "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}; "
        f"{'QUICK (smoke test, not for quoting)' if quick else 'full'} mode. Ratios compare "
        "apps measured in the same run; absolute numbers only hold for this machine.\n",
    ]
    failed = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="apicore-bench-") as tmp:
        headlines = Path(tmp) / "headlines.jsonl"
        headlines.touch()
        env = {**os.environ, h.HEADLINES_ENV: str(headlines)}
        for script in scripts:
            print(f"running {script.name} ...", file=sys.stderr, end=" ", flush=True)
            began = time.monotonic()
            cmd = [sys.executable, str(script), *(["--quick"] if quick else [])]
            try:
                done = subprocess.run(
                    cmd, capture_output=True, text=True, check=False, env=env, timeout=TIMEOUT
                )
                code, out, err = done.returncode, done.stdout, done.stderr
            except subprocess.TimeoutExpired as exc:
                code, out, err = -1, "", f"timed out after {TIMEOUT} s: {exc}"
            print(f"{time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)
            if code != 0:
                failed.append(script.name)
                sections.append(
                    f"## {script.stem}\n\nFAILED (exit {code}):\n\n```\n{err[-2000:]}\n```\n"
                )
            else:
                sections.append(out.strip() + "\n")
        table = headline_table(headlines, quick)
    sections.insert(2, table)
    report = "\n".join(sections)
    out_file = HERE / "results" / "latest.md"
    out_file.parent.mkdir(exist_ok=True)
    out_file.write_text(report, encoding="utf-8")
    complete = not quick and not names and not headlines_only and not failed
    if complete:
        # A complete run is what the docs' performance page shows (commit it).
        results = HERE / "RESULTS.md"
        nested = report.replace("\n### ", "\n##### ").replace("\n## ", "\n#### ")
        results.write_text(nested.replace("# Benchmark results", "### Latest full run", 1))
        print(f"written to {results.relative_to(HERE.parent)}", file=sys.stderr)
    if headlines_only:
        print(table)
    else:
        print(report)
    elapsed = time.monotonic() - started
    print(
        f"{len(scripts)} benchmark(s) in {elapsed:.0f} s; full report in "
        f"{out_file.relative_to(HERE.parent)}"
        + (f"; FAILED: {', '.join(failed)}" if failed else ""),
        file=sys.stderr,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
