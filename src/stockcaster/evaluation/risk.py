"""Judging risk forecasts: variance losses and the Value-at-Risk backtests regulators use.

Variance forecasts are scored against a noisy proxy of the day's variance (a range
estimator, `features/volatility.py`); QLIKE and MSE rank forecasts as the true variance
would, however noisy the proxy, as long as it is unbiased (Patton 2011). QLIKE is written
in its normalised form, 0 for a perfect forecast.

A VaR forecast at level p (0.01: the 1% VaR) is exceeded on a day whose return falls
below it. Kupiec's proportion-of-failures test asks whether exceedances come at rate p;
Christoffersen's independence test whether an exceedance makes the next one likelier (a
first-order Markov chain against independence); his conditional coverage test both at once.
Basel's traffic light reads the number of exceedances of the 1% VaR in 250 days from the
binomial distribution: green below its 95% cumulative probability, red from 99.99%.
The Mincer-Zarnowitz regression of log variance asks whether forecasts are unbiased
(intercept 0, slope 1), and Acerbi and Szekely's Z2 whether the losses beyond the VaR average
the forecast Expected Shortfall.

No maintained Python library has these tests (R's rugarch has `VaRTest`; `arch` has none).
They are likelihood-ratio (G) tests that scipy computes as `power_divergence` (Kupiec: the
exceedance count against its expectation) and `chi2_contingency` with
`lambda_="log-likelihood"` (Christoffersen's independence: the 2x2 table of a day's hit
after the day before's), but scipy refuses a table with an empty row, which a short or a
clean backtest has (no exceedance yet); so they are written here, with 0 log 0 taken as 0,
and `tests/test_risk.py` checks each equal to scipy's wherever scipy answers, and Kupiec's
against his closed form for no exceedance at all, 2 T ln(1 / (1 - p)).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from stockcaster.errors import StockcasterError
from stockcaster.features.volatility import check_variances
from stockcaster.settings import check_share

GREEN, RED = 0.95, 0.9999  # Basel's cumulative-probability bounds of the yellow zone


def qlike(proxy: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """Each day's QLIKE loss of a variance forecast: proxy/forecast - ln(proxy/forecast) - 1.

    Raises:
        StockcasterError: not one forecast per day of the proxy, or one of 0 or less.
    """
    proxy, forecast = _per_day(proxy, forecast, ("proxy", "forecast"))
    ratio = proxy / check_variances(forecast, "forecast", positive=True)
    return ratio - np.log(ratio) - 1


def variance_mse(proxy: np.ndarray, forecast: np.ndarray) -> np.ndarray:
    """Each day's squared error of a variance forecast."""
    proxy, forecast = _per_day(proxy, forecast, ("proxy", "forecast"))
    return (proxy - forecast) ** 2


def exceedances(returns: np.ndarray, var: np.ndarray) -> np.ndarray:
    """Whether each day's return fell below its VaR (a return quantile, negative)."""
    returns, var = _per_day(returns, var, ("returns", "var"))
    return returns < var


