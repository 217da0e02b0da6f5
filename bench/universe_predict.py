"""`stockcaster predict` on a universe bundle of the shared panel: seconds, imports included.

A global LSTM is trained once on every symbol of the panel (`train --universe`, one
epoch: the forecast's cost does not depend on how well the network learned; not timed).
Then `stockcaster predict --bundle BUNDLE --data PANEL` runs `--rounds` times, each in a
fresh process, on the panel as given (csv.gz), on the same panel written as Parquet, and on
the csv.gz with `--horizon 5` (the network fed back on itself four more times), alternating
with a bare `import keras` on the same backend (the numpy inference backend `predict` uses)
as the reference of the same run.

    .venv/bin/python bench/universe_predict.py [--panel ../shared/data/universe_daily.csv.gz]

Writes bench/results/universe_predict.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
PANEL = ROOT.parent / "shared/data/universe_daily.csv.gz"


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", default=str(PANEL))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "stockcaster"]
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "bundle"
        train = [*cli, "train", "--universe", "--data", args.panel, "--epochs", "1",
                 "--save", str(bundle)]  # fmt: skip
        trained = timed(train, dict(os.environ))
        numpy_env = {**os.environ, "KERAS_BACKEND": "numpy"}
        parquet = Path(tmp) / "panel.parquet"  # the same panel, as Parquet
        pd.read_csv(args.panel).to_parquet(parquet, index=False)
        predict, from_parquet, five, keras_import = [], [], [], []
        for k in range(args.rounds):
            for data, kept, horizon in ((args.panel, predict, 1), (str(parquet), from_parquet, 1),
                                        (args.panel, five, 5)):  # fmt: skip
                out = Path(tmp) / f"out-{k}-{len(kept)}-{data.endswith('.parquet')}-{horizon}"
                command = [*cli, "predict", "--bundle", str(bundle), "--data", data,
                           "--out", str(out), "--json", "--horizon", str(horizon)]  # fmt: skip
                kept.append(timed(command, dict(os.environ)))
            keras_import.append(timed([sys.executable, "-c", "import keras"], numpy_env))
        found = next(Path(tmp).glob("out-0-*-1/*/universe_prediction.json"))
        meta = json.loads(found.read_text())
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "date": time.strftime("%Y-%m-%d"),
        "symbols_forecast": meta["symbols"]["forecast"],
        "symbols_set_aside": meta["symbols"]["set_aside"],
        "train_seconds_not_timed_in_target": round(trained, 1),
        "predict_seconds": [round(s, 2) for s in predict],
        "predict_median": round(statistics.median(predict), 2),
        "predict_parquet_seconds": [round(s, 2) for s in from_parquet],
        "predict_parquet_median": round(statistics.median(from_parquet), 2),
        "predict_horizon_5_seconds": [round(s, 2) for s in five],
        "predict_horizon_5_median": round(statistics.median(five), 2),
        "import_keras_numpy_seconds": [round(s, 2) for s in keras_import],
        "import_keras_median": round(statistics.median(keras_import), 2),
    }
    result["ratio_to_import_keras"] = round(
        result["predict_median"] / result["import_keras_median"], 2
    )
    out = ROOT / "bench/results/universe_predict.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
