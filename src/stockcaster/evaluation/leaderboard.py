"""Score every model and horizon of a backtest against naive: the leaderboard."""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.evaluation.groups import Groups
from stockcaster.evaluation.metrics import grouped_point_metrics
from stockcaster.evaluation.one_step import naive_forecast
from stockcaster.evaluation.risk import christoffersen, kupiec
from stockcaster.evaluation.significance import grouped_diebold_mariano, grouped_lag_check
from stockcaster.evaluation.trading import (
    RULES,
    Trading,
    buy_and_hold,
    daily_marks,
    grouped_rules,
    sessions_a_year,
)

TRADING_KEYS = (
    "total_return",
    "annual_return",
    "sharpe",
    "max_drawdown",
    "turnover",
    "hit_rate",
    "volatility",
)
LEADERBOARD_COLUMNS = (
    C.MODEL, C.HORIZON, "n", "mse", "rmse", "mae", "mape", "mase", "theil_u",
    "directional_accuracy", "mse_ratio", "dm_statistic", "dm_pvalue", "lag_flag",
    "interval_level", "coverage", "interval_score", "var_level", "var_rate", "var_kupiec_p",
    "var_cc_p", *(f"{rule}_{key}" for rule in RULES for key in TRADING_KEYS),
)  # fmt: skip


def interval_score(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray, level: float) -> float:
    """Mean interval score (Gneiting and Raftery 2007) of central intervals at `level`.

    Width, plus 2 / alpha times how far the actual value falls outside, alpha = 1 - level:
    lower is better, and a too-narrow interval pays for every miss.
    """
    return float(np.mean(interval_score_rows(actual, lo, hi, level)))


def interval_score_rows(actual, lo, hi, level: float) -> np.ndarray:
    """Each row's interval score (`interval_score` is their mean)."""
    alpha = 1 - level
    below = np.maximum(lo - actual, 0)
    above = np.maximum(actual - hi, 0)
    return (hi - lo) + 2 / alpha * (below + above)


def leaderboard(
    forecasts: pd.DataFrame,
    series: pd.Series,
    train_size: int,
    cost_bps: float,
    levels: dict[str, tuple[float, ...]] | None = None,
    step: int = 1,
) -> pd.DataFrame:
    """One row per model and horizon, sorted by horizon then MSE.

    Every model is compared with the naive forecast (the close at the origin) on the
    days that model forecast. MASE scales MAE by the mean absolute daily change of the
    first training window; Theil's U is the root of the MSE ratio to naive; trading
    figures use the one-step forecasts only (empty for longer horizons).

    Args:
        forecasts: the backtest's forecast table.
        series: the closes, indexed by date.
        train_size: closes in the first training window.
        cost_bps: transaction cost per unit of position change, in basis points.
        levels: quantile levels per model with intervals; `lo` and `hi` columns of the
            forecasts are then scored for coverage and interval score, and one step ahead
            the lowest quantile as a Value-at-Risk at its level (`_score_intervals`).
        step: trading days between origins: each one-step position is held until the
            next origin's, marked to market every day it is held (`trading.daily_marks`).
    """
    levels = levels or {}
    values = series.to_numpy(dtype="float64")
    at_origin = naive_forecast(series, forecasts[C.ORIGIN])
    day = series.index.get_indexer(forecasts[C.DATE])  # -1: not a day of the series
    day_before = np.where(day > 0, values[day - 1], np.nan)
    found = _groups(forecasts)
    models = [model for (model, _), _ in found]
    horizons = np.array([horizon for (_, horizon), _ in found], dtype="int64")
    rows = np.concatenate([np.empty(0, "int64"), *(part for _, part in found)])
    groups = Groups.of([len(part) for _, part in found])
    actual = forecasts[C.ACTUAL].to_numpy(dtype="float64")
    columns = (actual, forecasts[C.YHAT].to_numpy(dtype="float64"), at_origin, day_before)
    matrices = [groups.matrix(np.asarray(v, "float64")[rows]) for v in columns]
    scale = np.full(groups.count, mase_scale(values, train_size))
    daily = None if step == 1 else _marked(found, day, values, step)
    trading = Trading(cost_bps, daily, sessions_a_year(series.index))
    scores = grouped_scores(groups, horizons, *matrices, scale, trading)
    board = board_frame(models, horizons, groups, scores)
    lo, hi = (forecasts.get(c, pd.Series(np.nan, forecasts.index)).to_numpy() for c in (C.LO, C.HI))
    for i, (model, part) in enumerate(zip(models, (part for _, part in found), strict=True)):
        if levels.get(model) and not np.isnan(hi[part].astype("float64")).any():
            bounds = (lo[part].astype("float64"), hi[part].astype("float64"))
            _score_intervals(board, i, actual[part], bounds, levels[model])
    order = np.lexsort((board["mse"].to_numpy(), board[C.HORIZON].to_numpy()))  # stable
    return board.iloc[order].reset_index(drop=True)


def _score_intervals(board: pd.DataFrame, i: int, actual, bounds: tuple, levels: tuple) -> None:
    """Row i's interval coverage and score; one step ahead, its lowest quantile backtested
    as a Value-at-Risk at that level: a close below it is an exceedance (exceedance rate,
    Kupiec's and Christoffersen's conditional-coverage p-values, `risk.py`)."""
    lo, hi = bounds
    level = levels[-1] - levels[0]
    board.loc[i, "interval_level"] = level
    board.loc[i, "coverage"] = float(np.mean((lo <= actual) & (actual <= hi)))
    board.loc[i, "interval_score"] = interval_score(actual, lo, hi, level)
    if board.loc[i, C.HORIZON] == 1:
        hits = actual < lo
        board.loc[i, "var_level"], board.loc[i, "var_rate"] = levels[0], float(hits.mean())
        board.loc[i, "var_kupiec_p"] = kupiec(hits, levels[0])["pvalue"]
        board.loc[i, "var_cc_p"] = christoffersen(hits, levels[0])["conditional_pvalue"]


