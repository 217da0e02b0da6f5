"""Is a model really better than naive? The Diebold-Mariano test and the one-day lag check."""

from __future__ import annotations

import numpy as np


def diebold_mariano(errors_a: np.ndarray, errors_b: np.ndarray, horizon: int = 1) -> dict:
    """Diebold-Mariano test of equal squared-error accuracy, with the small-sample correction.

    statsmodels' `diebold_mariano_test`: the loss differential `d = e_a**2 - e_b**2`, its
    long-run variance by Newey-West with `horizon - 1` lags (h-step errors overlap), the
    statistic scaled by Harvey, Leybourne and Newbold's (1997) factor and compared with a
    Student t distribution with n - 1 degrees of freedom (two-sided). At h = 1 this is exactly
    the hand-written test stockcaster had before; at h > 1 Newey-West weighs lag k by
    1 - k / h, where that one summed the autocovariances unweighted (`tests/test_significance.py`).

    Args:
        errors_a: forecast errors of model A (forecast - actual).
        errors_b: errors of model B on the same days (here: the naive forecast).
        horizon: the forecast horizon h.

    Returns:
        `{"statistic", "pvalue"}`; negative statistics mean A has the smaller errors.
        Both are None when the losses are identical or too few (no test is possible).
    """
    # Delayed import: statsmodels takes a second to import, and only scores need it.
    from statsmodels.tsa.stattools import diebold_mariano_test

    errors_a = np.asarray(errors_a, "float64")
    errors_b = np.asarray(errors_b, "float64")
    d = errors_a**2 - errors_b**2
    if len(d) < 2 or np.var(d) <= 0 or len(d) <= 2 * horizon:
        return {"statistic": None, "pvalue": None}
    result = diebold_mariano_test(
        np.zeros_like(d), errors_a, errors_b, lags=horizon - 1, harvey_adj=True, horizon=horizon
    )
    return {"statistic": float(result.statistic), "pvalue": float(result.pvalue)}


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
