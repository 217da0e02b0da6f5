"""Point-forecast metrics, for a model and for the naive forecast on the same days.

MSE, MAE and MAPE are scikit-learn's definitions written in NumPy: its functions check
their arguments for ~2 ms a call, a hundred times the arithmetic, and a universe run
scores every model of every symbol (`tests/test_metrics.py` compares them with
scikit-learn's).
"""

from __future__ import annotations

import numpy as np

METRIC_NAMES = ("mse", "rmse", "mae", "mape", "directional_accuracy")


def directional_accuracy(
    actual: np.ndarray, yhat: np.ndarray, previous: np.ndarray
) -> float | None:
    """Share of days on which the forecast called the direction of the move right.

    The predicted move is `yhat - previous`, the actual move `actual - previous`, where
    `previous` is the last close known when the forecast was made. A day counts as right
    when both moves have the same sign (both zero counts too).

    Returns:
        The share in [0, 1], or None when the forecast never calls a move (the naive
        forecast), for which the score would measure nothing but the unchanged days.
    """
    called = np.sign(yhat - previous)
    if not called.any():
        return None
    return float(np.mean(called == np.sign(actual - previous)))


def point_metrics(actual: np.ndarray, yhat: np.ndarray, previous: np.ndarray) -> dict:
    """MSE, RMSE, MAE, MAPE (in percent) and directional accuracy of one forecast.

    Args:
        actual: actual closes of the forecast days.
        yhat: forecast closes of the same days.
        previous: actual closes of the day before each forecast day.
    """
    actual, yhat = np.asarray(actual, "float64"), np.asarray(yhat, "float64")
    error = np.abs(actual - yhat)
    mse = float(np.mean(error**2))
    # scikit-learn's MAPE: each error over |actual|, floored at machine epsilon.
    scale = np.maximum(np.abs(actual), np.finfo(np.float64).eps)
    return {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": float(np.mean(error)),
        "mape": float(100 * np.mean(error / scale)),
        "directional_accuracy": directional_accuracy(actual, yhat, previous),
    }
