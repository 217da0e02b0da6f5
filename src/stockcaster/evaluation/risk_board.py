"""One symbol's volatility forecasts scored: the leaderboard, the VaR and ES backtests, and
the intervals' coverage by tercile of predicted volatility.

The leaderboard (one row per model and horizon): QLIKE and MSE of the variance against the
range estimate of the days ahead (the losses robust to a noisy proxy, Patton 2011), each as
a ratio to the random walk's and to EWMA's; Diebold-Mariano on QLIKE against the random
walk; whether the model is in the 90% model confidence set of QLIKE (`arch`'s MCS); the
Mincer-Zarnowitz regression of log variance.

The VaR table (one row per model, shape and level): from each one-day variance forecast and
a shape of the standardised return (`models/volatility.Shape`: normal, Student-t, filtered
historical simulation), the exceedance rate, Kupiec's and Christoffersen's p-values, Basel's
traffic light over the last 250 days, Acerbi-Szekely's Z2 test of the Expected Shortfall,
and the pinball loss of the VaR as a quantile forecast (scikit-learn's). The distribution
table (one row per model and shape): its CRPS (`scoringrules`) and the coverage of its
central 80% and 95% intervals in each tercile of predicted variance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster.evaluation.risk import (
    acerbi_szekely,
    christoffersen,
    exceedances,
    kupiec,
    mincer_zarnowitz,
    qlike,
    traffic_light,
    variance_mse,
)
from stockcaster.evaluation.significance import diebold_mariano_losses
from stockcaster.evaluation.snooping import confidence_set
from stockcaster.models.volatility import SHAPES, Shape, value_at_risk

LEVELS = (0.01, 0.05)
INTERVALS = (0.8, 0.95)
REFERENCES = ("random_walk", "ewma")
BASEL_DAYS = 250


def variance_board(forecasts: dict[str, np.ndarray], proxy: np.ndarray, horizon: int) -> list:
    """Each model's scores at one horizon: `forecasts` by model `[origins]`, `proxy` the
    realised mean variance of the days ahead (NaN where none was measured)."""
    kept = np.isfinite(proxy) & np.all([np.isfinite(f) for f in forecasts.values()], axis=0)
    losses = {m: qlike(proxy[kept], f[kept]) for m, f in forecasts.items()}
    squared = {m: variance_mse(proxy[kept], f[kept]) for m, f in forecasts.items()}
    in_set = _confidence_set(losses, horizon)
    rows = []
    for model, loss in losses.items():
        row = {"model": model, "horizon": horizon, "n": int(kept.sum()),
               "qlike": float(loss.mean()), "mse": float(squared[model].mean())}  # fmt: skip
        for reference in REFERENCES:
            if reference in losses:
                row[f"qlike_x_{reference}"] = _ratio(row["qlike"], losses[reference])
                row[f"mse_x_{reference}"] = _ratio(row["mse"], squared[reference])
        if "random_walk" in losses and model != "random_walk":
            test = diebold_mariano_losses(loss, losses["random_walk"], horizon)
            row["dm_statistic"], row["dm_pvalue"] = test["statistic"], test["pvalue"]
        row["in_mcs_90"] = model in in_set
        fit = mincer_zarnowitz(proxy[kept], forecasts[model][kept])
        row.update({f"mz_{key}": fit[key] for key in ("intercept", "slope", "r2", "pvalue")})
        rows.append(row)
    return rows


def _ratio(loss: float, reference: np.ndarray) -> float:
    return loss_ratio(loss, float(reference.mean()) if len(reference) else float("nan"))


def loss_ratio(loss: float, reference: float) -> float:
    """`loss` over the reference's mean loss; NaN where the reference's is 0 (a proxy it
    forecasts exactly, such as a range that is the same share of the close every day)."""
    return loss / reference if reference > 0 else float("nan")


def _confidence_set(losses: dict[str, np.ndarray], horizon: int) -> set[str]:
    if len(losses) < 2 or not len(next(iter(losses.values()))):
        return set(losses)
    matrix = np.column_stack(list(losses.values()))
    return set(confidence_set(matrix, list(losses), size=0.1, block_size=max(horizon, 5)))


def var_rows(model: str, variance: np.ndarray, returns: np.ndarray, shape: Shape) -> list:
    """The VaR and ES backtests of one model and shape, at each of `LEVELS`.

    Args:
        variance: `[days]` one-day variance forecasts.
        returns: `[days]` the log-returns they forecast.
    """
    # Delayed import: scikit-learn's metrics, only when VaR is scored.
    from sklearn.metrics import mean_pinball_loss

    rows = []
    for level in LEVELS:
        var, es = value_at_risk(variance, level, shape)
        hits = exceedances(returns, var)
        coverage = christoffersen(hits, level)
        last = hits[-BASEL_DAYS:]
        shortfall = acerbi_szekely(returns, var, es, level)
        rows.append({
            "model": model, "shape": shape.how, "level": level, "days": len(hits),
            "exceedances": int(hits.sum()), "rate": float(hits.mean()),
            "kupiec_p": kupiec(hits, level)["pvalue"],
            "independence_p": coverage["independence_pvalue"],
            "conditional_p": coverage["conditional_pvalue"],
            "traffic_light": traffic_light(int(last.sum()), len(last), level),
            "es_z2": shortfall["z2"], "es_zone": shortfall["zone"],
            "pinball": float(mean_pinball_loss(returns, var, alpha=level)),
        })  # fmt: skip
    return rows


def distribution_row(model: str, variance: np.ndarray, returns: np.ndarray, shape: Shape) -> dict:
    """CRPS of one model and shape, and its intervals' coverage by tercile of predicted
    variance (1 the calmest third of days)."""
    sigma = np.sqrt(variance)
    row = {"model": model, "shape": shape.how, "crps": float(np.mean(crps(returns, sigma, shape)))}
    tercile = terciles(variance)
    for width in INTERVALS:
        row |= coverage(inside(returns, variance, shape, width), tercile, width)
    return row


def coverage(within: np.ndarray, tercile: np.ndarray, width: float) -> dict[str, float]:
    """The share of days inside the central `width` interval, overall and in each tercile of
    predicted variance (`terciles`); a tercile without a day (equal forecasts fill one) is
    empty, NaN."""
    row = {f"coverage_{width:g}": float(within.mean())}
    for third in (0, 1, 2):
        days = within[tercile == third]
        row[f"coverage_{width:g}_t{third + 1}"] = float(days.mean()) if len(days) else np.nan
    return row


def terciles(variance: np.ndarray) -> np.ndarray:
    """Each day's third of the predicted variances: 0 the calmest, 2 the wildest."""
    return np.searchsorted(np.quantile(variance, [1 / 3, 2 / 3]), variance, side="right")


