"""Volatility forecasts across a universe: each symbol's daily losses and VaR hits, pooled.

`symbol_scores` keeps, for one symbol and each model, the day-by-day QLIKE and squared
error of each horizon, the one-day VaR exceedances of each shape and level, and whether
each day's return fell inside the central 80% and 95% intervals, with the tercile of the
day's predicted variance among the symbol's test days. `pooled` turns every symbol's into
the universe's tables: QLIKE and MSE pooled over symbol-days (as ratios to the random
walk's and EWMA's), the symbols where Diebold-Mariano on QLIKE finds the model better
than the random walk after Benjamini-Hochberg at 5%, Mincer-Zarnowitz of log variance
over every symbol-day, and tomorrow's 90% model confidence set of the daily cross-sectional
mean QLIKE (`with_confidence_set`); the pooled exceedance rate and the
share of symbols passing Kupiec's and Christoffersen's conditional-coverage tests at 5%;
each interval's pooled coverage in each tercile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster.evaluation.cross_section import benjamini_hochberg
from stockcaster.evaluation.risk import (
    christoffersen,
    exceedances,
    kupiec,
    mincer_zarnowitz,
    qlike,
    variance_mse,
)
from stockcaster.evaluation.risk_board import (
    INTERVALS,
    LEVELS,
    coverage,
    inside,
    loss_ratio,
    terciles,
)
from stockcaster.evaluation.significance import diebold_mariano_losses
from stockcaster.evaluation.snooping import confidence_set
from stockcaster.features.volatility import variance_ahead
from stockcaster.models.volatility import SHAPES, Shape, value_at_risk

PASS = 0.05  # a symbol passes a VaR test whose p-value is at least this


def symbol_scores(v, r, origins, horizons, forecasts: dict, residuals: dict) -> dict:
    """One symbol's scores of every model (see the module's doc).

    Args:
        origins: the test period's consecutive origins (the last one's next day known).
        forecasts: model -> `[origins, horizons]` mean variance forecasts.
        residuals: model -> its training days' standardised returns.
    """
    returns = r[origins + 1]
    found = {}
    for model, walked in forecasts.items():
        mine = {}
        for column, h in enumerate(horizons):
            scored = origins[: len(origins) - h + 1]
            proxy, guess = variance_ahead(v, scored, h), walked[: len(scored), column]
            kept = np.isfinite(proxy) & np.isfinite(guess)
            mine[h] = {"qlike": np.where(kept, qlike(proxy, guess), np.nan),
                       "mse": np.where(kept, variance_mse(proxy, guess), np.nan),
                       "proxy": np.where(kept, proxy, np.nan), "guess": guess}  # fmt: skip
        mine.update(_var_scores(walked[:, 0], returns, residuals.get(model)))
        found[model] = mine
    return found


def _var_scores(variance: np.ndarray, returns: np.ndarray, residuals) -> dict:
    kept = np.isfinite(variance)
    variance, returns = variance[kept], returns[kept]
    out = {"tercile": terciles(variance)}
    for how in SHAPES:
        shape = Shape.fit(how, residuals)
        for level in LEVELS:
            out[f"{how}@{level:g}"] = exceedances(returns, value_at_risk(variance, level, shape)[0])
        for width in INTERVALS:
            out[f"{how} in {width:g}"] = inside(returns, variance, shape, width)
    return out


def pooled(scores: dict[str, dict], horizons: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The universe's leaderboard (a row per model and horizon) and its VaR and interval
    table (a row per model and shape), from every symbol's `symbol_scores`."""
    models = list(next(iter(scores.values())))
    board = []
    for h in horizons:
        losses = {m: {k: _stack(scores, m, h, k) for k in ("qlike", "mse")} for m in models}
        for m in models:
            row = {"model": m, "horizon": h, "symbols": len(scores),
                   "qlike": losses[m]["qlike"], "mse": losses[m]["mse"]}  # fmt: skip
            for reference in ("random_walk", "ewma"):
                if reference in losses:
                    for loss in ("qlike", "mse"):
                        row[f"{loss}_x_{reference}"] = loss_ratio(
                            row[loss], losses[reference][loss]
                        )
            row["dm_better_after_bh"] = _dm_better(scores, m, h)
            row.update(_pooled_mz(scores, m, h))
            board.append(row)
    frame = pd.DataFrame(board).sort_values(["horizon", "qlike"], ignore_index=True)
    return frame, pd.DataFrame([_var_row(scores, m, how) for m in models for how in SHAPES])


