"""Per-symbol standardisation of a panel's features, fitted on each symbol's training rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

NORMALISATIONS = ("symbol", "cross-section")


def symbol_statistics(
    raw: np.ndarray, starts: np.ndarray, first: np.ndarray, center_returns: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Each symbol's mean and standard deviation `[symbols, features]` up to its cutoff row."""
    mean = np.zeros((len(starts), raw.shape[1]))
    std = np.ones((len(starts), raw.shape[1]))
    for i, (start, last) in enumerate(zip(starts, first, strict=True)):
        train = raw[start : last + 1]  # this symbol's rows up to its cutoff row, no later
        if last >= 0 and np.isfinite(train).all(axis=1).sum() > 1:
            mean[i] = np.nanmean(train, axis=0)
            spread = np.nanstd(train, axis=0)
            std[i] = np.where(spread > 0, spread, 1.0)
    if not center_returns:
        mean[:, 0] = 0.0
    return mean, std


def standardise(
    raw: np.ndarray, mean: np.ndarray, std: np.ndarray, symbol_id: np.ndarray, clip: float | None
) -> np.ndarray:
    """Standardise `raw` in place, a column at a time (no second `[rows, features]` copy).

    With `clip`, every feature but the log-return is clipped to +-clip, and one missing
    after the warm-up (a flat window) is set to 0, the symbol's training mean.
    """
    warm = ~np.isnan(raw[:, 0])
    for j in range(raw.shape[1]):
        column = (raw[:, j] - mean[symbol_id, j]) / std[symbol_id, j]
        if clip and j > 0:
            column = np.where(warm, np.clip(np.nan_to_num(column, nan=0.0), -clip, clip), np.nan)
        raw[:, j] = column
    return raw


def cross_section_zscore(values: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Each day's rows z-scored across that day's symbols, feature by feature.

    Uses only the day's own values (no other day's); a feature all equal that day is 0.
    """
    out = np.empty_like(values)
    for j in range(values.shape[1]):
        by_day = pd.Series(values[:, j]).groupby(dates)
        mean = by_day.transform("mean").to_numpy()
        spread = by_day.transform("std", ddof=0).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(spread > 0, (values[:, j] - mean) / spread, 0.0)
        out[:, j] = np.where(np.isnan(values[:, j]), np.nan, z)
    return out


def cutoff_rows(
    dates: np.ndarray, starts: np.ndarray, stops: np.ndarray, cutoff: np.datetime64
) -> np.ndarray:
    """Each symbol's row of its last day up to the cutoff; -1 if it starts after it."""
    first = np.array(
        [
            start + int(np.searchsorted(dates[start:stop], cutoff, side="right")) - 1
            for start, stop in zip(starts, stops, strict=True)
        ]
    )
    return np.where(first >= starts, first, -1)
