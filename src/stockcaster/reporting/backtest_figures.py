"""Figures of a backtest: forecasts vs actual per model, error distributions, equity curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.evaluation.trading import daily_marks, positions, strategy_returns
from stockcaster.reporting.figures import drawing, save, subplots


def _one_step(forecasts: pd.DataFrame) -> pd.DataFrame:
    return forecasts[forecasts[C.HORIZON] == 1]


@drawing
def forecasts_figure(forecasts: pd.DataFrame, path: Path) -> None:
    """One panel per model: its one-step forecasts over the actual closes."""
    rows = _one_step(forecasts)
    models = list(rows[C.MODEL].unique())
    fig, axes = subplots(len(models), 1, figsize=(10, 2.6 * len(models) + 0.5), squeeze=False)
    for ax, model in zip(axes[:, 0], models, strict=True):
        mine = rows[rows[C.MODEL] == model]
        ax.plot(mine[C.DATE], mine[C.ACTUAL], color="black", lw=1.2, label="actual")
        ax.plot(mine[C.DATE], mine[C.YHAT], color="tab:red", lw=0.9, label=model)
        ax.set_ylabel("close")
        ax.legend(loc="upper left", fontsize="small")
    axes[0, 0].set_title("One-step forecasts vs actual, test period")
    save(fig, path, dpi=100)


@drawing
def error_figure(forecasts: pd.DataFrame, path: Path) -> None:
    """Distribution of one-step forecast errors (forecast - actual), one curve per model."""
    rows = _one_step(forecasts)
    errors = rows[C.YHAT] - rows[C.ACTUAL]
    bins = np.linspace(errors.quantile(0.005), errors.quantile(0.995), 60)
    fig, ax = subplots(figsize=(9, 4.5))
    for model, mine in rows.groupby(C.MODEL, sort=False):
        ax.hist(mine[C.YHAT] - mine[C.ACTUAL], bins=bins, histtype="step", lw=1.3, label=model)
    ax.set_xlabel("one-step error (forecast - actual)")
    ax.set_ylabel("days")
    ax.set_title("Error distribution")
    ax.legend(fontsize="small")
    save(fig, path, dpi=100, dates=False)


def equity_curves(
    forecasts: pd.DataFrame, series: pd.Series, cost_bps: float, step: int = 1
) -> pd.DataFrame:
    """Growth of 1 under each model's long/flat rule, net of costs, beside buy-and-hold
    (`equity.csv`: date, buy_and_hold, then a column per model), every day a position is
    held: each one-step forecast's until the next origin's (`step` days on), marked daily."""
    rows = _one_step(forecasts)
    closes = series.to_numpy(dtype="float64")
    marks, _, market = daily_marks(closes, np.unique(series.index.get_indexer(rows[C.DATE])), step)
    hold = strategy_returns(np.ones_like(market), market, cost_bps)
    curves = pd.DataFrame({C.DATE: series.index[marks], "buy_and_hold": np.cumprod(1 + hold)})
    for model, mine in rows.groupby(C.MODEL, sort=False):
        mine = mine.sort_values(C.DATE, kind="stable")
        origin_close = series.reindex(mine[C.ORIGIN]).to_numpy()
        held = positions(mine[C.YHAT].to_numpy() - origin_close, "long_flat")
        days, owner, moves = daily_marks(closes, series.index.get_indexer(mine[C.DATE]), step)
        grown = pd.Series(np.cumprod(1 + strategy_returns(held[owner], moves, cost_bps)),
                          index=series.index[days])  # fmt: skip
        curves[str(model)] = grown.reindex(series.index[marks]).to_numpy()
    return curves


@drawing
def equity_figure(curves: pd.DataFrame, cost_bps: float, path: Path) -> None:
    """Growth of 1 under each model's long/flat rule, net of costs, beside buy-and-hold
    (`equity_curves`)."""
    fig, ax = subplots(figsize=(10, 5))
    ax.plot(curves[C.DATE], curves["buy_and_hold"], color="black", lw=1.5, label="buy and hold")
    for model in curves.columns[2:]:
        ax.plot(curves[C.DATE], curves[model], lw=1, label=f"{model} long/flat")
    ax.set_ylabel(f"growth of 1 (costs {cost_bps:g} bp per trade)")
    ax.set_title("Equity curves")
    ax.legend(loc="upper left", fontsize="small")
    save(fig, path, dpi=100)
