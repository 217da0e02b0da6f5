"""The one contract every forecaster keeps, baseline or neural.

A forecaster is fitted on a price history and then forecasts h steps ahead from the end
of any later history it is given, without being refitted. The walk-forward backtest hands
it only the closes up to each origin, so it cannot see the future.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd


@runtime_checkable
class Forecaster(Protocol):
    """Fit on closes, forecast the next `horizon` closes from the end of a history.

    `history` is a `pd.Series` of closes indexed by date, oldest first.
    """

    name: str

    def fit(self, history: pd.Series) -> None:
        """Estimate the model on `history` (the training window)."""
        ...

    def predict(self, history: pd.Series, horizon: int) -> np.ndarray:
        """Forecast the `horizon` closes after the last one of `history`.

        `history` may extend past the training window; the model is not refitted.

        Returns:
            `[horizon]` forecast closes, float64.
        """
        ...
