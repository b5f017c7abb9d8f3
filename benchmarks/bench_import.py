"""The time of `import prism` in a fresh interpreter (median of several runs), against
`import json` as a floor.

Run: python -m benchmarks.bench_import
"""

from __future__ import annotations

import statistics
import subprocess
import sys


def import_time(module: str, runs: int = 15) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout))
    return statistics.median(times)


def main() -> None:
    prism_s = import_time("prism")
    floor = import_time("json")
    print("== import time (fresh interpreter, median of 15)")
    print(f"import prism  {prism_s * 1000:7.1f} ms")
    print(f"import json   {floor * 1000:7.1f} ms   (floor)")


if __name__ == "__main__":
    main()
