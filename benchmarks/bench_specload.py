"""Loading a Stripe-sized spec: apicore-specbind vs openapi-core (time and peak memory).

The spec is built by ``specgen.py`` (420 operations, 561 schemas, refs and allOf; about
3.5 MB of JSON) into a temporary folder. Each load runs in a fresh process, so no cache helps
the first load; rounds are interleaved; time is the CPU time of the load (median), memory is
the growth of the process's peak RSS during the load (median too). Also measured: a second
``Client.from_spec`` of the same file in the same process (the spec is reused).

Run: python benchmarks/bench_specload.py [--quick]   (3 rounds; 1 with --quick)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from specgen import build_spec, count

# Each snippet imports its library first, then measures the load alone.
_PRELUDE = """
import json, resource, sys, time
def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
path = sys.argv[1]
"""
LOADERS = {
    "apicore-specbind `load_spec`": """
from apicore_specbind import load_spec
before = peak_kb(); start = time.perf_counter(); cpu = time.process_time()
spec = load_spec(path)
elapsed = time.perf_counter() - start; cpu = time.process_time() - cpu
assert len(spec.operations) >= 400
""",
    "openapi-core `OpenAPI.from_file_path` (validates the spec)": """
from openapi_core import OpenAPI
before = peak_kb(); start = time.perf_counter(); cpu = time.process_time()
api = OpenAPI.from_file_path(path)
elapsed = time.perf_counter() - start; cpu = time.process_time() - cpu
""",
}
_REPORT = """
print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_kb": peak_kb() - before}))
"""
SECOND_CLIENT = """
from apicore_client import Client
first = time.perf_counter()
Client.from_spec(path).close()
first = time.perf_counter() - first
start = time.perf_counter()
Client.from_spec(path).close()
elapsed = time.perf_counter() - start
print(json.dumps({"first": first, "second": elapsed}))
"""


def _run(code: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    rounds = 1 if "--quick" in sys.argv else 3
    spec = build_spec()
    ops, schemas = count(spec)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic-stripe.json"
        path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
        size = path.stat().st_size / 1e6
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in LOADERS}
        for _ in range(rounds):  # interleaved, so a busy machine slows both alike
            for name, snippet in LOADERS.items():
                runs[name].append(_run(_PRELUDE + snippet + _REPORT, path))
        rows = [
            (
                name,
                statistics.median(r["cpu"] for r in results),
                statistics.median(r["seconds"] for r in results),
                statistics.median(r["peak_kb"] for r in results) / 1024,
            )
            for name, results in runs.items()
        ]
        clients = [_run(_PRELUDE + SECOND_CLIENT, path) for _ in range(rounds)]
    ours_cpu, ours_mb = rows[0][1], rows[0][3]
    print("## Loading a Stripe-sized spec (apicore-specbind vs openapi-core)\n")
    print(
        f"Synthetic OpenAPI 3.0 document from `benchmarks/specgen.py`: {size:.1f} MB of JSON, "
        f"{ops} operations, {schemas} schemas (refs, allOf). Fresh process per load, "
        f"median of {rounds} interleaved round(s). Time is the CPU time of the load (both are "
        "single-threaded; wall time on a shared machine mostly measures the neighbours), "
        "memory the growth of the process's peak RSS during the load.\n"
    )
    print(
        "| loader | CPU seconds | x specbind's time | wall seconds | peak RSS growth (MB) "
        "| x specbind's memory |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, cpu, seconds, megabytes in rows:
        print(
            f"| {name} | {cpu:.2f} | {cpu / ours_cpu:.1f}x | {seconds:.2f} | {megabytes:.0f} | "
            f"{megabytes / ours_mb if ours_mb else float('nan'):.2f}x |"
        )
    first = statistics.median(c["first"] for c in clients)
    second = statistics.median(c["second"] for c in clients)
    print(
        f"\n`Client.from_spec(path)` in one process: first {first:.2f} s, "
        f"second {second * 1000:.1f} ms (the loaded spec is reused while the file is unchanged)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
