"""A series' feature pipeline: target, scaler and lag windows, fitted on the training rows
only; and `FeatureConfig`, how prices become inputs and targets for a series or a panel."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np

from stockcaster.errors import StockcasterError
from stockcaster.features.feature_sets import FeatureSet
from stockcaster.features.scaling import Normalisation, ScalerName, make_scaler
from stockcaster.features.split import Split, chronological_split
from stockcaster.features.targets import (
    PANEL_TARGETS,
    PRICE_TARGETS,
    SERIES_TARGETS,
    Target,
    first_valid_row,
    to_price,
    to_target,
)
from stockcaster.features.volatility import DEFAULT_ESTIMATOR, ESTIMATORS
from stockcaster.features.windows import Layout, lag_windows

VALIDATE_ON_TEST = "test"
"""`validation = "test"`: validate on the test period, as the reference notebook does."""


@dataclass(frozen=True)
class FeatureConfig:
    """How prices become model inputs and targets, for a series and for a panel.

    Attributes:
        target: what a model learns (`targets.py`): "close" (the reference's, a series
            only), "log_return", or a panel's cross-sectional "rank" or "zscore".
        scaler: a series' scaler, "none", "minmax" or "standard"; fitted on the fit
            rows only.
        lookback: days per window.
        layout: a series' window, "timesteps" (`[lookback, 1]`) or "features"
            (`[1, lookback]`).
        test_fraction: share of rows in the test period.
        validation: share of the training part, from its end, that validates, or
            "test" (a series only) to validate on the test period as the reference
            notebook does.
        inputs: a panel's feature set (`panel.py`): returns, ohlcv, technical, market.
        normalise: a panel's scaling, "symbol" (each symbol's features by its own
            training rows) or "cross-section" (then z-scored across each day's symbols).
        estimator: the range estimator of a day's variance, for the "variance" target
            (`volatility.py`); a file of closes only falls back to close-to-close.
        horizon: a panel's: sessions its log-return target spans (direct, not fed back).
        center_returns: a panel's: subtract each symbol's mean return before scaling.
            Off by default: then a forecast of 0 is the naive forecast, and a mean return
            (a drift) is not added to every forecast, which on the shared panel cost
            more than it gave.
    """

    target: Target = "log_return"
    scaler: ScalerName = "standard"
    lookback: int = 20
    layout: Layout = "timesteps"
    test_fraction: float = 0.25
    validation: float | Literal["test"] = 0.15
    inputs: FeatureSet = "returns"
    normalise: Normalisation = "symbol"
    center_returns: bool = False
    estimator: str = DEFAULT_ESTIMATOR
    horizon: int = 1

    def __post_init__(self) -> None:
        if self.estimator not in ESTIMATORS:
            raise StockcasterError(
                f"estimator: expected one of {', '.join(ESTIMATORS)}, received {self.estimator!r}"
            )
        if self.horizon < 1:
            raise StockcasterError(f"expected horizon >= 1, received horizon={self.horizon}")
        if self.lookback < 1:
            raise StockcasterError(f"expected lookback >= 1, received lookback={self.lookback}")
        if not 0 < self.test_fraction < 1:
            raise StockcasterError(
                f"expected test_fraction in (0, 1), received test_fraction={self.test_fraction}"
            )
        if self.validation != VALIDATE_ON_TEST and not 0 < float(self.validation) < 1:
            raise StockcasterError(
                f"expected validation in (0, 1) or 'test', received validation={self.validation}"
            )

    def for_series(self, where: str) -> FeatureConfig:
        """This config, checked for one series' network: a target it can learn alone.

        Raises:
            StockcasterError: a cross-sectional target, naming `where`.
        """
        if self.target not in SERIES_TARGETS:
            raise StockcasterError(
                f"{where} target: expected one of {', '.join(SERIES_TARGETS)} for one series, "
                f"received {self.target!r} (a panel's)"
            )
        return self

    def for_prices(self, where: str) -> FeatureConfig:
        """This config, checked for a series' price forecast (`run`, `train`): a price target.

        Raises:
            StockcasterError: the "variance" target, naming `where` and the command it runs in.
        """
        if self.target not in PRICE_TARGETS:
            raise StockcasterError(
                f"{where} target: expected one of {', '.join(PRICE_TARGETS)} for a price "
                f"forecast, received {self.target!r} (it runs in `stockcaster backtest "
                f"--target {self.target}`)"
            )
        return self.for_series(where)

    def for_panel(self, where: str) -> FeatureConfig:
        """This config, checked for a panel's global model: a panel's target, a share of
        the training days to validate on.

        Raises:
            StockcasterError: naming `where`, the setting and what it allows.
        """
        if self.target not in PANEL_TARGETS:
            raise StockcasterError(
                f"{where} target: expected one of {', '.join(PANEL_TARGETS)} for a panel, "
                f"received {self.target!r}"
            )
        if self.validation_fraction is None:
            raise StockcasterError(
                f"{where} validation: expected a share of the training days for a panel, "
                "received 'test'"
            )
        return self

    @property
    def validation_fraction(self) -> float | None:
        return None if self.validation == VALIDATE_ON_TEST else float(self.validation)


@dataclass(frozen=True)
class Windows:
    """Model-ready arrays of one part of the split, with the rows they forecast."""

    x: np.ndarray  # [samples, *input_shape]
    y: np.ndarray  # [samples]
    days: np.ndarray  # [samples] row index of each target


def min_fit_rows(config: FeatureConfig, horizon: int = 1) -> int:
    """The one history rule for a network: the closes it needs to be fitted on.

    Three windows' worth plus a margin (at least 30), and the horizon of a direct head.
    """
    return max(30, 3 * config.lookback + 10) + horizon - 1


class FeaturePipeline:
    """Fit the scaler on the fit rows, then cut windows for any part of the series.

    Windows for validation and test days take their lags from the rows just before
    them, which are past values; the scaler never sees a row at or after `fit_end`.
    """

    def __init__(self, config: FeatureConfig):
        self.config = config.for_prices("the preset's")
        self.scaler = make_scaler(config.scaler)

    def split(self, n_rows: int) -> Split:
        """The chronological split of `n_rows` this config asks for."""
        c = self.config
        return chronological_split(n_rows, c.test_fraction, c.validation_fraction)

    def check_length(self, n_rows: int, where: str) -> None:
        """Raise unless fit, validation and test parts each get at least two windows.

        Raises:
            StockcasterError: naming `where`, the rows needed and the rows received.
        """
        if self._windows_per_part(n_rows) >= 2:
            return
        need = next(n for n in itertools.count(n_rows + 1) if self._windows_per_part(n) >= 2)
        c = self.config
        raise StockcasterError(
            f"{where}: expected at least {need} rows for lookback {c.lookback} and a "
            f"{1 - c.test_fraction:.0%}/{c.test_fraction:.0%} split, received {n_rows}"
        )

    def _windows_per_part(self, n_rows: int) -> int:
        split = self.split(n_rows)
        first = self.config.lookback + first_valid_row(self.config.target)
        parts = [split.fit_end - first, split.n_test]
        if split.fit_end < split.train_end or self.config.validation_fraction is not None:
            parts.append(split.train_end - split.fit_end)
        return min(parts)

    def fit(self, close: np.ndarray, split: Split) -> FeaturePipeline:
        """Fit the scaler on the target values of rows `[first valid, fit_end)` only."""
        series = to_target(close[: split.fit_end], self.config.target)
        start = first_valid_row(self.config.target)
        self.scaler.fit(series[start:, None])
        return self

    def windows(self, close: np.ndarray, days: np.ndarray) -> Windows:
        """Scaled windows that forecast `days`, using only rows before each day.

        Raises:
            StockcasterError: a day with fewer closes before it than a window reads (its
                lags, and the close before the first of them where they are returns).
        """
        series = to_target(close, self.config.target)
        scaled = np.full_like(series, np.nan)
        start = first_valid_row(self.config.target)
        need = self.config.lookback + start
        if len(days) and int(np.min(days)) < need:  # a window of 20 returns reads 21 closes
            raise StockcasterError(
                f"expected {need} closes before each day forecast (a window of "
                f"{self.config.lookback}), received {int(np.min(days))}"
            )
        scaled[start:] = self.scaler.transform(series[start:, None])[:, 0]
        x, y = lag_windows(scaled, days, self.config.lookback, self.config.layout)
        return Windows(x=x, y=y, days=np.asarray(days))

    def parts(
        self, close: np.ndarray, split: Split, horizon: int | None = None
    ) -> tuple[Windows, Windows, Windows]:
        """Windows for the fit, validation and test parts (validation = test if so set).

        With `horizon`, the targets are those of `direct_windows`, and a window is kept
        only when all its `horizon` target days lie inside its part, so no training
        target reaches past the end of the fit rows.
        """
        first = self.config.lookback + first_valid_row(self.config.target)
        reach = (horizon or 1) - 1

        def cut(start: int, end: int) -> Windows:
            days = np.arange(start, max(start, end - reach))
            if horizon is None:
                return self.windows(close, days)
            return self.direct_windows(close, days, horizon)

        fit, test = cut(first, split.fit_end), cut(split.train_end, split.n_rows)
        if split.fit_end == split.train_end:
            return fit, test, test
        return fit, cut(split.fit_end, split.train_end), test

    def direct_windows(self, close: np.ndarray, days: np.ndarray, horizon: int) -> Windows:
        """Windows whose targets are the next `horizon` cumulative log-returns.

        For a window forecasting from the close before day d, target k (1-based) is
        `log(close[d + k - 1] / close[d - 1])`, centred by k times the fitted mean daily
        return and divided by sqrt(k) times its deviation, so every step has unit scale.

        Returns:
            x `[samples, *input_shape]`, y `[samples, horizon]`.
        """
        mean, scale = self._return_moments()
        days = np.asarray(days, dtype=np.int64)
        x = self.windows(close, days).x
        steps = np.arange(1, horizon + 1)  # [horizon]
        log_close = np.log(close)
        cumulative = log_close[days[:, None] + steps - 1] - log_close[days[:, None] - 1]
        y = (cumulative - steps * mean) / (scale * np.sqrt(steps))  # [samples, horizon]
        return Windows(x=x, y=y.astype("float32"), days=days)

    def direct_to_prices(
        self, prediction: np.ndarray, close: np.ndarray, days: np.ndarray
    ) -> np.ndarray:
        """Undo `direct_windows`' scaling: `[n, horizon(, quantiles)]` outputs to prices."""
        mean, scale = self._return_moments()
        prediction = np.asarray(prediction, dtype="float64")
        steps = np.arange(1, prediction.shape[1] + 1, dtype="float64")
        if prediction.ndim == 3:
            steps = steps[:, None]  # broadcast over the quantile axis
        cumulative = prediction * scale * np.sqrt(steps) + steps * mean
        origin = close[np.asarray(days) - 1].reshape((-1,) + (1,) * (prediction.ndim - 1))
        return origin * np.exp(cumulative)

    def _return_moments(self) -> tuple[float, float]:
        if self.config.target != "log_return" or self.config.scaler != "standard":
            raise StockcasterError(
                "expected target = 'log_return' and scaler = 'standard' for a multi-step head, "
                f"received target = {self.config.target!r}, scaler = {self.config.scaler!r}"
            )
        return float(self.scaler.mean_[0]), float(self.scaler.scale_[0])

    def last_window(self, close: np.ndarray) -> np.ndarray:
        """The scaled window that forecasts the day after the last close.

        Returns:
            `[1, *input_shape]` float32.
        """
        extended = np.append(close, np.nan)  # a placeholder for the day being forecast
        return self.windows(extended, np.array([len(close)])).x

    def to_price(self, prediction: np.ndarray, close: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Turn scaled predictions for `days` into prices, from the closes before them."""
        values = self.scaler.inverse_transform(np.asarray(prediction, "float64").reshape(-1, 1))
        return to_price(values[:, 0], close[np.asarray(days) - 1], self.config.target)
