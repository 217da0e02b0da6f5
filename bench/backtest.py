"""Benchmark: the walk-forward leaderboard on the embedded MSFT data, and its speed.

Test period as in the reference (last 25%, 441 days), h = 1, expanding window. Prints
the time of ARIMA's one-step forecasts without refitting, the time of each model's
walk-forward with a refit every 21 trading days (the LSTM warm-starting), and the
leaderboard, as Markdown for the docs.

    .venv/bin/python bench/backtest.py
"""

from __future__ import annotations

import time

import pandas as pd
from _measure import record

from stockcaster.data.embedded import load_msft
from stockcaster.evaluation.backtest import BacktestConfig, walk_forward
from stockcaster.evaluation.leaderboard import benchmark, leaderboard
from stockcaster.models.presets import load_preset
from stockcaster.models.registry import ModelOptions, forecaster_factory, installed_models


def main() -> None:
    prices = load_msft()
    series = pd.Series(prices["close"].to_numpy(), index=pd.DatetimeIndex(prices["date"]))
    preset = load_preset("default")

    started = time.perf_counter()
    once = walk_forward(series, "MSFT", forecaster_factory("arima", ModelOptions(preset)),
                        BacktestConfig(retrain_every=0))  # fmt: skip
    arima_seconds = time.perf_counter() - started
    print(f"ARIMA, fitted once, one-step forecasts over {len(once.forecasts)} test days: "
          f"{arima_seconds:.2f} s (target < 10 s)")  # fmt: skip

    config = BacktestConfig(retrain_every=21)
    results, seconds = [], {}
    for name in installed_models():
        started = time.perf_counter()
        make = forecaster_factory(name, ModelOptions(preset))
        results.append(walk_forward(series, "MSFT", make, config))
        seconds[name] = time.perf_counter() - started
        print(f"{name}: walk-forward, refit every 21 days: {seconds[name]:.1f} s", flush=True)
    print("(target for lstm: < 300 s)")

    forecasts = pd.concat([r.forecasts for r in results], ignore_index=True)
    board = leaderboard(forecasts, series, results[0].train_size, cost_bps=5.0)
    hold = benchmark(forecasts, series, cost_bps=5.0)
    print()
    print("| model | MSE | x naive | MASE | Theil U | direction | DM p | lag flag | "
          "long/flat Sharpe | long/short Sharpe | seconds |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for _, r in board.iterrows():
        direction = (
            "n/a" if pd.isna(r["directional_accuracy"]) else f"{r['directional_accuracy']:.3f}"
        )
        dm = "n/a" if pd.isna(r["dm_pvalue"]) else f"{r['dm_pvalue']:.3f}"
        print(f"| {r['model']} | {r['mse']:.4f} | {r['mse_ratio']:.4f} | {r['mase']:.3f} | "
              f"{r['theil_u']:.4f} | {direction} | {dm} | {'yes' if r['lag_flag'] else 'no'} | "
              f"{r['long_flat_sharpe']:.2f} | {r['long_short_sharpe']:.2f} | "
              f"{seconds[r['model']]:.1f} |")  # fmt: skip
    print(f"| buy and hold | | | | | | | | {hold['sharpe']:.2f} | | |")
    rows = board.astype(object).where(board.notna(), None).to_dict("records")
    figures = {"arima_fitted_once_seconds": arima_seconds, "seconds": seconds, "rows": rows,
               "buy_and_hold_sharpe": hold["sharpe"]}  # fmt: skip
    print(f"written to {record('backtest', figures)}")


if __name__ == "__main__":
    main()
