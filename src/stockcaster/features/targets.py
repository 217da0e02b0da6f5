"""What the model learns to predict: the next close, or the next log-return."""

from __future__ import annotations

from typing import Literal

import numpy as np

Target = Literal["close", "log_return"]
TARGETS: tuple[str, ...] = ("close", "log_return")


def to_target(close: np.ndarray, target: Target) -> np.ndarray:
    """Turn closes into the target series, aligned with the closes' rows.

    Returns:
        `close` itself, or `log(close[t] / close[t-1])` with NaN in row 0.
    """
    if target == "close":
        return close.astype("float64")
    series = np.full(len(close), np.nan)
    series[1:] = np.diff(np.log(close))
    return series


def first_valid_row(target: Target) -> int:
    """The first row in which the target series has a value."""
    return 0 if target == "close" else 1


def to_price(prediction: np.ndarray, previous_close: np.ndarray, target: Target) -> np.ndarray:
    """Turn predicted target values into prices.

    Args:
        prediction: predicted target values for days t.
        previous_close: actual closes of days t-1, the last price known at forecast time.
    """
    if target == "close":
        return prediction.astype("float64")
    return previous_close * np.exp(prediction)
