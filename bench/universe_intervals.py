"""The global model's 80% interval over the shared panel's test period: does it cover 80%?

One `stockcaster universe` run over every symbol of the panel: the global LSTM with a
direct quantile head (10/50/90%, pinball loss), fitted once at the cutoff (the last 25%
of days are the test period), every later day forecast one step ahead. The figures are
the run's `intervals` summary: the share of test closes inside the interval, overall and
per symbol (the median symbol, and the 10th and 90th percentiles of symbols), and the
interval score as a share of the close.

    .venv/bin/python bench/universe_intervals.py [--panel ../shared/data/universe_daily.csv.gz]

Writes bench/results/universe_intervals.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PANEL = ROOT.parent / "shared/data/universe_daily.csv.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", default=str(PANEL))
    parser.add_argument("--quantiles", default="0.1,0.5,0.9")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "stockcaster", "universe", "--data", args.panel,
                   "--models", "lstm", "--quantiles", args.quantiles, "--quiet", "--json",
                   "--out", str(Path(tmp) / "run")]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
        summary = json.loads(done.stdout)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
        "date": time.strftime("%Y-%m-%d"),
        "seconds": round(seconds, 1),
        "cutoff": summary["settings"]["cutoff"],
        "symbols_done": summary["symbols"].get("done", 0),
        "intervals": summary["intervals"],
        "global_model": {
            k: v for k, v in (summary["global_model"] or {}).items() if k != "history"
        },  # fmt: skip
    }
    out = ROOT / "bench/results/universe_intervals.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
