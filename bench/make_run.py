"""Benchmark: wall time of `make run` once the virtual environment is set up.

Sets up `.venv` first if needed (not timed), then times `make run` `--repeats` times.

    python3 bench/make_run.py [--repeats 3]

Writes bench/results/make_run.json.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path

from _measure import record

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    subprocess.run(["make", "-s", ".venv/.installed"], cwd=ROOT, check=True)
    times = []
    for repeat in range(args.repeats):
        started = time.perf_counter()
        subprocess.run(["make", "-s", "run"], cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
        print(f"repeat {repeat + 1}: make run {times[-1]:.1f} s", flush=True)
    print(f"median make run: {statistics.median(times):.1f} s wall (target < 60 s)")
    record("make_run", {"make_run_seconds": times, "median": statistics.median(times),
                        "target_seconds": 60})  # fmt: skip


if __name__ == "__main__":
    main()