def mase_scale(values: np.ndarray, train_size: int) -> float:
    """MASE's scale: the mean absolute daily change of the first training window."""
    return float(np.mean(np.abs(np.diff(values[:train_size]))))


def grouped_scores(
    groups: Groups,
    horizons: np.ndarray,
    actual: np.ndarray,
    yhat: np.ndarray,
    naive: np.ndarray,
    previous: np.ndarray,
    scale: np.ndarray,
    trading: Trading,
) -> dict[str, np.ndarray]:
    """Every leaderboard score but the intervals', of every group (model, horizon) at once.

    Args:
        groups: the layout of the `[groups, days]` matrices (`Groups.matrix`, padding 0).
        horizons: `[groups]` each group's forecast horizon.
        actual, yhat, naive: actual closes, forecasts and the close at each origin.
        previous: the actual close of the day before each forecast day (the lag check).
        scale: `[groups]` MASE's scale (`mase_scale`) of each group's series.
        trading: the trading rules' cost, and the days each one-step position is held.

    Returns:
        Leaderboard columns to `[groups]` arrays, NaN where a score cannot be made.
    """
    mask = groups.mask
    scores = grouped_point_metrics(groups, actual, yhat, naive)
    naive_mse = groups.mean(((naive - actual) * mask) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores["mase"] = np.where(scale > 0, scores["mae"] / scale, np.nan)
        scores["mse_ratio"] = np.where(naive_mse > 0, scores["mse"] / naive_mse, np.nan)
    scores["theil_u"] = np.sqrt(scores["mse_ratio"])
    dm = grouped_diebold_mariano(groups, yhat - actual, naive - actual, horizons)
    scores["dm_statistic"], scores["dm_pvalue"] = dm
    scores["lag_flag"] = grouped_lag_check(groups, actual, yhat, previous)["lag_flag"]
    days, move = groups, (yhat - naive) * mask
    if trading.daily is None:  # each position held on its forecast day only
        with np.errstate(divide="ignore", invalid="ignore"):  # the padding's closes are 0
            moved = np.where(mask, actual / naive - 1, 0.0)
    else:  # each day held, the position of its one-step forecast
        days, owner, moved = trading.daily
        move = np.take_along_axis(move, owner.astype("int64"), axis=1) * days.mask
    rules = grouped_rules(days, move, moved, trading.cost_bps, trading.year)
    for rule, figures in rules.items():
        for key in TRADING_KEYS:  # one-step forecasts only
            scores[f"{rule}_{key}"] = np.where(horizons == 1, figures[key], np.nan)
    return scores


def board_frame(
    models: list[str], horizons: np.ndarray, groups: Groups, scores: dict[str, np.ndarray]
) -> pd.DataFrame:
    """`LEADERBOARD_COLUMNS` of `grouped_scores`, one row per group, in the groups' order."""
    columns = {C.MODEL: np.array(models, dtype=object), C.HORIZON: horizons, "n": groups.sizes}
    columns |= scores
    empty = np.full(groups.count, np.nan)
    return pd.DataFrame({c: columns.get(c, empty) for c in LEADERBOARD_COLUMNS})


def _groups(forecasts: pd.DataFrame) -> list[tuple[tuple[str, int], np.ndarray]]:
    """The rows of each (model, horizon), in the order they first appear."""
    if not len(forecasts):
        return []
    models, names = pd.factorize(forecasts[C.MODEL])
    horizons = forecasts[C.HORIZON].to_numpy(dtype="int64")
    key = models * (horizons.max() + 1) + horizons
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    rows = np.split(np.argsort(inverse, kind="stable"), np.cumsum(np.bincount(inverse))[:-1])
    return [
        ((names[models[first[g]]], int(horizons[first[g]])), rows[g]) for g in np.argsort(first)
    ]


def benchmark(forecasts: pd.DataFrame, series: pd.Series, cost_bps: float, step: int = 1) -> dict:
    """Buy-and-hold over the days the one-step positions are held (`step`: days between
    origins, `trading.daily_marks`), the benchmark for the trading rules."""
    days = np.unique(series.index.get_indexer(forecasts.loc[forecasts[C.HORIZON] == 1, C.DATE]))
    returns = daily_marks(series.to_numpy(dtype="float64"), days, step)[2]
    return buy_and_hold(returns, cost_bps, sessions_a_year(series.index))


def _marked(found: list, day: np.ndarray, values: np.ndarray, step: int) -> tuple:
    """`Trading.daily` of every group: its one-step positions, each held until the next
    origin's and marked every day (`daily_marks`); a group of another horizon keeps its own
    days (its trading scores are left out)."""
    owners, returns = [], []
    for (_, horizon), part in found:
        order = np.argsort(day[part], kind="stable")  # columns of the group's matrices
        if horizon != 1:
            owners.append(order)
            returns.append(np.zeros(len(part)))
            continue
        _, owner, moved = daily_marks(values, day[part][order], step)
        owners.append(order[owner])
        returns.append(moved)
    days = Groups.of([len(o) for o in owners])
    return days, days.matrix(np.concatenate(owners)), days.matrix(np.concatenate(returns))
