"""Benchmark: size of the HTML reports of a default `stockcaster run` and `backtest`.

Runs both commands with `--report` on the embedded data (all default settings) and prints
each report's size; the target is under 5 MB.

    .venv/bin/python bench/report.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

STOCKCASTER = Path(sys.executable).parent / "stockcaster"


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        for command in (["run", "--quiet"], ["backtest", "--quiet"]):
            subprocess.run([str(STOCKCASTER), *command, "--report", "--out", out], check=True,
                           capture_output=True)  # fmt: skip
        for page in sorted(Path(out).glob("*/report.html")):
            size = page.stat().st_size
            print(f"{page.parent.name.split('-')[1]:9s} report.html: {size / 1e6:.2f} MB "
                  "(target < 5 MB)")  # fmt: skip


if __name__ == "__main__":
    main()
