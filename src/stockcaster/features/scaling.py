"""Scalers for the target series: scikit-learn's, fitted on the training rows only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from sklearn.base import TransformerMixin

ScalerName = Literal["none", "minmax", "standard"]
SCALERS: tuple[str, ...] = ("none", "minmax", "standard")


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
