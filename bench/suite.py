"""Benchmark: the test suite's time from a fresh clone, as CI runs it.

Clones the committed `main` of this checkout into a temporary folder with `../shared`
beside it, runs `CI=true bash .ci/run` there (a new virtual environment, lint, the docs
build and `make test`), and records pytest's own line (tests passed, seconds), the whole
run's wall time and the slowest tests `make test` printed. The budget: 300 s for pytest's
line on a 2-core machine (issue 25 asks for 240 s).

    python3 bench/suite.py [--runs 1] [--commit REV] [--processes N]

`--commit` runs an earlier commit instead (still in a clone of this checkout), as the
baseline of a change measured in the same hour: the machine's speed drifts by a fifth.
`--processes N` runs `make test` in N test processes (`TEST_PROCESSES`, which commits from
7d781a4 on read; 2 by default, as before them, but 3 in 7d781a4 to 5fab3ef), recorded with
the run.

Writes bench/results/suite.json (every run of the script appends its runs to the file's).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from _measure import record

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"^=* ?(?P<counts>\d+ (?:passed|failed).*?) in (?P<seconds>[\d.]+)s", re.M)
SLOW = re.compile(r"^(?P<seconds>[\d.]+)s (?P<phase>setup|call|teardown)\s+(?P<test>\S+)$")


def one_run(commit: str = "HEAD", processes: int | None = None) -> dict:
    """One fresh-clone CI run of `commit` (in `processes` test processes, if given):
    pytest's line, the wall time, the slowest tests."""
    scratch = Path(tempfile.mkdtemp(prefix="bench-suite-"))
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(scratch / "project")], check=True)
        subprocess.run(["git", "checkout", "-q", commit], cwd=scratch / "project", check=True)
        shutil.copytree(ROOT.parent / "shared", scratch / "shared", symlinks=True)
        head = ["git", "rev-parse", "--short", "HEAD"]
        commit = subprocess.run(head, cwd=scratch / "project", capture_output=True, text=True,
                                check=True).stdout.strip()  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(["bash", ".ci/run"], cwd=scratch / "project", capture_output=True,
                              text=True, env=_environ(processes))  # fmt: skip
        wall = time.perf_counter() - started
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    found = SUMMARY.findall(done.stdout)
    slow = [m.groupdict() for m in map(SLOW.match, done.stdout.splitlines()) if m]
    return {
        "commit": commit,
        "exit_code": done.returncode,
        "pytest_line": f"{found[-1][0]} in {found[-1][1]}s" if found else None,
        "pytest_seconds": float(found[-1][1]) if found else None,
        "ci_run_seconds": wall,
        "slowest": [{**s, "seconds": float(s["seconds"])} for s in slow],
        "tail": done.stdout[-1500:],
    } | ({} if processes is None else {"processes": processes})


def _environ(processes: int | None) -> dict[str, str]:
    """CI's environment: this one without the virtual environment or backend it may have
    chosen, and without a number of test processes other than `processes`."""
    kept = ("VIRTUAL_ENV", "KERAS", "TEST_PROCESSES")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(kept)} | {"CI": "true"}
    return environ | ({} if processes is None else {"TEST_PROCESSES": str(processes)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--commit", default="HEAD", help="an earlier commit, for a baseline")
    parser.add_argument("--processes", type=int, help="test processes (TEST_PROCESSES)")
    args = parser.parse_args()
    path = ROOT / "bench" / "results" / "suite.json"
    runs = json.loads(path.read_text())["runs"] if path.exists() else []
    for _ in range(args.runs):
        done = one_run(args.commit, args.processes)
        runs.append(done | {"date": time.strftime("%Y-%m-%d %H:%M")})  # when it ended
        last = runs[-1]
        print(f"{last['commit']}: {last['pytest_line']} (exit {last['exit_code']}; "
              f"the whole .ci/run {last['ci_run_seconds']:.0f} s)", flush=True)  # fmt: skip
    record("suite", {"budget_seconds": 300, "runs": runs})


if __name__ == "__main__":
    main()
