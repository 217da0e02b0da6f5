"""Variants of the global model on a third of the shared panel: what its defaults rest on.

Every third symbol of `universe_daily.csv.gz` (146 symbols), the common cutoff at 75% of
the trading days, one global LSTM per variant, each forecast scored per symbol against
naive on the test days. Prints, per variant: the median MSE ratio to naive, the share of
symbols that beat naive, the best epoch and the validation losses per epoch, and writes
them to bench/results/global_variants.json.

    .venv/bin/python bench/global_variants.py [--data ../shared/data/universe_daily.csv.gz]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
from _measure import record

from stockcaster.data.panel import load_panel
from stockcaster.models.config import ModelConfig, RecurrentLayer
from stockcaster.models.global_model import forecast_test_days, train_global
from stockcaster.models.presets import RunConfig, load_preset

ROOT = Path(__file__).resolve().parent.parent


def _set(config: RunConfig, section: str, **changes) -> RunConfig:
    """`config` with `changes` made to one of its sections."""
    return dataclasses.replace(
        config, **{section: dataclasses.replace(getattr(config, section), **changes)}
    )


def variants() -> dict[str, RunConfig]:
    default = load_preset("universe")
    old = _set(_set(default, "features", center_returns=True), "training", windows_per_epoch=None)
    return {
        "default (uncentred, 65,536 windows per epoch)": default,
        "centred, whole passes (the first version)": old,
        "centred, 65,536 windows per epoch": _set(old, "training", windows_per_epoch=65536),
        "uncentred, learning rate 3e-4": dataclasses.replace(
            default, training=dataclasses.replace(default.training, learning_rate=3e-4)
        ),
        "uncentred, LSTM(16) + dropout 0.2": dataclasses.replace(
            default, model=ModelConfig(recurrent=(RecurrentLayer("lstm", 16),), dropout=0.2)
        ),
        "uncentred, 5 OHLCV features": default.with_inputs("ohlcv"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/universe_daily.csv.gz"))
    args = parser.parse_args()
    prices = load_panel(args.data).prices
    symbols = sorted(prices["symbol"].unique())[::3]
    prices = prices[prices["symbol"].isin(symbols)].reset_index(drop=True)
    days = np.unique(prices["date"].to_numpy())
    cutoff = days[int(0.75 * len(days)) - 1]
    previous = prices.assign(naive=prices.groupby("symbol")["close"].shift(1))
    rows = []
    for name, config in variants().items():
        started = time.perf_counter()
        fit = train_global(prices, cutoff, config)
        scored = forecast_test_days(fit, config).merge(previous, on=["symbol", "date"])
        errors = scored.assign(
            model=(scored["yhat"] - scored["close"]) ** 2,
            naive=(scored["naive"] - scored["close"]) ** 2,
        )
        ratio = errors.groupby("symbol")["model"].mean() / errors.groupby("symbol")["naive"].mean()
        row = {
            "variant": name,
            "symbols": len(ratio),
            "median_mse_ratio": round(float(ratio.median()), 4),
            "share_beating_naive": round(float((ratio < 1).mean()), 3),
            "best_epoch": fit.best_epoch,
            "val_loss": [round(v, 4) for v in fit.history["val_loss"]],
            "seconds": round(time.perf_counter() - started, 1),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"written to {record('global_variants', {'variants': rows})}")


if __name__ == "__main__":
    main()
