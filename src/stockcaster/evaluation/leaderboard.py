"""Score every model and horizon of a backtest against naive: the leaderboard."""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.evaluation.metrics import point_metrics
from stockcaster.evaluation.one_step import naive_forecast
from stockcaster.evaluation.significance import diebold_mariano, lag_check
from stockcaster.evaluation.trading import RULES, buy_and_hold, evaluate_rules

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
    "interval_level", "coverage", "interval_score",
    *(f"{rule}_{key}" for rule in RULES for key in TRADING_KEYS),
)  # fmt: skip


def interval_score(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray, level: float) -> float:
    """Mean interval score (Gneiting and Raftery 2007) of central intervals at `level`.

    Width, plus 2 / alpha times how far the actual value falls outside, alpha = 1 - level:
    lower is better, and a too-narrow interval pays for every miss.
    """
    alpha = 1 - level
    below = np.maximum(lo - actual, 0)
    above = np.maximum(actual - hi, 0)
    return float(np.mean((hi - lo) + 2 / alpha * (below + above)))


def leaderboard(
    forecasts: pd.DataFrame,
    series: pd.Series,
    train_size: int,
    cost_bps: float,
    levels: dict[str, tuple[float, ...]] | None = None,
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
            forecasts are then scored for coverage and interval score.
    """
    levels = levels or {}
    values = series.to_numpy(dtype="float64")
    scale = float(np.mean(np.abs(np.diff(values[:train_size]))))
    at_origin = naive_forecast(series, forecasts[C.ORIGIN])
    day = series.index.get_indexer(forecasts[C.DATE])  # -1: not a day of the series
    day_before = np.where(day > 0, values[day - 1], np.nan)
    actual_all, yhat_all = forecasts[C.ACTUAL].to_numpy(), forecasts[C.YHAT].to_numpy()
    bounds = [forecasts.get(c, pd.Series(np.nan, forecasts.index)).to_numpy() for c in (C.LO, C.HI)]
    records = []
    for (model, horizon), rows in _groups(forecasts):
        actual, yhat, naive = actual_all[rows], yhat_all[rows], at_origin[rows]
        record = {C.MODEL: model, C.HORIZON: int(horizon), "n": len(rows)}
        record.update(point_metrics(actual, yhat, naive))
        naive_mse = float(np.mean((naive - actual) ** 2))
        record["mase"] = record["mae"] / scale if scale > 0 else None
        record["mse_ratio"] = record["mse"] / naive_mse if naive_mse > 0 else None
        record["theil_u"] = (
            float(np.sqrt(record["mse_ratio"])) if record["mse_ratio"] is not None else None
        )
        dm = diebold_mariano(yhat - actual, naive - actual, int(horizon))
        record["dm_statistic"], record["dm_pvalue"] = dm["statistic"], dm["pvalue"]
        record["lag_flag"] = lag_check(actual, yhat, day_before[rows])["lag_flag"]
        lo, hi = bounds[0][rows], bounds[1][rows]
        if levels.get(model) and not np.isnan(hi.astype("float64")).any():
            level = levels[model][-1] - levels[model][0]
            record["interval_level"] = level
            record["coverage"] = float(np.mean((lo <= actual) & (actual <= hi)))
            record["interval_score"] = interval_score(actual, lo, hi, level)
        if horizon == 1:
            trading = evaluate_rules(yhat - naive, actual / naive - 1, cost_bps)
            for rule in RULES:
                for key in TRADING_KEYS:
                    record[f"{rule}_{key}"] = trading[rule][key]
        records.append(record)
    records.sort(key=lambda r: (r[C.HORIZON], r["mse"]))  # stable: ties keep their order
    return pd.DataFrame([[r.get(c, np.nan) for c in LEADERBOARD_COLUMNS] for r in records],
                        columns=list(LEADERBOARD_COLUMNS))  # fmt: skip


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


def benchmark(forecasts: pd.DataFrame, series: pd.Series, cost_bps: float) -> dict:
    """Buy-and-hold over the one-step test days, the benchmark for the trading rules."""
    days = pd.Index(forecasts.loc[forecasts[C.HORIZON] == 1, C.DATE].unique()).sort_values()
    returns = series.pct_change().reindex(days).to_numpy()
    return buy_and_hold(returns, cost_bps)
