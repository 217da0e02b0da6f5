"""Features of many symbols for one global model, each symbol scaled by its own past.

All symbols' rows sit in flat arrays (sorted by symbol, then date). Every feature of a
symbol is standardised with the mean and standard deviation of that symbol's rows up to
the common cutoff date only, so nothing after the cutoff, and nothing of another symbol,
shapes a symbol's scale. Windows are never materialised here: a window is named by the
row it ends on, and `training/panel_dataset.py` gathers the windows of one batch at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.panel import symbol_rows
from stockcaster.errors import StockcasterError
from stockcaster.features.feature_sets import (
    FeatureSet,
    FeatureSetSpec,
    feature_set_spec,
)
from stockcaster.features.scaling import (
    cross_section_zscore,
    cutoff_rows,
    standardise,
    symbol_statistics,
)
from stockcaster.features.targets import (
    Target,
    cross_sectional,
    market_moments,
    next_returns,
)


@dataclass(frozen=True)
class PanelFeatures:
    """Scaled per-row features and targets of a panel, with each symbol's statistics.

    Attributes:
        values: `[rows, features]` float32, standardised per symbol; NaN on each symbol's
            first `warmup` rows (a window not yet full).
        target: `[rows]` float32: the next row's standardised log-return (NaN on each
            symbol's last row).
        symbol_id: `[rows]` int32 index of the row's symbol in `symbols`.
        symbols: symbol names.
        first: `[symbols]` row of each symbol's last training day (the cutoff or before);
            -1 for a symbol that starts after the cutoff.
        mean, std: `[symbols, features]` statistics of each symbol's training rows.
        log_close: `[rows]` float64, to turn forecast returns into prices.
        dates: `[rows]` datetime64[ns].
        warmup: rows at the start of each symbol without every feature.
        target_kind: "log_return" (the symbol's own, scaled as its log-return feature) or a
            cross-sectional target, "rank" or "zscore" (`targets.py`).
        moments: for a cross-sectional target, the training days' mean cross-sectional
            mean and standard deviation of returns, to turn a score into a return.
    """

    values: np.ndarray
    target: np.ndarray
    symbol_id: np.ndarray
    symbols: tuple[str, ...]
    starts: np.ndarray
    stops: np.ndarray
    first: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    log_close: np.ndarray
    dates: np.ndarray
    warmup: int = 1
    target_kind: str = "log_return"
    moments: tuple[float, float] = (0.0, 1.0)

    @property
    def n_features(self) -> int:
        return self.values.shape[1]

    def window_ends(self, lookback: int, part: Literal["train", "test"]) -> np.ndarray:
        """Rows that end a full window whose target day is in `part`.

        A window ends on row e and holds rows e - lookback + 1 .. e of one symbol, all
        with features; its target is row e + 1's return. "train" targets are up to each
        symbol's cutoff row, "test" targets after it.
        """
        ends = []
        for i in range(len(self.symbols)):
            start, stop, first = int(self.starts[i]), int(self.stops[i]), int(self.first[i])
            lowest = start + self.warmup + lookback - 1  # the first window with every feature
            if part == "train":
                ends.append(np.arange(lowest, first))  # target row e + 1 <= first
            else:
                ends.append(np.arange(max(lowest, first), stop - 1))
        return np.concatenate(ends).astype("int64") if ends else np.zeros(0, "int64")

    def forecast_table(
        self, z: np.ndarray, ends: np.ndarray, band: tuple | None = None
    ) -> pd.DataFrame:
        """Forecasts `z` (the target's scale) of rows `ends + 1`: symbol, date, yhat (and
        lo, hi from `band`, a pair of the same scale's bounds)."""
        table = pd.DataFrame(
            {
                C.SYMBOL: np.asarray(self.symbols)[self.symbol_id[ends]],
                C.DATE: self.dates[ends + 1],
                C.YHAT: self.to_price(np.asarray(z, dtype="float64"), ends),
            }
        )
        if band is not None:
            table[C.LO], table[C.HI] = (self.to_price(np.asarray(b, "float64"), ends) for b in band)
        return table

    def to_price(self, z: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Standardised log-return forecasts for rows `ends + 1` -> closes."""
        if self.target_kind != "log_return":
            return np.exp(self.log_close[ends] + self.moments[0] + self.moments[1] * z)
        ids = self.symbol_id[ends]
        log_return = z * self.std[ids, 0] + self.mean[ids, 0]
        return np.exp(self.log_close[ends] + log_return)


def panel_features(
    prices: pd.DataFrame,
    cutoff: np.datetime64,
    feature_set: FeatureSet = "returns",
    center_returns: bool = True,
    scale: tuple[tuple[str, ...], np.ndarray, np.ndarray] | None = None,
    target: Target = "log_return",
    moments: tuple[float, float] | None = None,
    normalise: str = "symbol",
) -> PanelFeatures:
    """Compute and scale features of a price table sorted by symbol and date.

    Args:
        prices: the validated price table.
        cutoff: the last training day; statistics use rows up to it only.
        feature_set: a name from `FEATURE_SETS`.
        center_returns: subtract each symbol's mean log-return; without, returns are
            only divided by their spread, so a forecast of 0 is the naive forecast.
        scale, moments: `(symbols, mean, std)` and a cross-sectional target's moments
            fitted earlier, to scale the same symbols with; None fits them on the rows up
            to the cutoff.
        target: "log_return", "rank" or "zscore" (`targets.py`).
        normalise: "symbol" (each symbol by its training rows), or "cross-section":
            then each day's inputs are z-scored again across that day's symbols.

    Raises:
        StockcasterError: a set whose columns the table lacks.
    """
    spec = feature_set_spec(feature_set)
    symbols, starts, stops = symbol_rows(prices)
    symbol_id = np.repeat(np.arange(len(symbols), dtype="int32"), stops - starts)
    log_close = np.log(prices[C.CLOSE].to_numpy(dtype="float64"))
    raw = _raw_features(prices, log_close, starts, stops, spec)  # [rows, features]
    dates = prices[C.DATE].to_numpy(dtype="datetime64[ns]")
    first = cutoff_rows(dates, starts, stops, cutoff)
    mean, std = scale[1:] if scale else symbol_statistics(raw, starts, first, center_returns)
    if scale and tuple(scale[0]) != tuple(symbols):
        raise ValueError("expected the symbols the statistics were fitted on")
    values = standardise(raw, mean, std, symbol_id, spec.clip)
    labels, moments = _labels(values, log_close, stops, dates, cutoff, target, moments)
    if normalise == "cross-section":
        values = cross_section_zscore(values, dates)
    return PanelFeatures(
        values=values.astype("float32"),
        target=labels.astype("float32"),
        symbol_id=symbol_id,
        symbols=tuple(symbols),
        starts=starts,
        stops=stops,
        first=first,
        mean=mean,
        std=std,
        log_close=log_close,
        dates=dates,
        warmup=spec.warmup,
        target_kind=target,
        moments=moments or (0.0, 1.0),
    )


def _labels(values, log_close, stops, dates, cutoff, target: str, moments) -> tuple:
    """Each row's target: the next row's scaled log-return, or a cross-sectional one."""
    if target == "log_return":
        labels = np.full(len(values), np.nan)
        labels[:-1] = values[1:, 0]
        labels[stops - 1] = np.nan  # a symbol's last row has no next day of its own
        return labels, moments
    nxt = next_returns(log_close, stops)
    day = np.roll(dates, -1)  # the day each next return is realised on
    if moments is None:
        moments = market_moments(nxt, day, np.isfinite(nxt) & (day <= cutoff))
    return cross_sectional(nxt, day, target), moments


def _raw_features(
    prices: pd.DataFrame,
    log_close: np.ndarray,
    starts: np.ndarray,
    stops: np.ndarray,
    spec: FeatureSetSpec,
) -> np.ndarray:
    """Unscaled features `[rows, features]`; NaN on each symbol's first `warmup` rows."""
    names = spec.feature_names(prices)
    if spec.names is not None and len(names) < 2:
        raise StockcasterError(
            f"--features {spec.name}: expected covariates in the prices (--covariates COL,...), "
            "received a table without any"
        )
    missing = [c for c in spec.needs if c not in prices.columns]
    if missing:
        needed = [c for c in spec.needs if c != C.CLOSE]
        raise StockcasterError(
            f"--features {spec.name}: expected columns {', '.join(needed)}, received a table "
            f"without {', '.join(missing)}"
        )
    raw = np.empty((len(prices), len(names)))
    for j, column in enumerate(spec.compute(prices, log_close)):
        raw[:, j] = np.where(np.isfinite(column), column, np.nan)
    position = np.arange(len(raw)) - np.repeat(starts, stops - starts)
    raw[position < spec.warmup] = np.nan
    return raw
