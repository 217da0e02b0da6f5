"""Trailing-window statistics over many symbols' rows at once, each window inside one symbol.

The panel's rows sit in one flat array, sorted by symbol and then date. A statistic over
the last `w` rows is computed for every row at once from a sliding-window view (no copy
of the windows), a chunk of rows at a time so memory stays bounded, and is NaN on the
first `w - 1` rows of each symbol, whose window would reach into the symbol before it.
A row's value therefore reads that row and the `w - 1` rows before it, never a later one.

Written by hand because pandas' grouped rolling windows (`groupby().rolling()`) cost a
Python-level call per symbol and statistic and have no slope or R-squared; this is one
NumPy expression per statistic over the whole panel.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_CHUNK = 1 << 16  # rows per chunk: at most 65,536 x 60 floats (31 MB) per temporary


class Rolling:
    """Trailing windows over a panel's flat rows.

    Args:
        starts, stops: each symbol's first and past-last row.
    """

    def __init__(self, starts: np.ndarray, stops: np.ndarray):
        n = int(stops[-1]) if len(stops) else 0
        self.position = np.arange(n) - np.repeat(starts, stops - starts)  # row within symbol

    def apply(self, fn: Callable[..., np.ndarray], window: int, *columns: np.ndarray) -> np.ndarray:
        """`fn(*[rows, window] views) -> [rows]` over the trailing window of every row."""
        n = len(self.position)
        out = np.full(n, np.nan)
        if n < window:
            return out
        views = [np.lib.stride_tricks.sliding_window_view(c, window) for c in columns]
        # views[k][j] holds rows j .. j + window - 1: the window that ends on row j + window - 1.
        for lo in range(0, n - window + 1, _CHUNK):
            hi = min(lo + _CHUNK, n - window + 1)
            out[lo + window - 1 : hi + window - 1] = fn(*(v[lo:hi] for v in views))
        out[self.position < window - 1] = np.nan  # the window would cross into another symbol
        return out

    def mean(self, x: np.ndarray, window: int) -> np.ndarray:
        return self.apply(lambda v: v.mean(axis=1), window, x)

    def std(self, x: np.ndarray, window: int) -> np.ndarray:
        return self.apply(lambda v: v.std(axis=1), window, x)

    def max(self, x: np.ndarray, window: int) -> np.ndarray:
        return self.apply(lambda v: v.max(axis=1), window, x)

    def min(self, x: np.ndarray, window: int) -> np.ndarray:
        return self.apply(lambda v: v.min(axis=1), window, x)

    def sum(self, x: np.ndarray, window: int) -> np.ndarray:
        return self.apply(lambda v: v.sum(axis=1), window, x)

    def lag(self, x: np.ndarray, days: int) -> np.ndarray:
        """The value `days` rows earlier within the symbol (NaN before its first row)."""
        out = np.full(len(x), np.nan)
        out[days:] = x[:-days]
        out[self.position < days] = np.nan
        return out

    def slope_r2(self, y: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
        """Slope per row and R-squared of the least-squares line through the last `window`."""
        t = np.arange(window) - (window - 1) / 2  # centred time, sum 0
        tt = float(t @ t)
        slope = self.apply(lambda v: v @ t / tt, window, y)
        variance = self.apply(lambda v: v.var(axis=1), window, y) * window
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(variance > 0, slope**2 * tt / variance, np.nan)
        return slope, r2

    def corr(self, x: np.ndarray, y: np.ndarray, window: int) -> np.ndarray:
        """Pearson correlation of `x` and `y` over the last `window` rows (NaN if flat)."""

        def pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            a = a - a.mean(axis=1, keepdims=True)
            b = b - b.mean(axis=1, keepdims=True)
            denominator = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(denominator > 0, (a * b).sum(axis=1) / denominator, np.nan)

        return self.apply(pearson, window, x, y)

    def beta(self, y: np.ndarray, x: np.ndarray, window: int) -> np.ndarray:
        """Least-squares slope of `y` on `x` over the last `window` rows (NaN if `x` is flat)."""

        def slope(b: np.ndarray, a: np.ndarray) -> np.ndarray:
            a = a - a.mean(axis=1, keepdims=True)
            b = b - b.mean(axis=1, keepdims=True)
            spread = (a * a).sum(axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(spread > 0, (a * b).sum(axis=1) / spread, np.nan)

        return self.apply(slope, window, y, x)
