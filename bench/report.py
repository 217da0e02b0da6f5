"""Benchmark: size of the HTML reports of a default `stockcaster run` and `backtest`.

Runs both commands with `--report` on the embedded data (all default settings) and prints
each report's size; the target is under 5 MB. Writes bench/results/report.json.

    .venv/bin/python bench/report.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from _measure import record

STOCKCASTER = Path(sys.executable).parent / "stockcaster"


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        for command in (["run", "--quiet"], ["backtest", "--quiet"]):
            subprocess.run([str(STOCKCASTER), *command, "--report", "--out", out], check=True,
                           capture_output=True)  # fmt: skip
        sizes = {}
        for page in sorted(Path(out).glob("*/report.html")):
            size = page.stat().st_size
            kind = "backtest" if "-backtest-" in page.parent.name else "run"
            sizes[kind] = {"bytes": size, "megabytes": round(size / 1e6, 2)}
            print(f"{kind:9s} report.html: {size / 1e6:.2f} MB (target < 5 MB)")
    record("report", {"reports": sizes, "target_megabytes": 5})


if __name__ == "__main__":
    main()
