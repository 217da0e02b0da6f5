"""Wall time and peak memory of a command and every process it starts (Linux /proc)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
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