def _per_day(first, second, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Two series of days as float64, the second one value for each day of the first.

    Raises:
        StockcasterError: other shapes (NumPy would broadcast one across the other, or fail).
    """
    a, b = np.asarray(first, "float64"), np.asarray(second, "float64")
    if a.shape != b.shape:
        raise StockcasterError(
            f"{names[1]}: expected one value for each day of {names[0]} {a.shape}, "
            f"received {b.shape}"
        )
    return a, b


def _hits(hits, level: float) -> np.ndarray:
    """Exceedances as the tests take them (`exceedances`' output: True or False, or 1 or 0,
    for each day, one day at least), at a VaR level in (0, 1) (0.05, not 5).

    Raises:
        StockcasterError: anything else, naming the first value that is not a day's hit.
    """
    check_share(level, "level")
    h = np.asarray(hits)
    flags = np.isin(h, (0, 1)) if h.dtype != object else np.zeros(h.shape, bool)
    if h.ndim != 1 or not h.size or not flags.all():
        first = repr(h[~flags].tolist()[0]) if h.ndim == 1 and h.size else None
        shown = "none" if not h.size else first or f"{h.shape}"
        raise StockcasterError(
            f"hits: expected True or False for each day (exceedances(returns, var)), "
            f"received {shown}"
        )
    return h.astype(bool)


def kupiec(hits: np.ndarray, level: float) -> dict:
    """Kupiec's proportion-of-failures test: are the exceedances `hits` at rate `level`?

    Returns:
        `{"days", "exceedances", "rate", "statistic", "pvalue"}` (chi-squared, 1 degree).
    """
    hits = _hits(hits, level)
    days, count = len(hits), int(hits.sum())
    statistic = 2 * (_bernoulli(count, days, count / days) - _bernoulli(count, days, level))
    return {"days": days, "exceedances": count, "rate": count / days,
            "statistic": statistic, "pvalue": float(stats.chi2.sf(statistic, 1))}  # fmt: skip


def christoffersen(hits: np.ndarray, level: float) -> dict:
    """Christoffersen's independence and conditional coverage tests of exceedances `hits`.

    Returns:
        `{"independence", "independence_pvalue", "conditional", "conditional_pvalue"}`: the
        likelihood ratio of a first-order Markov chain against independent days (chi-squared,
        1 degree), and that plus Kupiec's (2 degrees).
    """
    hits = _hits(hits, level)
    before, after = hits[:-1], hits[1:]
    n = {(i, j): int(np.sum((before == i) & (after == j))) for i in (0, 1) for j in (0, 1)}
    stay_calm, after_calm = n[0, 1], n[0, 0] + n[0, 1]
    again, after_hit = n[1, 1], n[1, 0] + n[1, 1]
    pooled = (stay_calm + again) / (after_calm + after_hit)
    chain = _bernoulli(stay_calm, after_calm, _share(stay_calm, after_calm)) + _bernoulli(
        again, after_hit, _share(again, after_hit)
    )
    independence = 2 * (chain - _bernoulli(stay_calm + again, after_calm + after_hit, pooled))
    conditional = independence + kupiec(hits, level)["statistic"]
    return {
        "independence": independence,
        "independence_pvalue": float(stats.chi2.sf(independence, 1)),
        "conditional": conditional,
        "conditional_pvalue": float(stats.chi2.sf(conditional, 2)),
    }


def traffic_light(count: int, days: int = 250, level: float = 0.01) -> str:
    """Basel's zone for `count` exceedances of the `level` VaR in `days` days."""
    probability = stats.binom.cdf(count, days, level)
    if probability < GREEN:
        return "green"
    return "yellow" if probability < RED else "red"


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _bernoulli(count: int, total: int, p: float) -> float:
    """The log-likelihood of `count` successes in `total` Bernoulli draws of rate `p`
    (0 log 0 taken as 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        hit = count * np.log(p) if count else 0.0
        miss = (total - count) * np.log1p(-p) if total - count else 0.0
    return float(hit + miss)


def mincer_zarnowitz(proxy: np.ndarray, forecast: np.ndarray) -> dict:
    """Mincer-Zarnowitz regression of log variance: log proxy = a + b log forecast + e.

    An unbiased, efficient forecast has a = 0 and b = 1; the F test of both at once asks
    whether it is (OLS, the classical covariance).

    Returns:
        `{"intercept", "slope", "r2", "pvalue"}`; each NaN where the regression has no
        answer: fewer than 3 days, or a forecast or proxy that never varies (a series
        whose every return is the same, a range that is the same share of every close);
        the p-value NaN for a perfect fit (a random walk on such a range).
    """
    proxy, forecast = _per_day(proxy, forecast, ("proxy", "forecast"))
    y = np.log(proxy)
    x = np.column_stack([np.ones(len(y)), np.log(forecast)])
    keep = np.isfinite(y) & np.isfinite(x).all(axis=1)
    y, x = y[keep], x[keep]
    none = dict.fromkeys(("intercept", "slope", "r2", "pvalue"), float("nan"))
    if len(y) < 3 or np.ptp(y) == 0:
        return none
    beta, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    dof = len(y) - 2
    if rank < 2:  # a forecast that does not vary
        return none
    r2 = 1 - float(resid @ resid) / float(np.sum((y - y.mean()) ** 2))
    pvalue = float("nan")  # a perfect fit's residuals are rounding: nothing to test against
    if r2 < 1 - 1e-12:
        covariance = np.linalg.inv(x.T @ x) * (resid @ resid / dof)
        gap = beta - np.array([0.0, 1.0])
        pvalue = float(stats.f.sf(float(gap @ np.linalg.solve(covariance, gap) / 2), 2, dof))
    return {"intercept": float(beta[0]), "slope": float(beta[1]), "r2": r2, "pvalue": pvalue}


# Acerbi and Szekely (2014), "Backtesting Expected Shortfall", their Z2 test: the critical
# values they publish hold across the distributions they tried, -0.70 at the 95% level and
# -1.8 at 99.99%, as a traffic light for ES as Basel's is for VaR.
Z2_YELLOW, Z2_RED = -0.70, -1.8


def acerbi_szekely(returns: np.ndarray, var: np.ndarray, es: np.ndarray, level: float) -> dict:
    """Acerbi and Szekely's Z2 test of an Expected Shortfall forecast.

    Z2 = sum over days of r I / (T level |ES|) + 1, with I the day's VaR exceedance and r
    its return: 0 when the losses beyond the VaR average the forecast ES, negative when
    they are worse (ES underestimated).

    Returns:
        `{"z2", "zone"}`, the zone by the published critical values (green, yellow, red).
    """
    check_share(level, "level")
    r, es = _per_day(returns, es, ("returns", "es"))
    hits = exceedances(r, var)
    z2 = float(np.sum(np.where(hits, r / np.abs(es), 0.0)) / (len(r) * level) + 1)
    zone = "green" if z2 > Z2_YELLOW else "yellow" if z2 > Z2_RED else "red"
    return {"z2": z2, "zone": zone}
