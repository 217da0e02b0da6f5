"""The one contract every forecaster keeps, baseline or neural, and its optional abilities.

A forecaster is fitted on a price history and then forecasts h steps ahead from the end
of any later history it is given, without being refitted. The walk-forward backtest hands
it only the closes up to each origin, so it cannot see the future.

Abilities beyond the contract are small protocols, checked with `isinstance`:
`OneStepPath` (every one-step forecast of a test period in one pass), `ClosedForm` (a
formula of the closes: every origin's forecasts at once, refits change nothing),
`QuantileForecaster` (forecast quantiles), `PanelForecaster` (one model fitted on many
symbols at once) and `Saveable` (a fitted model kept in a bundle by files of its own).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

NETWORK_FILE = "model.keras"  # a saved network's own files (`NetworkForecaster.save`)
SCALER_FILE = "scaler.json"
SCALES_FILE = "scales.json"  # a global network's statistics of each symbol


class NotFittedError(RuntimeError):
    """A forecaster was asked to forecast before it was fitted."""

    def __init__(self, name: str):
        super().__init__(f"{name}: expected fit() before forecasting, received no fit yet")


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

        Raises:
            NotFittedError: before `fit`.
        """
        ...


@runtime_checkable
class OneStepPath(Protocol):
    """A fitted model that forecasts every later day one step ahead in one pass."""

    def one_step_path(self, series: pd.Series, first: int) -> np.ndarray:
        """One-step forecasts of days `first + 1 ..` of `series`, each from the days before it.

        Returns:
            `[len(series) - first - 1]` forecast closes, equal to forecasting from each
            origin in turn without refitting.
        """
        ...


@runtime_checkable
class ClosedForm(Protocol):
    """A model whose forecast from an origin is a formula of the closes up to that origin.

    Fitting learns nothing that the formula reads, so a refit changes no forecast, and the
    forecasts from every origin of a walk-forward are one array expression.
    """

    def forecast_paths(self, values: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
        """Forecasts of the `horizon` closes after each origin, from `values[: origin + 1]`.

        Args:
            values: `[days]` closes, oldest first.
            origins: `[origins]` rows of the last close known at each origin.
            horizon: steps ahead.

        Returns:
            `[origins, horizon]` forecast closes, equal to `predict(history, horizon)` with
            the history ending at each origin; NaN where the formula is undefined.
        """
        ...


@runtime_checkable
class QuantileForecaster(Protocol):
    """A model that may forecast quantiles; `quantiles` is empty when this one does not."""

    quantiles: tuple[float, ...]

    def predict_quantiles(self, history: pd.Series, horizon: int) -> np.ndarray:
        """`[horizon, quantiles]` closes, non-decreasing along the quantile axis."""
        ...


@runtime_checkable
class PanelForecaster(Protocol):
    """One model for many symbols: fitted once up to a common cutoff, then walked forward."""

    name: str

    def fit(self, prices: pd.DataFrame, cutoff: np.datetime64) -> None:
        """Fit on every symbol's rows up to `cutoff` (a validated price table)."""
        ...

    def predict_after(self, prices: pd.DataFrame) -> pd.DataFrame:
        """One-step forecasts of every symbol's every day after the cutoff.

        Returns:
            Columns symbol, date, yhat: each from the closes before `date` only.
        """
        ...


@runtime_checkable
class Saveable(Protocol):
    """A fitted model that keeps its state in files of its own, for a bundle (`train
    --model NAME`, then `predict`): nothing is pickled, and nothing is run when read."""

    def save(self, folder: Path) -> list[str]:
        """Write the fitted state into `folder` (it exists); return the files' names."""
        ...

    def load(self, folder: Path) -> None:
        """Read the state `save` wrote into this unfitted instance (built by its registry
        entry with the settings it was saved with)."""
        ...


@runtime_checkable
class Checkpointed(Protocol):
    """A panel model whose next fit continues from the state of the one before (a network's
    weights): a universe run keeps each fit's state, and a resumed run continues from it."""

    fitted: object | None  # the last fit's state; None before the first fit of this process

    def checkpoint(self, path: Path) -> None:
        """Write the state of the last fit to `path` (one file)."""
        ...

    def restore(self, path: Path) -> None:
        """Continue the next fit from the state `checkpoint` wrote."""
        ...
