"""Wall time and peak memory of a command and every process it starts (Linux /proc)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the process may have just ended
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _tree_rss(pid: int) -> int:
    """Resident memory of `pid` and all its descendants, in bytes (shared pages counted
    once per process, so this is an upper bound)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
        todo += _children(current)
    return total


def run_measured(command: list[str], every: float = 0.2, **options) -> dict:
    """Run `command`; return wall seconds, peak tree memory (bytes) and the exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(command, **options)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(every)
    return {
        "seconds": time.perf_counter() - started,
        "peak_bytes": peak,
        "returncode": process.returncode,
        "cpus": os.cpu_count(),
    }


def alternating(variants: dict, repeats: int, once: Callable[[object, str], dict]) -> dict:
    """Every variant `repeats` times, one after another round after round, so the machine's
    drift hits them alike: `{name: [once(variant, tag), ...]}`, each tag (round and name)
    unique to its run."""
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    for i in range(repeats):
        for name, variant in variants.items():
            runs[name].append(once(variant, f"{i}{name}"))
    return runs


def record(name: str, figures: dict) -> Path:
    """Write `figures` to bench/results/<name>.json with the machine and day they came from:
    the file the docs cite, rewritten by every run of the script that names it."""
    import datetime
    import json
    import platform

    path = Path(__file__).resolve().parent / "results" / f"{name}.json"
    machine = {"cpu": _cpu_name() or platform.machine(), "cpus": os.cpu_count(),
               "python": platform.python_version()}  # fmt: skip
    stamp = {"date": datetime.date.today().isoformat(), "machine": machine}
    path.write_text(json.dumps({**stamp, **figures}, indent=2) + "\n")
    return path


def _cpu_name() -> str | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return None
