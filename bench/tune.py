"""`stockcaster tune` on real data: how long a search takes, and what it is worth.

Cases (each one `stockcaster tune` command in a fresh process, into a fresh folder):
  lstm      50 trials of the LSTM on the embedded MSFT closes, 3 folds, median pruner;
  lightgbm  30 trials of LightGBM over the `technical` feature set on every third symbol
            of the shared panel (`--universe`), 3 folds, median pruner.

For each: the wall time, the best trial's validation and test ratios, its rank IC
(universe), the SPA and Reality Check p-values and the deflated Sharpe ratio, read from
the search's `tune.json`. With `--engine ray` the same case also runs on the Ray engine
(2 workers on a local Ray instance, started by the command, so its start-up is counted),
with the random sampler and no pruner on both engines so that they run the same trials
to the end, and the ratio of the two wall times is reported.

    .venv/bin/python bench/tune.py --case lstm
    .venv/bin/python bench/tune.py --case lightgbm
    .venv/bin/python bench/tune.py --case lightgbm --engine ray --trials 20

Writes bench/results/tune_CASE[_ray].json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
PANEL = ROOT.parent / "shared/data/universe_daily.csv.gz"
CASES = {
    "lstm": {"trials": 50, "args": ["--model", "lstm"]},
    "lightgbm": {"trials": 30, "args": ["--model", "lightgbm", "--features", "technical"]},
}


def every_third(panel: Path, out: Path) -> Path:
    """The panel's rows of every third symbol (sorted by name), written to `out`."""
    with gzip.open(panel, "rt") as handle:
        table = pd.read_csv(handle)
    symbols = sorted(table["symbol"].unique())[::3]
    table[table["symbol"].isin(symbols)].to_csv(out, index=False)
    return out


def search(case: str, trials: int, folder: Path, data: Path | None, more: list[str]) -> dict:
    """Run one search; return its wall time and the figures of its `tune.json`."""
    command = [sys.executable, "-m", "stockcaster", "tune", *CASES[case]["args"],
               "--trials", str(trials), "--folds", "3", "--out", str(folder), "--json",
               *(more or ["--pruner", "median"])]  # fmt: skip
    if data is not None:
        command += ["--data", str(data)] + (["--universe"] if case == "lightgbm" else [])
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    summary = json.loads((folder / "tune.json").read_text())
    best, verdict = summary["best"], summary["verdict"]
    return {
        "seconds": round(seconds, 1),
        "trials": summary["trials"],
        "best": best,
        "spa_pvalue": verdict["spa_pvalue"],
        "reality_check_pvalue": verdict["reality_check_pvalue"],
        "deflated_sharpe": verdict["deflated_sharpe"],
        "confidence_set_size": len(verdict["confidence_set"]),
        "sentence": verdict["sentence"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES), required=True)
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--engine", choices=("local", "ray"), default="local")
    parser.add_argument("--panel", default=str(PANEL))
    args = parser.parse_args()
    trials = args.trials or CASES[args.case]["trials"]
    with tempfile.TemporaryDirectory() as tmp:
        data = (
            every_third(Path(args.panel), Path(tmp) / "panel.csv")
            if args.case == "lightgbm"
            else None
        )
        result = {
            "case": args.case,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
            "date": time.strftime("%Y-%m-%d"),
        }
        if args.engine == "local":
            result["local"] = search(args.case, trials, Path(tmp) / "local", data, [])
        else:
            same = ["--sampler", "random", "--pruner", "none"]  # the same work on both
            result["local"] = search(args.case, trials, Path(tmp) / "local", data, same)
            ray = [*same, "--engine", "ray", "--workers", "2"]
            result["ray"] = search(args.case, trials, Path(tmp) / "ray", data, ray)
            result["ray_over_local"] = round(
                result["ray"]["seconds"] / result["local"]["seconds"], 3
            )
    suffix = "_ray" if args.engine == "ray" else ""
    out = ROOT / "bench/results" / f"tune_{args.case}{suffix}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
