"""The Ray engine against the local engine on 20 symbols: same results, and wall time.

Each workload runs through the installed `stockcaster universe` command twice, local
engine then Ray engine (a local Ray instance with the same number of CPUs, started and
stopped by the command, so its start-up is counted), each into a fresh folder. The
per-symbol forecasts and metrics of the two results stores must be identical.

Workloads (per-symbol mode, the first 20 symbols of the file):
  arima-monthly  naive, drift, moving average and AutoARIMA refitted every 21 origins
                 (seconds of work per symbol: what an engine is for);
  fit-once       the same models fitted once (well under a second per symbol, so Ray's
                 start-up of a few seconds weighs heavily).

    .venv/bin/python bench/ray_vs_local.py [--data ../shared/data/universe_daily.csv.gz]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _measure import record

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = {
    "arima-monthly": ["--retrain-every", "21"],
    "fit-once": ["--retrain-every", "0"],
}


def stored(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with sqlite3.connect(folder / "results.sqlite") as db:
        metrics = pd.read_sql_query("SELECT * FROM metrics ORDER BY symbol, model", db)
        forecasts = pd.read_sql_query("SELECT * FROM forecasts ORDER BY symbol, model, date", db)
    return metrics, forecasts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/universe_daily.csv.gz"))
    parser.add_argument("--symbols", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    names = pd.read_csv(args.data, usecols=["symbol"])["symbol"].drop_duplicates()
    chosen = ",".join(sorted(names)[: args.symbols])
    command = str(Path(sys.executable).parent / "stockcaster")
    rows = []
    for workload, extra in WORKLOADS.items():
        scratch = Path(tempfile.mkdtemp(prefix="bench-ray-"))
        seconds = {}
        for engine in ("local", "ray"):
            started = time.perf_counter()
            subprocess.run(
                [command, "universe", "--data", args.data, "--symbols", chosen, "--mode",
                 "per-symbol", "--models", "naive,drift,ma,arima", "--engine", engine,
                 "--workers", str(args.workers), "--out", str(scratch / engine), "--quiet",
                 *extra],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            seconds[engine] = time.perf_counter() - started
        local, ray = stored(scratch / "local"), stored(scratch / "ray")
        identical = all(a.equals(b) for a, b in zip(local, ray, strict=True))
        row = {
            "workload": workload,
            "symbols": args.symbols,
            "workers": args.workers,
            "seconds": {k: round(v, 1) for k, v in seconds.items()},
            "ray_over_local": round(seconds["ray"] / seconds["local"], 3),
            "identical_metrics_and_forecasts": identical,
            "metric_rows": len(local[0]),
            "forecast_rows": len(local[1]),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"written to {record('ray_vs_local', {'workloads': rows})}")


if __name__ == "__main__":
    main()
