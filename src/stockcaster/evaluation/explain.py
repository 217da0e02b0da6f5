"""What a model looked at: permutation importance for every family, SHAP for the tabular.

**Permutation importance** (Breiman; scikit-learn's `permutation_importance`): on held-out
windows, shuffle one feature across the windows and measure how much the model's mean
squared error grows; the mean over `repeats` shuffles. A feature here is every column it
fills: a tabular model's flattened window holds a feature once per lag, a network's window
holds it at every time step, and all of them are shuffled together (the windows' rows
permuted as one), which scikit-learn's function, one column at a time on 2-D inputs, does
not do; hence this one, which draws its shuffles exactly as scikit-learn does (the same
seed for every feature, the index shuffled again each repeat), so on one-column features
of a 2-D input it gives scikit-learn's numbers (tested).

**SHAP** of the tabular models: LightGBM's own TreeSHAP (`pred_contrib`), and for the
linear model each column's coefficient times its distance from the background mean (the
exact Shapley values of a linear model with independent features); both tested equal to
the `shap` package's explainers on the same model and rows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

INT32_MAX = np.iinfo(np.int32).max


def permutation_importance(
    predict: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    groups: list[np.ndarray],
    repeats: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """`[features, repeats]`: the growth of the MSE when feature j is shuffled.

    Args:
        predict: the model, `x -> [windows]` forecasts.
        x: `[windows, ...]` held-out inputs; a feature's columns are on the last axis.
        y: `[windows]` their targets.
        groups: the last-axis columns of each feature.
    """
    baseline = _mse(y, predict(x))
    start = np.random.RandomState(seed).randint(INT32_MAX + 1)
    out = np.empty((len(groups), repeats))
    for j, columns in enumerate(groups):
        rng = np.random.RandomState(start)  # every feature's shuffles from the same seed
        order = np.arange(len(x))
        shuffled = x.copy()
        for r in range(repeats):
            rng.shuffle(order)
            shuffled[..., columns] = shuffled[order][..., columns]  # as scikit-learn: in turn
            out[j, r] = _mse(y, predict(shuffled)) - baseline
    return out


def tree_shap(regressor, x: np.ndarray) -> np.ndarray:
    """`[windows, columns]`: LightGBM's TreeSHAP contributions (its expected value left out)."""
    contributions = regressor.predict(x, pred_contrib=True)
    return np.asarray(contributions, dtype="float64")[:, :-1]


def linear_shap(coefficients: np.ndarray, x: np.ndarray, background: np.ndarray) -> np.ndarray:
    """`[windows, columns]`: a linear model's exact Shapley values with independent
    features: each coefficient times the column's distance from the background mean."""
    return (x - background.mean(axis=0)) * np.asarray(coefficients, "float64").ravel()


def ranked(names: list[str], scores: np.ndarray, group_of: Callable[[str], str]) -> tuple:
    """Features ranked by score, and their groups ranked by the sum of their scores."""
    table = pd.DataFrame({"feature": names, "score": scores})
    table["group"] = table["feature"].map(group_of)
    features = table.sort_values("score", ascending=False, kind="stable", ignore_index=True)
    groups = (table.groupby("group", sort=False)["score"].sum().sort_values(ascending=False)
              .reset_index())  # fmt: skip
    return features, groups


def _mse(y: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.mean((np.asarray(forecast, "float64").ravel() - y) ** 2))
