"""Is a model really better than naive? The Diebold-Mariano test and the one-day lag check."""

from __future__ import annotations

import numpy as np
from scipy import stats


def diebold_mariano(errors_a: np.ndarray, errors_b: np.ndarray, horizon: int = 1) -> dict:
    """Diebold-Mariano test of equal squared-error accuracy, with the small-sample correction.

    The loss differential is `d = e_a**2 - e_b**2`; its long-run variance uses the
    autocovariances up to lag `horizon - 1`, as h-step forecast errors overlap. The
    statistic is scaled by Harvey, Leybourne and Newbold's (1997) factor and compared
    with a Student t distribution with n - 1 degrees of freedom (two-sided).

    Args:
        errors_a: forecast errors of model A (forecast - actual).
        errors_b: errors of model B on the same days (here: the naive forecast).
        horizon: the forecast horizon h.

    Returns:
        `{"statistic", "pvalue"}`; negative statistics mean A has the smaller errors.
        Both are None when the losses are identical (no test is possible).
    """
    d = np.asarray(errors_a, "float64") ** 2 - np.asarray(errors_b, "float64") ** 2
    n = len(d)
    centred = d - d.mean()
    autocov = [np.sum(centred[k:] * centred[: n - k]) / n for k in range(horizon)]
    variance = (autocov[0] + 2 * sum(autocov[1:])) / n
    if n < 2 or variance <= 0:
        return {"statistic": None, "pvalue": None}
    statistic = d.mean() / np.sqrt(variance)
    correction = np.sqrt((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n)
    statistic *= correction
    pvalue = 2 * stats.t.sf(abs(statistic), df=n - 1)
    return {"statistic": float(statistic), "pvalue": float(pvalue)}


def lag_check(actual: np.ndarray, yhat: np.ndarray, previous: np.ndarray) -> dict:
    """Does the forecast line up better with yesterday's close than with today's?

    A model that only learnt to repeat the last price draws a curve that "follows" the
    actual one, a day late. This compares the forecast's MSE against the actual series
    with its MSE against the actual series shifted by one day.

    Args:
        actual: actual closes of the forecast days.
        yhat: forecasts of those days.
        previous: actual closes of the day before each forecast day.

    Returns:
        `{"mse_actual", "mse_shifted", "lag_flag"}`; `lag_flag` is True when the shifted
        series fits better.
    """
    mse_actual = float(np.mean((yhat - actual) ** 2))
    mse_shifted = float(np.mean((yhat - previous) ** 2))
    return {
        "mse_actual": mse_actual,
        "mse_shifted": mse_shifted,
        "lag_flag": mse_shifted < mse_actual,
    }
