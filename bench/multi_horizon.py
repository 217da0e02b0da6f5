"""Benchmark: 5-day forecasts on the embedded MSFT data, walked forward, per horizon step.

Two LSTMs, both refitted every 21 trading days (warm-started) on an expanding window:
the `forecast` preset's direct head (5 steps, 10/50/90% quantiles, pinball loss) and the
`default` preset's one-step network fed back on itself (recursive). For each step: MSE
ratio to naive, Diebold-Mariano p-value, and for the direct head the empirical coverage
of its 80% interval and the interval score. Prints Markdown for the docs and writes the
rows and wall times to bench/results/multi_horizon.json.

    .venv/bin/python bench/multi_horizon.py
"""

from __future__ import annotations

import time

import pandas as pd
from _measure import record

from stockcaster.data.embedded import load_msft
from stockcaster.data.series import price_series
from stockcaster.evaluation.backtest import BacktestConfig, walk_forward
from stockcaster.evaluation.leaderboard import leaderboard
from stockcaster.models.neural import NetworkForecaster
from stockcaster.models.presets import load_preset


def main() -> None:
    series = price_series(load_msft())
    config = BacktestConfig(horizon=5, retrain_every=21)
    boards, seconds, origins = [], {}, {}
    for preset_name, label in (("forecast", "direct"), ("default", "recursive")):
        preset = load_preset(preset_name)
        started = time.perf_counter()
        result = walk_forward(
            series,
            "MSFT",
            lambda p=preset, n=label: NetworkForecaster(p.features, p.model, p.training, name=n),
            config,
        )
        seconds[label] = time.perf_counter() - started
        origins[label] = int(result.forecasts["origin"].nunique())
        print(f"{label}: {seconds[label]:.0f} s, {len(result.failures)} failures")
        levels = {label: preset.model.quantiles} if preset.model.quantiles else {}
        boards.append(leaderboard(result.forecasts, series, result.train_size, 5.0, levels))
    board = pd.concat(boards).sort_values(["model", "horizon"])
    print()
    print("| model | step | MSE ratio to naive | DM p | 80% interval coverage | interval score |")
    print("|---|---|---|---|---|---|")
    for _, r in board.iterrows():
        coverage = "" if pd.isna(r["coverage"]) else f"{r['coverage']:.1%}"
        score = "" if pd.isna(r["interval_score"]) else f"{r['interval_score']:.3f}"
        print(f"| {r['model']} | {r['horizon']} | {r['mse_ratio']:.4f} | {r['dm_pvalue']:.3f} | "
              f"{coverage} | {score} |")  # fmt: skip
    columns = ["model", "horizon", "mse_ratio", "dm_pvalue", "coverage", "interval_score"]
    rows = board[columns].astype(object).where(board[columns].notna(), None)
    figures = {"rows": rows.to_dict("records"), "seconds": seconds, "origins": origins}
    print(f"written to {record('multi_horizon', figures)}")


if __name__ == "__main__":
    main()
