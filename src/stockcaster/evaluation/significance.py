"""Is a model really better than naive? The Diebold-Mariano test and the one-day lag check."""

from __future__ import annotations

import numpy as np
from scipy.special import stdtr

from stockcaster.evaluation.groups import Groups, plain, score_one


def diebold_mariano(errors_a: np.ndarray, errors_b: np.ndarray, horizon: int = 1) -> dict:
    """Diebold-Mariano test of equal squared-error accuracy, with the small-sample correction.

    statsmodels' `diebold_mariano_test(..., lags=horizon - 1, harvey_adj=True)` written in
    NumPy: the loss differential `d = e_a**2 - e_b**2`, its long-run variance by Newey-West
    with `horizon - 1` lags (h-step errors overlap; lag k weighs 1 - k / h), the statistic
    scaled by Harvey, Leybourne and Newbold's (1997) factor and compared with a Student t
    distribution with n - 1 degrees of freedom (two-sided). statsmodels gets there through
    an OLS fit with a HAC covariance, ~2 ms a call where the arithmetic takes 30 us, and a
    universe run tests every model of every symbol; `tests/test_significance.py` checks the
    two agree to 1e-12.

    Args:
        errors_a: forecast errors of model A (forecast - actual).
        errors_b: errors of model B on the same days (here: the naive forecast).
        horizon: the forecast horizon h.

    Returns:
        `{"statistic", "pvalue"}`; negative statistics mean A has the smaller errors.
        Both are None when the losses are identical or too few (no test is possible).
    """
    errors_a = np.asarray(errors_a, "float64")
    one = Groups.of([len(errors_a)])
    if not len(errors_a):
        return {"statistic": None, "pvalue": None}
    matrices = (one.matrix(errors_a), one.matrix(np.asarray(errors_b, "float64")))
    statistic, pvalue = grouped_diebold_mariano(one, *matrices, np.array([horizon]))
    return {"statistic": plain(statistic[0]), "pvalue": plain(pvalue[0])}


def diebold_mariano_losses(loss_a: np.ndarray, loss_b: np.ndarray, horizon: int = 1) -> dict:
    """`diebold_mariano` of any two non-negative losses (QLIKE, say), not squared errors:
    the test reads only the loss differential, so each loss's square root stands in for an
    error. Negative statistics mean A has the smaller losses."""
    root_a, root_b = (np.sqrt(np.asarray(x, "float64")) for x in (loss_a, loss_b))
    return diebold_mariano(root_a, root_b, horizon)


def grouped_diebold_mariano(
    groups: Groups, errors_a: np.ndarray, errors_b: np.ndarray, horizons: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`diebold_mariano` of every group at once, from padded `[groups, days]` matrices.

    Args:
        horizons: `[groups]` the forecast horizon of each group.

    Returns:
        `[groups]` statistics and p-values, NaN where no test is possible.
    """
    mask, n = groups.mask, groups.sizes
    d = (errors_a**2 - errors_b**2) * mask
    mean = groups.mean(d)
    centred = (d - mean[:, None]) * mask
    spectrum = groups.sum(centred**2)  # n times the variance, plus weighted autocovariances
    testable = (n >= 2) & (spectrum > 0) & (n > 2 * horizons)
    for k in range(1, int(horizons.max(initial=1))):
        lagged = (centred[:, k:] * centred[:, :-k]).sum(axis=1)
        spectrum += np.where(k < horizons, 2 * (1 - k / horizons) * lagged, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = mean / np.sqrt(spectrum / n**2)
        statistic *= np.sqrt((n + 1 - 2 * horizons + horizons * (horizons - 1) / n) / n)
    statistic = np.where(testable, statistic, np.nan)
    return statistic, 2 * stdtr(n - 1, -np.abs(statistic))


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
    return score_one(grouped_lag_check, actual, yhat, previous)


def grouped_lag_check(
    groups: Groups, actual: np.ndarray, yhat: np.ndarray, previous: np.ndarray
) -> dict[str, np.ndarray]:
    """`lag_check` of every group at once, from padded `[groups, days]` matrices."""
    mask = groups.mask
    mse_actual = groups.mean(((yhat - actual) * mask) ** 2)
    mse_shifted = groups.mean(((yhat - previous) * mask) ** 2)
    return {
        "mse_actual": mse_actual,
        "mse_shifted": mse_shifted,
        "lag_flag": mse_shifted < mse_actual,
    }