def inside(returns: np.ndarray, variance: np.ndarray, shape: Shape, width: float) -> np.ndarray:
    """Whether each return fell inside the central `width` interval of its forecast."""
    sigma = np.sqrt(variance)
    low, high = shape.quantile((1 - width) / 2), shape.quantile((1 + width) / 2)
    return (returns >= sigma * low) & (returns <= sigma * high)


def crps(returns: np.ndarray, sigma: np.ndarray, shape: Shape) -> np.ndarray:
    """Each day's CRPS of the return's forecast distribution (`scoringrules`)."""
    # Delayed import: scoringrules, only when a distribution is scored.
    import scoringrules as sr

    if shape.how == "normal":
        return np.asarray(sr.crps_normal(returns, 0.0, sigma))
    if shape.how == "t":
        return np.asarray(sr.crps_t(returns, shape.nu, 0.0, sigma * shape.scale))
    draws = shape.draws[:: max(1, len(shape.draws) // 500)]  # at most ~500 members
    return np.asarray(sr.crps_ensemble(returns, sigma[:, None] * draws[None, :]))


def risk_tables(
    one_day: dict[str, np.ndarray], returns: np.ndarray, residuals: dict[str, np.ndarray]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The VaR table and the distribution table of every model's one-day forecasts, each
    shape fitted on that model's training residuals."""
    var, dist = [], []
    for model, variance in one_day.items():
        kept = np.isfinite(variance) & np.isfinite(returns)
        for how in SHAPES:
            shape = Shape.fit(how, residuals.get(model))
            var += var_rows(model, variance[kept], returns[kept], shape)
            dist.append(distribution_row(model, variance[kept], returns[kept], shape))
    return pd.DataFrame(var), pd.DataFrame(dist)
