"""Forecast tables of a walk-forward, built from arrays: one row per origin and step.

A walk gives, for the origins it forecast from, `[origins, horizon]` arrays of forecasts
and interval ends (`Paths`); the table holds the days the series has, ordered by origin,
then step. Built from NumPy columns, which pandas turns into a frame three times faster
than from an index or a scalar to broadcast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import StockcasterError

Paths = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""`[origins]` rows forecast from, and `[origins, horizon]` yhat, lo and hi."""


def paths(origins, yhat, lo=None, hi=None) -> Paths:
    """`Paths` from rows and forecasts (`[origins]` for one step); no interval: NaN."""
    yhat = np.asarray(yhat, dtype="float64")
    yhat = yhat[:, None] if yhat.ndim == 1 else yhat
    missing = np.full_like(yhat, np.nan)
    lo, hi = (missing if v is None else np.asarray(v, dtype="float64") for v in (lo, hi))
    return np.asarray(origins, dtype="int64"), yhat, lo, hi


def forecast_rows(
    series: pd.Series,
    symbol: str,
    model: str,
    origins: np.ndarray,
    yhat: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> pd.DataFrame:
    """The forecast table of `[origins, horizon]` paths (`Paths`): the days the series holds.

    Rows are ordered by origin, then horizon; the forecast of step h from row o is day o + h.
    """
    return models_rows(series, symbol, [(model, (origins, yhat, lo, hi))])


def models_rows(series: pd.Series, symbol: str, made: list[tuple[str, Paths]]) -> pd.DataFrame:
    """One forecast table of several models' paths, model after model (as `forecast_rows`)."""
    days, models, horizons, values = [], [], [], []
    for model, (origins, yhat, lo, hi) in made:
        steps = np.arange(1, yhat.shape[1] + 1)  # [horizon]
        day = origins[:, None] + steps[None, :]  # [origins, horizon]
        kept = day <= len(series) - 1
        days.append(day[kept])
        horizons.append(np.broadcast_to(steps, kept.shape)[kept])
        models.append(np.full(len(days[-1]), model, dtype=object))
        values.append(np.stack([yhat[kept], lo[kept], hi[kept]], axis=1))  # [rows, 3]
    day = np.concatenate([np.empty(0, "int64"), *days]).astype("int64")
    horizon = np.concatenate([np.empty(0, "int64"), *horizons]).astype("int64")
    yhat, lo, hi = np.concatenate([np.empty((0, 3)), *values]).T
    dates = series.index.to_numpy(dtype="datetime64[ns]")
    return pd.DataFrame(
        {
            C.DATE: dates[day],
            C.SYMBOL: np.full(len(day), symbol, dtype=object),
            C.MODEL: np.concatenate([np.empty(0, object), *models]),
            C.ORIGIN: dates[day - horizon],
            C.HORIZON: horizon,
            C.YHAT: yhat,
            C.ACTUAL: series.to_numpy(dtype="float64")[day],
            C.LO: lo,
            C.HI: hi,
        },
        columns=list(C.FORECAST_COLUMNS),
    )


def one_step_table(
    series: pd.Series, symbol: str, model: str, first: int, yhat: np.ndarray
) -> pd.DataFrame:
    """The forecast table of one-step forecasts `yhat` of every day after row `first`.

    Day t's forecast has origin t - 1; there are no intervals.
    """
    return forecast_rows(series, symbol, model, *paths(np.arange(first, len(series) - 1), yhat))


def failing_models(failures: pd.DataFrame, metrics: pd.DataFrame) -> dict[str, dict]:
    """Each model that failed on some symbol's window: on how many symbols, on how many of
    them it made no forecast at all (no metrics row), and its first error (`SYMBOL: ...`).

    Args:
        failures: the results store's failures (symbol, model, origin, stage, error).
        metrics: its metrics (symbol, model, ...): one row a symbol a model forecast.
    """
    scored = set(zip(metrics[C.SYMBOL], metrics[C.MODEL], strict=True)) if len(metrics) else set()
    found = {}
    for model, rows in failures.groupby(C.MODEL, sort=True):
        symbols = list(dict.fromkeys(rows[C.SYMBOL]))
        first = rows.iloc[0]
        found[str(model)] = {
            "symbols": len(symbols),
            "no_forecast": sum((s, model) not in scored for s in symbols),
            "first": f"{first[C.SYMBOL]}: {first[C.ERROR]}",
        }
    return found


def check_some_forecast(forecasts: int, first_errors: dict[str, str], where: str) -> None:
    """Raise when no model forecast anything (`forecasts` rows): every one of them failed
    on every window, its first error in `first_errors`; nothing to score, rank or draw."""
    if not forecasts:
        said = "; ".join(f"{model}: {error}" for model, error in first_errors.items())
        raise StockcasterError(
            f"--models: expected a model that fits and forecasts {where}, received an error "
            f"on every window of each: {said}"
        )


def failure_table(failures: list[tuple]) -> pd.DataFrame:
    """`C.FAILURE_COLUMNS` of (model, origin, stage, error) tuples.

    With none (nearly always), built column by column: a tenth of the time pandas takes
    to build a frame from an empty list.
    """
    if failures:
        return pd.DataFrame(failures, columns=list(C.FAILURE_COLUMNS))
    return pd.DataFrame({name: np.empty(0, dtype=object) for name in C.FAILURE_COLUMNS})
