"""The feature sets' formulas: returns, ohlcv, and Alpha158-style technical and market sets.

Every feature of a row reads that row and earlier rows of the same symbol (trailing
windows, `rolling.py`); `market` also reads the other symbols' rows of the same day and
earlier. The first column of each set is the close's log-return, the target's scale.
The formulas are listed in the docs (docs/results/families.md); c, o, h, l, v are the close,
open, high, low and volume of the row, and w a window of 5, 10, 20, 30 or 60 rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.panel import symbol_rows
from stockcaster.features.rolling import Rolling

WINDOWS = (5, 10, 20, 30, 60)
CANDLES = ("kmid", "klen", "kmid2", "kup", "kup2", "klow", "klow2", "ksft", "ksft2")
PRICE_LEVELS = ("open0", "high0", "low0")
PER_WINDOW = ("roc", "ma", "std", "max", "min", "rsv", "beta", "rsqr", "corr", "cntp", "vma")
PER_WINDOW += ("vstd",)
MARKET_PER_WINDOW = ("mkt_ret", "mkt_beta", "mkt_corr", "ret_rank")
WARMUP = max(WINDOWS) + 1  # rows before every window of a symbol is full (one more for ROC)

TECHNICAL_FEATURES = (
    "log_return",
    *CANDLES,
    *PRICE_LEVELS,
    *(f"{name}{w}" for w in WINDOWS for name in PER_WINDOW),
)
MARKET_FEATURES = ("log_return", *(f"{name}{w}" for w in WINDOWS for name in MARKET_PER_WINDOW))

_EPS = 1e-12


def _column(prices: pd.DataFrame, name: str) -> np.ndarray:
    return prices[name].to_numpy(dtype="float64")


def returns(prices: pd.DataFrame, log_close: np.ndarray) -> list[np.ndarray]:
    """The close's log-return (each symbol's first row is set to NaN by the caller)."""
    return [log_close - np.roll(log_close, 1)]


def covariate_names(prices: pd.DataFrame) -> tuple[str, ...]:
    """The `columns` set's features: the log-return, then each covariate of the table
    (`--covariates`), by its name."""
    kept = [c for c in prices.columns if str(c).startswith(C.COVARIATE)]
    return ("log_return", *(c[len(C.COVARIATE) :] for c in kept))


def with_covariates(prices: pd.DataFrame, log_close: np.ndarray) -> list[np.ndarray]:
    """The log-return, then each covariate's value on the row's day (known at its close)."""
    kept = [c for c in prices.columns if str(c).startswith(C.COVARIATE)]
    return [*returns(prices, log_close), *(prices[c].to_numpy(dtype="float64") for c in kept)]


def ohlcv(prices: pd.DataFrame, log_close: np.ndarray) -> list[np.ndarray]:
    """Log-return, opening gap, high-low range, open-to-close body, log volume change."""
    previous = np.roll(log_close, 1)
    log_open = np.log(prices[C.OPEN].to_numpy(dtype="float64"))
    log_high = np.log(prices[C.HIGH].to_numpy(dtype="float64"))
    log_low = np.log(prices[C.LOW].to_numpy(dtype="float64"))
    log_volume = np.log1p(prices[C.VOLUME].to_numpy(dtype="float64"))
    return [
        log_close - previous,
        log_open - previous,
        log_high - log_low,
        log_close - log_open,
        log_volume - np.roll(log_volume, 1),
    ]


def technical(prices: pd.DataFrame, log_close: np.ndarray) -> Iterator[np.ndarray]:
    """The `technical` set: candle shape, price levels and 12 indicators per window.

    A generator, so that only a few columns are alive at a time (the caller stores each).
    """
    _, starts, stops = symbol_rows(prices)
    roll = Rolling(starts, stops)
    c, o = _column(prices, C.CLOSE), _column(prices, C.OPEN)
    h, low, v = _column(prices, C.HIGH), _column(prices, C.LOW), _column(prices, C.VOLUME)
    span = h - low + _EPS
    top, bottom = np.maximum(o, c), np.minimum(o, c)
    yield from [
        log_close - roll.lag(log_close, 1),
        (c - o) / o,  # kmid
        (h - low) / o,  # klen
        (c - o) / span,  # kmid2
        (h - top) / o,  # kup
        (h - top) / span,  # kup2
        (bottom - low) / o,  # klow
        (bottom - low) / span,  # klow2
        (2 * c - h - low) / o,  # ksft
        (2 * c - h - low) / span,  # ksft2
        o / c,
        h / c,
        low / c,
    ]
    up = np.where(c > roll.lag(c, 1), 1.0, 0.0)
    log_volume = np.log1p(v)
    for w in WINDOWS:
        highest, lowest = roll.max(h, w), roll.min(low, w)
        slope, r2 = roll.slope_r2(c, w)
        volume_mean = roll.mean(v, w)
        yield from (
            roll.lag(c, w) / c,  # roc
            roll.mean(c, w) / c,  # ma
            roll.std(c, w) / c,  # std
            highest / c,  # max
            lowest / c,  # min
            (c - lowest) / (highest - lowest + _EPS),  # rsv
            slope / c,  # beta
            r2,  # rsqr
            roll.corr(c, log_volume, w),  # corr
            roll.mean(up, w),  # cntp
            volume_mean / (v + 1),  # vma
            roll.std(v, w) / (volume_mean + 1),  # vstd
        )


def market(prices: pd.DataFrame, log_close: np.ndarray) -> list[np.ndarray]:
    """The `market` set: the equal-weight universe return, beta, correlation and rank."""
    _, starts, stops = symbol_rows(prices)
    roll = Rolling(starts, stops)
    own = log_close - roll.lag(log_close, 1)  # [rows], NaN on each symbol's first row
    dates = prices[C.DATE].to_numpy()
    frame = pd.DataFrame({"date": dates, "own": own})
    # The equal-weight universe's log-return of each row's day: that day's rows only.
    universe_return = frame.groupby("date")["own"].transform("mean").to_numpy()
    out = [own]
    for w in WINDOWS:
        own_w = roll.sum(own, w)
        ranked = pd.Series(own_w).groupby(dates).rank(pct=True).to_numpy()  # that day's only
        out += [
            roll.sum(universe_return, w),  # mkt_ret
            roll.beta(own, universe_return, w),  # mkt_beta
            roll.corr(own, universe_return, w),  # mkt_corr
            ranked,  # ret_rank
        ]
    return out