def _pooled_mz(scores: dict, model: str, h: int) -> dict:
    """Mincer-Zarnowitz of log variance over every symbol-day the model forecast."""
    proxy = np.concatenate([s[model][h]["proxy"] for s in scores.values()])
    guess = np.concatenate([s[model][h]["guess"] for s in scores.values()])
    kept = np.isfinite(proxy) & np.isfinite(guess)
    fit = mincer_zarnowitz(proxy[kept], guess[kept])
    return {f"mz_{key}": fit[key] for key in ("intercept", "slope", "r2", "pvalue")}


def _stack(scores: dict, model: str, h: int, loss: str) -> float:
    return float(np.nanmean(np.concatenate([s[model][h][loss] for s in scores.values()])))


def _dm_better(scores: dict, model: str, h: int) -> int | None:
    """Symbols where `model` beats the random walk on QLIKE, by DM after BH (None without
    the random walk)."""
    if "random_walk" not in next(iter(scores.values())) or model == "random_walk":
        return None
    p, better = [], []
    for s in scores.values():
        a, b = s[model][h]["qlike"], s["random_walk"][h]["qlike"]
        kept = np.isfinite(a) & np.isfinite(b)
        test = diebold_mariano_losses(a[kept], b[kept], h)["pvalue"]
        p.append(np.nan if test is None else test)
        better.append(a[kept].mean() < b[kept].mean())
    return int((benjamini_hochberg(np.array(p, dtype=float)) & np.array(better)).sum())


def _var_row(scores: dict, model: str, how: str) -> dict:
    row = {"model": model, "shape": how}
    for level in LEVELS:
        hits = [s[model][f"{how}@{level:g}"] for s in scores.values()]
        tests = [(kupiec(x, level)["pvalue"], christoffersen(x, level)["conditional_pvalue"])
                 for x in hits]  # fmt: skip
        row[f"rate_{level:g}"] = float(np.mean(np.concatenate(hits)))
        row[f"kupiec_pass_{level:g}"] = float(np.mean([k >= PASS for k, _ in tests]))
        row[f"cc_pass_{level:g}"] = float(np.mean([c >= PASS for _, c in tests]))
    terciles = np.concatenate([s[model]["tercile"] for s in scores.values()])
    for width in INTERVALS:
        inside = np.concatenate([s[model][f"{how} in {width:g}"] for s in scores.values()])
        row |= coverage(inside, terciles, width)
    return row


def day_rows(dates: np.ndarray, realised: np.ndarray, one_day: dict, scores: dict) -> pd.DataFrame:
    """One symbol's share of the universe's daily picture: per model and test day, the
    predicted and the realised deviation, and whether the return fell below the Student-t
    1% VaR (`symbol_scores`' hits, NaN where the model made no forecast)."""
    frames = []
    for model, variance in one_day.items():
        kept = np.isfinite(variance)
        hits = np.full(len(variance), np.nan)
        hits[kept] = scores[model]["t@0.01"]
        frames.append(pd.DataFrame({"model": model, "date": dates, "predicted": np.sqrt(variance),
                                    "realised": np.sqrt(realised), "exceeded": hits,
                                    "qlike": scores[model][1]["qlike"]}))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def daily(rows: list[pd.DataFrame]) -> pd.DataFrame:
    """Every symbol's `day_rows` as each model's cross-sectional means per day."""
    table = pd.concat(rows, ignore_index=True)
    return table.groupby(["model", "date"], sort=True).mean().reset_index()


def with_confidence_set(board: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    """Mark tomorrow's rows in the 90% model confidence set (`arch`'s MCS, blocks of 5
    days) of the daily cross-sectional mean QLIKE, on the days every model forecast."""
    losses = days.pivot(index="date", columns="model", values="qlike").dropna()
    if losses.shape[1] < 2 or len(losses) < 10:
        return board.assign(in_mcs_90=None)
    kept = set(confidence_set(losses.to_numpy(), list(losses.columns), 0.1, block_size=5))
    one = board["horizon"] == 1
    return board.assign(in_mcs_90=np.where(one, board["model"].isin(kept), None))
