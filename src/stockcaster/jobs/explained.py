"""What a model looked at, computed once for every kind of `stockcaster explain`: each
feature of its held-out windows shuffled (permutation importance, every family), SHAP for
`linear` and `lightgbm` (evaluation/explain.py), ranked and grouped, with the caveat and
the record `explain.json` keeps."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster.evaluation.explain import linear_shap, permutation_importance, ranked, tree_shap
from stockcaster.models.held_out import HeldOut
from stockcaster.store import files

EXPLAIN_FILE = "explain.json"
REPEATS = 5


@dataclass(frozen=True)
class Explained:
    """One global model's explanation, and what it was computed on (for tests and the API)."""

    name: str
    features: pd.DataFrame  # feature, importance, share, std (, shap), ranked
    groups: pd.DataFrame  # group, importance, ranked
    view: HeldOut
    shap: np.ndarray | None  # [windows, lags * features] for a tabular model
    record: dict


def explained(
    name: str,
    view: HeldOut,
    caveat: str | None,
    repeats: int,
    ratio: float | None = None,
    group=None,
) -> Explained:
    """Permutation importance (and SHAP) of one fitted model on its held-out windows, each
    feature in its `group` (default: its indicator's)."""
    groups = [np.array([j]) for j in range(len(view.names))]
    grown = permutation_importance(view.predict, view.x, view.y, groups, repeats)
    error = float(np.mean((np.asarray(view.predict(view.x)) - view.y) ** 2))
    features, grouped = ranked(list(view.names), grown.mean(axis=1), group or _group)
    features = features.rename(columns={"score": "importance"})
    features["share"] = features["importance"] / error
    spread = grown.std(axis=1) if repeats > 1 else np.full(len(view.names), np.nan)  # of one: none
    features["std"] = pd.Series(spread, index=list(view.names))[features["feature"]].to_numpy()
    shap = _shap(view)
    if shap is not None:
        per_feature = np.abs(shap).mean(axis=0).reshape(-1, len(view.names)).sum(axis=0)
        features["shap"] = pd.Series(per_feature, index=list(view.names))[
            features["feature"]
        ].to_numpy()
    record = {"validation_windows": len(view.y), "validation_mse": error,
              "test_median_mse_ratio": ratio, "caveat": caveat,
              "features": files.records(features), "groups": files.records(
                  grouped.rename(columns={"score": "importance"}))}  # fmt: skip
    return Explained(name, features, grouped, view, shap, record)


def _shap(view: HeldOut) -> np.ndarray | None:
    """SHAP values of a tabular model's held-out windows (None for a network)."""
    regressor = view.regressor
    if regressor is None:
        return None
    if hasattr(regressor, "booster_"):  # LightGBM
        return tree_shap(regressor, view.flat())
    return linear_shap(regressor.coef_, view.flat(), view.flat())


def _group(feature: str) -> str:
    """A feature's group: the indicator over its windows (`roc_5`, `roc_10`: `roc`)."""
    return re.sub(r"_?\d+$", "", feature) or feature
