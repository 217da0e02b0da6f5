"""Time and memory of `stockcaster universe` on the 437-symbol shared panel.

Two runs, each from a fresh folder, through the installed command (so every cost a user
pays is counted: reading the file, workers starting, the report):
  1. baselines: naive, drift, moving average and AutoARIMA for every symbol, walk-forward
     h=1 over the last 25% of trading days, local engine;
  2. global: the default run, which adds the global LSTM (train, forecast every test day,
     aggregates, report).
Peak memory is the largest total resident memory of the command and all its worker
processes, sampled every 0.2 s (pages shared between processes count once per process,
so it is an upper bound).

    .venv/bin/python bench/universe.py [--data ../shared/data/universe_daily.csv.gz]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import record, run_measured  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RUNS = {
    "baselines": ["--mode", "per-symbol", "--models", "naive,drift,ma,arima"],
    "global": [],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/universe_daily.csv.gz"))
    parser.add_argument("--runs", default="baselines,global")
    args = parser.parse_args()
    command = str(Path(sys.executable).parent / "stockcaster")
    results = {}
    for name in args.runs.split(","):
        scratch = Path(tempfile.mkdtemp(prefix=f"bench-universe-{name}-"))
        out = scratch / "run"
        measured = run_measured(
            [command, "universe", "--data", args.data, "--out", str(out), "--quiet", *RUNS[name]],
            stdout=subprocess.DEVNULL,
        )
        summary = json.loads((out / "universe.json").read_text())
        results[name] = {
            "seconds": round(measured["seconds"], 1),
            "peak_memory_gb": round(measured["peak_bytes"] / 2**30, 2),
            "cpus": measured["cpus"],
            "symbols": summary["symbols"],
            "cutoff": summary["settings"]["cutoff"],
            "skipped": sorted(summary["skipped"]),
            "scores": {
                row["model"]: {
                    "median_mse_ratio": row["median_mse_ratio"],
                    "share_beating_naive": row["share_beating_naive"],
                    "dm_wins": row["dm_wins"],
                    "dm_losses": row["dm_losses"],
                    "mean_directional_accuracy": row["mean_directional_accuracy"],
                    **_cross(summary["cross_section"][row["model"]]),
                }
                for row in summary["scores"]
            },
            "global_model": {
                k: v for k, v in (summary["global_model"] or {}).items() if k != "history"
            },
        }
        print(json.dumps({name: results[name]}, indent=2), flush=True)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"written to {record('universe', results)}")


def _cross(parts: dict) -> dict:
    ic, book = parts["ic"], parts["portfolio"]
    return {
        "mean_rank_ic": ic["mean_rank_ic"],
        "rank_icir": ic["rank_icir"],
        "long_short_annual_return": book["annual_return"],
        "long_short_information_ratio": book["information_ratio"],
        "long_short_max_drawdown": book["max_drawdown"],
        "equal_weight_annual_return": book["benchmark"]["annual_return"],
    }


if __name__ == "__main__":
    main()
