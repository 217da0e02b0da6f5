"""Scaling, fitted on the training rows only: one registry for a series and for a panel.

A series' target (`pipeline.py`) is scaled by one of scikit-learn's scalers ("none",
"minmax": the post's, "standard"), kept in a bundle as plain numbers. A panel's features
(`panel.py`) are standardised per symbol by its own training rows ("symbol") and, with
"cross-section", z-scored again across each day's symbols.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from stockcaster.features.entry import Entry, names, registry

if TYPE_CHECKING:
    from sklearn.base import TransformerMixin

SCALINGS = registry(
    Entry("none", "the values as they are", series=True, panel=False),
    Entry("minmax", "to [0, 1] by the training rows' range (the post's)", series=True, panel=False),
    Entry("standard", "by the training rows' mean and deviation", series=True, panel=False),
    Entry("symbol", "each symbol by its own training rows", series=False, panel=True),
    Entry("cross-section", "by symbol, then across each day's symbols", series=False, panel=True),
)
ScalerName = Literal["none", "minmax", "standard"]  # a series' (FeatureConfig.scaler)
Normalisation = Literal["symbol", "cross-section"]  # a panel's (FeatureConfig.normalise)
SCALERS = names(SCALINGS, panel=False)
NORMALISATIONS = names(SCALINGS, panel=True)


class IdentityScaler:
    """Leaves values as they are (the reference trains on unscaled prices)."""

    def fit(self, values: np.ndarray) -> IdentityScaler:
        return self

    def fit_transform(self, values: np.ndarray) -> np.ndarray:
        return self.transform(values)

    def transform(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype="float64")

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype="float64")


def make_scaler(name: ScalerName) -> TransformerMixin:
    """A fresh, unfitted scaler by name."""
    # Delayed import: scikit-learn takes a second to import, and only fitting a network's
    # inputs needs a scaler (a universe of baselines, `--help`, never).
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    return {"none": IdentityScaler, "minmax": MinMaxScaler, "standard": StandardScaler}[name]()


# The fitted attributes of each scaler, enough to rebuild it without pickle.
_STATE = {
    "none": (),
    "minmax": ("min_", "scale_", "data_min_", "data_max_", "data_range_", "n_samples_seen_"),
    "standard": ("mean_", "scale_", "var_", "n_samples_seen_"),
}


def scaler_to_dict(name: ScalerName, scaler: TransformerMixin) -> dict:
    """The fitted state of a scaler as plain JSON types."""
    state = {key: np.asarray(getattr(scaler, key)).tolist() for key in _STATE[name]}
    return {"kind": name, **state}


def scaler_from_dict(state: dict) -> TransformerMixin:
    """Rebuild a fitted scaler from `scaler_to_dict`'s output.

    Raises:
        KeyError, ValueError: the state is not a scaler's (a missing key; a value that is
            not one finite number, or a scale, range, variance or count that is not positive).
    """
    name = state["kind"]
    scaler = make_scaler(name)
    for key in _STATE[name]:
        value = _checked(key, state[key])
        setattr(scaler, key, value if value.ndim else value.item())
    if name != "none":
        scaler.n_features_in_ = 1
    return scaler


# Divided by, or counted: a value of zero would make every forecast infinite or empty.
_POSITIVE = ("scale_", "data_range_", "var_", "n_samples_seen_")
_COUNT = "n_samples_seen_"


def _checked(key: str, raw) -> np.ndarray:
    """One fitted attribute: a list of one finite number, or a count (positive where it
    divides or counts)."""
    try:
        value = np.asarray(raw, dtype="float64")
    except (TypeError, ValueError):
        raise ValueError(f"{key}: expected numbers, received {str(raw)[:40]!r}") from None
    shape = () if key == _COUNT else (1,)  # as scaler_to_dict writes them: [x], or a count
    if value.shape != shape:
        wanted = "one number" if key == _COUNT else "a list of one number"
        raise ValueError(f"{key}: expected {wanted}, received an array of shape {value.shape}")
    number = float(value.reshape(-1)[0])
    if not np.isfinite(number) or (key in _POSITIVE and number <= 0):
        wanted = "a positive finite number" if key in _POSITIVE else "a finite number"
        raise ValueError(f"{key}: expected {wanted}, received {raw!r}")
    return value


# A panel's features


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
