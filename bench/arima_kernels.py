"""Why the ARIMA row of the backtest moves between machines: OpenBLAS's kernel.

AutoARIMA chooses each fit's order by AICc among candidates that are sometimes within a
rounding error of each other; OpenBLAS picks its kernel by CPU (or `OPENBLAS_CORETYPE`),
and kernels round differently. This runs the docs' ARIMA walk-forward (embedded MSFT,
refit every 21 days, h = 1) once per kernel, each in a fresh process, prints the MSE and
its ratio to naive, and writes them to bench/results/arima_kernels.json.

    .venv/bin/python bench/arima_kernels.py [--kernels auto,SkylakeX,Haswell,Prescott]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from _measure import record

ONE = """
import json
import pandas as pd
from stockcaster.data.embedded import load_msft
from stockcaster.evaluation.backtest import BacktestConfig, walk_forward
from stockcaster.models.presets import load_preset
from stockcaster.models.registry import ModelOptions, forecaster_factory

prices = load_msft()
series = pd.Series(prices["close"].to_numpy(), index=pd.DatetimeIndex(prices["date"]))
options = ModelOptions(load_preset("default"))
errors = {}
for name in ("arima", "naive"):
    walk = walk_forward(series, "MSFT", forecaster_factory(name, options),
                        BacktestConfig(retrain_every=21))
    errors[name] = float(((walk.forecasts["yhat"] - walk.forecasts["actual"]) ** 2).mean())
from threadpoolctl import threadpool_info
blas = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
kernel = blas[0].get("architecture") if blas else None
print(json.dumps({**errors, "kernel": kernel}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", default="auto,SkylakeX,Haswell,Prescott")
    args = parser.parse_args()
    print("| OpenBLAS kernel | ARIMA MSE | x naive |\n|---|---|---|")
    rows = []
    for kernel in args.kernels.split(","):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS_")}
        if kernel != "auto":
            env["OPENBLAS_CORETYPE"] = kernel
        done = subprocess.run([sys.executable, "-c", ONE], env=env, capture_output=True,
                              text=True, check=True)  # fmt: skip
        found = json.loads(done.stdout.strip().splitlines()[-1])
        name = f"{found['kernel']} (the CPU's own)" if kernel == "auto" else found["kernel"]
        print(f"| {name} | {found['arima']:.4f} | {found['arima'] / found['naive']:.4f} |")
        ratio = found["arima"] / found["naive"]
        rows.append({"asked": kernel, "kernel": found["kernel"], "arima_mse": found["arima"],
                     "naive_mse": found["naive"], "ratio": ratio})  # fmt: skip
    print(f"written to {record('arima_kernels', {'kernels': rows})}")


if __name__ == "__main__":
    main()
