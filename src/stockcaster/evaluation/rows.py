"""Statistics of each row of a `[days, symbols]` matrix at once: a day's cross-section.

NaN marks a symbol without a value that day; each statistic reads a row's values only.
"""

from __future__ import annotations

import numpy as np


def row_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each row's Pearson correlation of `a` and `b` (NaN in the same cells of both)."""
    a = a - np.nanmean(a, axis=1, keepdims=True)
    b = b - np.nanmean(b, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(a * b, axis=1) / np.sqrt(
            np.nansum(a * a, axis=1) * np.nansum(b * b, axis=1)
        )


def row_ranks(values: np.ndarray) -> np.ndarray:
    """Each row's ranks, ties sharing their mean rank, NaN kept (pandas' `rank(axis=1)`)."""
    # Delayed import: SciPy's ranking, only when a cross-section is judged.
    from scipy.stats import rankdata

    if not values.size:
        return values
    known = np.isfinite(values)  # a missing cell ranks last, after every value, then is dropped
    return np.where(known, rankdata(np.where(known, values, np.inf), axis=1), np.nan)


def varied(values: np.ndarray) -> np.ndarray:
    """Rows `[days, symbols]` (each with a value) holding at least two different values."""
    if not len(values):
        return np.zeros(0, bool)
    return np.nanmax(values, axis=1) > np.nanmin(values, axis=1)
