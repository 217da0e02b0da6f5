"""Scalers for the target series: scikit-learn's, fitted on the training rows only."""

from __future__ import annotations

from typing import Literal

import numpy as np
from sklearn.base import TransformerMixin
from sklearn.preprocessing import MinMaxScaler, StandardScaler

ScalerName = Literal["none", "minmax", "standard"]
SCALERS: tuple[str, ...] = ("none", "minmax", "standard")


class IdentityScaler(TransformerMixin):
    """Leaves values as they are (the reference trains on unscaled prices)."""

    def fit(self, values: np.ndarray) -> IdentityScaler:
        return self

    def transform(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype="float64")

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype="float64")


def make_scaler(name: ScalerName) -> TransformerMixin:
    """A fresh, unfitted scaler by name."""
    return {"none": IdentityScaler, "minmax": MinMaxScaler, "standard": StandardScaler}[name]()
