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
    window_rows,
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
        horizon: sessions the target spans: the log-return from row e to row e + h (the
            sum of the next h scaled log-returns), or its cross-sectional rank or z-score.
        names: each feature's name, in column order (a set such as `columns` takes them
            from the table: its covariates).
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
    horizon: int = 1
    names: tuple[str, ...] = ()

    @property
    def n_features(self) -> int:
        return self.values.shape[1]

    def window_ends(self, lookback: int, part: Literal["train", "test"]) -> np.ndarray:
        """Rows that end a full window whose target day is in `part`.

        A window ends on row e and holds rows e - lookback + 1 .. e of one symbol, all
        with features; its target is the return from row e to row e + h. "train" targets
        end up to each symbol's cutoff row, "test" windows end on or after it.
        """
        ends = []
        for i in range(len(self.symbols)):
            start, stop, first = int(self.starts[i]), int(self.stops[i]), int(self.first[i])
            lowest = start + window_rows(lookback, self.warmup) - 1  # the first full window
            if part == "train":
                ends.append(np.arange(lowest, first - self.horizon + 1))  # e + h <= first
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
        h = self.horizon
        if self.target_kind != "log_return":
            return np.exp(self.log_close[ends] + h * self.moments[0] + self.moments[1] * z)
        ids = self.symbol_id[ends]
        log_return = z * self.std[ids, 0] + h * self.mean[ids, 0]
        return np.exp(self.log_close[ends] + log_return)


def panel_features(
    prices: pd.DataFrame,
    cutoff: np.datetime64,
    feature_set: FeatureSet = "returns",
    center_returns: bool = True,
    scale: tuple[tuple[str, ...], np.ndarray, np.ndarray, tuple | None] | None = None,
    target: Target = "log_return",
    normalise: str = "symbol",
    horizon: int = 1,
) -> PanelFeatures:
    """Compute and scale features of a price table sorted by symbol and date.

    Args:
        prices: the validated price table.
        cutoff: the last training day; statistics use rows up to it only.
        feature_set: a name from `FEATURE_SETS`.
        center_returns: subtract each symbol's mean log-return (without: 0 is naive's).
        scale: `(symbols, mean, std, moments)` fitted earlier (moments: a cross-sectional
            target's) to scale the same symbols with; None: fitted on rows to the cutoff.
        target: "log_return", "rank" or "zscore" (`targets.py`).
        normalise: "symbol" (each symbol by its training rows), or "cross-section":
            then each day's inputs are z-scored again across that day's symbols.
        horizon: sessions the target spans (1: the next day's return).

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
    fitted = scale or (None, *symbol_statistics(raw, starts, first, center_returns), None)
    mean, std, moments = fitted[1:]
    if scale and tuple(scale[0]) != tuple(symbols):
        raise ValueError("expected the symbols the statistics were fitted on")
    values = standardise(raw, mean, std, symbol_id, spec.clip)
    labels, moments = _labels(values, log_close, stops, dates, cutoff, target, moments, horizon)
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
        horizon=horizon,
        names=spec.feature_names(prices),
    )


def _labels(values, log_close, stops, dates, cutoff, target: str, moments, horizon=1) -> tuple:
    """Each row's target: the next h rows' scaled log-return, or a cross-sectional one."""
    if target == "log_return":
        return ahead(values[:, 0], stops, horizon), moments
    nxt = ahead(next_returns(log_close, stops), stops, horizon, already=1)
    day = np.roll(dates, -horizon)  # the day each return ahead is realised on
    if moments is None:
        moments = market_moments(nxt, day, np.isfinite(nxt) & (day <= cutoff))
    return cross_sectional(nxt, day, target), moments


def ahead(x: np.ndarray, stops: np.ndarray, horizon: int, already: int = 0) -> np.ndarray:
    """`[rows]`: the sum of `x` over the next `horizon` rows of the same symbol (NaN where
    one is missing or past the symbol's last row). `already`: `x` is already shifted by
    that many rows (row e holds row e + 1's value)."""
    n, shift = len(x), 1 - already
    symbol_stop = np.repeat(stops, np.diff(np.concatenate([[0], stops])))
    past_end = np.arange(n) + horizon + shift - 1 >= symbol_stop
    if horizon == 1:  # the value itself, not a difference of sums (the same to the bit)
        out = np.full(n, np.nan)
        out[: n - shift] = x[shift:]
        out[past_end] = np.nan
        return out
    y = np.where(np.isfinite(x), x, 0.0)
    total = np.concatenate([[0.0], np.cumsum(y)])
    known = np.concatenate([[0], np.cumsum(np.isfinite(x))])
    out = np.full(n, np.nan)
    rows = np.arange(n - horizon - shift + 1)
    span = slice(shift, shift + horizon)
    sums = total[rows + span.stop] - total[rows + span.start]
    full = known[rows + span.stop] - known[rows + span.start] == horizon
    out[rows] = np.where(full, sums, np.nan)
    out[past_end] = np.nan
    return out


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
