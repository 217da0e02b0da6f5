"""Point-forecast metrics, for a model and for the naive forecast on the same days.

MSE, MAE and MAPE are scikit-learn's definitions written in NumPy: its functions check
their arguments for ~2 ms a call, a hundred times the arithmetic, and a universe run
scores every model of every symbol (`tests/test_metrics.py` compares them with
scikit-learn's).
"""

from __future__ import annotations

import numpy as np

from stockcaster.evaluation.groups import Groups, score_one

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
    return point_metrics(actual, yhat, previous)["directional_accuracy"]


def point_metrics(actual: np.ndarray, yhat: np.ndarray, previous: np.ndarray) -> dict:
    """MSE, RMSE, MAE, MAPE (in percent) and directional accuracy of one forecast.

    Args:
        actual: actual closes of the forecast days.
        yhat: forecast closes of the same days.
        previous: actual closes of the day before each forecast day.
    """
    return score_one(grouped_point_metrics, actual, yhat, previous)


def grouped_point_metrics(
    groups: Groups, actual: np.ndarray, yhat: np.ndarray, previous: np.ndarray
) -> dict[str, np.ndarray]:
    """`point_metrics` of every group at once, from padded `[groups, days]` matrices.

    Returns:
        `METRIC_NAMES` to `[groups]` arrays; NaN directional accuracy where none is made.
    """
    mask = groups.mask
    error = np.abs(actual - yhat) * mask
    mse = groups.mean(error**2)
    # scikit-learn's MAPE: each error over |actual|, floored at machine epsilon.
    scale = np.maximum(np.abs(actual), np.finfo(np.float64).eps)
    called = np.sign(yhat - previous) * mask
    right = (called == np.sign(actual - previous)) & mask
    return {
        "mse": mse,
        "rmse": np.sqrt(mse),
        "mae": groups.mean(error),
        "mape": 100 * groups.mean(error / scale),
        "directional_accuracy": np.where(
            (called != 0).any(axis=1), groups.mean(right.astype("float64")), np.nan
        ),
    }
