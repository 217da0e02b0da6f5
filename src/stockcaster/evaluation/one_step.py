"""One-step-ahead evaluation on the test period, beside the naive forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.evaluation.metrics import point_metrics


def forecast_table(prices: pd.DataFrame, days: np.ndarray, yhat: np.ndarray) -> pd.DataFrame:
    """The test-period forecasts: one row per day, with the naive forecast beside.

    Args:
        prices: one symbol's price table, sorted by date.
        days: rows forecast, each from the actual closes before it.
        yhat: the model's forecast close for each of `days`.

    Returns:
        `C.RUN_FORECAST_COLUMNS`: date, symbol, horizon (1), actual, yhat, naive (the
        close of the row before, the origin).
    """
    close = prices[C.CLOSE].to_numpy()
    return pd.DataFrame(
        {
            C.DATE: prices[C.DATE].to_numpy()[days],
            C.SYMBOL: prices[C.SYMBOL].to_numpy()[days],
            C.HORIZON: 1,
            C.ACTUAL: close[days],
            C.YHAT: np.asarray(yhat, dtype="float64"),
            C.NAIVE: close[days - 1],
        },
        columns=list(C.RUN_FORECAST_COLUMNS),
    )


def naive_forecast(series: pd.Series, origins: pd.Series | pd.Index) -> np.ndarray:
    """The naive forecast of days forecast from `origins`: the close at each origin.

    The forecast every model is judged against; in `forecast_table` it is the close of
    the row before each day, the same thing for one-step forecasts.
    """
    return series.reindex(origins).to_numpy()


def compare_with_naive(forecasts: pd.DataFrame) -> dict:
    """Metrics of the model and of the naive forecast on the same days.

    Returns:
        `{"model": {...}, "naive": {...}, "mse_ratio": model MSE / naive MSE}`;
        a ratio below 1 means the model beat repeating yesterday's close.
    """
    actual = forecasts[C.ACTUAL].to_numpy()
    previous = forecasts[C.NAIVE].to_numpy()
    model = point_metrics(actual, forecasts[C.YHAT].to_numpy(), previous)
    naive = point_metrics(actual, previous, previous)
    # A test period whose close never moves gives naive no error: the ratio is undefined.
    ratio = model["mse"] / naive["mse"] if naive["mse"] > 0 else None
    return {"model": model, "naive": naive, "mse_ratio": ratio}
