"""The baselines a volatility forecast must beat, walked forward over one symbol's days.

Each baseline forecasts, from the close of an origin day t, the mean variance of the next
`horizon` days, reading days up to t only, and is refitted every `REFIT_EVERY` origins.
It is called as `forecast(name, v, r, origins, horizons)`: v each day's variance estimate, r
each day's close-to-close log-return (NaN on day 0), origins consecutive days (from day 1):

    random_walk  the last day's variance estimate (a range estimator, `features/volatility.py`;
                 a day that measured nothing carries the day before's, here and below)
    mean_22      the mean of the last 22 days' estimates
    ewma         RiskMetrics: s2[t+1] = lam s2[t] + (1 - lam) r[t]^2, lam = 0.94, on the
                 close-to-close log-returns r, started as `arch` starts it (its backcast)
    garch        GARCH(1,1) with Student-t innovations (`arch`), on returns in percent
    gjr          GJR-GARCH(1,1,1), the same with a leverage term (Glosten, Jagannathan, Runkle)
    har          HAR on the log estimate (Corsi 2009; on the log range as Clements and Preve):
                 log v over the next h days ~ log v[t] + mean of 5 + mean of 22, by OLS;
                 the forecast is exp(fit + s^2 / 2), s^2 the residuals' variance

EWMA's recursion is the same as `arch`'s `EWMAVariance`, run as one linear filter
(`scipy.signal.lfilter`) instead of a model fit per origin; `tests/test_volatility_models.py`
checks it equal to `arch`'s. GARCH and GJR are `arch`'s own fits and forecasts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from stockcaster.errors import StockcasterError
from stockcaster.features.volatility import check_variances, check_walk, variance_ahead
from stockcaster.settings import check_share

RISKMETRICS = 0.94
HAR_DAYS = (1, 5, 22)
REFIT_EVERY = 21

Blocks = list[tuple[int, np.ndarray]]
"""A walk's fits: each the day its model is fitted through, and the consecutive origins it
then forecasts from with those parameters."""


def refit_blocks(origins: np.ndarray, every: int = REFIT_EVERY) -> Blocks:
    """A fit every `every` origins (0: one fit), each at its block's first origin."""
    every = every or len(origins)
    return [(int(origins[i]), origins[i : i + every]) for i in range(0, len(origins), every)]


def forecast(
    name: str, v: np.ndarray, r: np.ndarray, origins: np.ndarray, horizons: tuple[int, ...] = (1,)
) -> np.ndarray:
    """A baseline walked forward from consecutive `origins`, refitted every `REFIT_EVERY`.

    Returns:
        `[origins, horizons]`: from each origin, the mean variance of the next h days, for
        each h of `horizons` (one walk: GARCH's paths give every horizon of one fit).
    """
    if name not in BASELINES:
        raise StockcasterError(f"expected a baseline ({', '.join(BASELINES)}), received {name!r}")
    origins = check_walk(origins, len(v), tuple(horizons), None if r is None else len(r))
    return BASELINES[name](v, r, refit_blocks(origins), tuple(horizons))


def random_walk(v: np.ndarray, r: np.ndarray, blocks: Blocks, horizons: tuple) -> np.ndarray:
    return _flat(_carried(v), blocks, horizons)


def mean_22(v: np.ndarray, r: np.ndarray, blocks: Blocks, horizons: tuple) -> np.ndarray:
    return _flat(_trailing_mean(_carried(v), 22), blocks, horizons)


def _flat(by_day: np.ndarray, blocks: Blocks, horizons: tuple) -> np.ndarray:
    """A forecast that is the same for every day ahead: the origin's value at each h."""
    origins = np.concatenate([block for _, block in blocks])
    return np.repeat(by_day[origins][:, None], len(horizons), axis=1)


def _carried(v: np.ndarray) -> np.ndarray:
    """The estimates with a day that measured nothing (NaN: prices that did not move)
    carrying the last day's that did."""
    return pd.Series(v).ffill().to_numpy()


def ewma_variance(r: np.ndarray, lam: float = RISKMETRICS) -> np.ndarray:
    """`[days + 1]` one-step variances: entry t is the forecast of day t made at day t - 1
    (entry 0 is `arch`'s backcast), the last the forecast of the day after the data."""
    squared = np.asarray(r, "float64") ** 2
    tau = min(75, len(squared))
    weights = lam ** np.arange(tau)
    start = float(np.sum(squared[:tau] * weights) / weights.sum())
    # s2[t] = lam s2[t-1] + (1 - lam) r[t-1]^2, from s2[0] = start.
    later, _ = lfilter([1 - lam], [1, -lam], squared, zi=[lam * start])
    return np.concatenate([[start], later])


def ewma(v: np.ndarray, r: np.ndarray, blocks: Blocks, horizons: tuple) -> np.ndarray:
    # Entry t of the filter over days 1.. is its forecast of day t + 1 made at day t (flat).
    return _flat(ewma_variance(r[1:]), blocks, horizons)


def garch_walk(o: int) -> Callable:
    """GARCH (o = 0) or GJR-GARCH (o = 1) with Student-t innovations: each block's fit,
    then its forecasts from the block's origins with that fit's parameters."""

    def walk(v: np.ndarray, r: np.ndarray, blocks: Blocks, horizons: tuple) -> np.ndarray:
        # Delayed import: arch is imported only when a GARCH forecast is made.
        from arch import arch_model

        percent = 100 * np.asarray(r[1:], "float64")  # observation k is day k + 1
        # Unscaled as by default, without its DataScaleWarning for a calm (bond fund's) series
        model = arch_model(percent, mean="Zero", p=1, o=o, q=1, dist="t", rescale=False)
        out = []
        for fit_day, block in blocks:  # days 1 .. fit_day are observations 0 .. fit_day - 1
            fitted = model.fit(last_obs=fit_day, disp="off", show_warning=False)
            paths = fitted.forecast(start=int(block[0]) - 1, horizon=max(horizons), reindex=False)
            variance = paths.variance.to_numpy()[: len(block)] / 1e4  # [origins, steps]
            means = np.cumsum(variance, axis=1) / np.arange(1, variance.shape[1] + 1)
            out.append(means[:, [h - 1 for h in horizons]])
        return np.concatenate(out)

    return walk


def har(v: np.ndarray, r: np.ndarray, blocks: Blocks, horizons: tuple) -> np.ndarray:
    """HAR on log v, a regression per horizon fitted on the targets known at each fit day."""
    v = _carried(v)
    logs = np.log(v)
    x = np.column_stack([np.ones(len(v))] + [_trailing_mean(logs, d) for d in HAR_DAYS])
    return np.column_stack([_har_walk(v, x, blocks, h) for h in horizons])


def _har_walk(v: np.ndarray, x: np.ndarray, blocks: Blocks, horizon: int) -> np.ndarray:
    ahead = np.full(len(v), np.nan)  # mean variance of days t+1 .. t+h, NaN past the data
    known = np.arange(len(v) - horizon)
    ahead[known] = variance_ahead(v, known, horizon)
    y = np.log(ahead)
    out = []
    for fit_day, block in blocks:
        known = np.arange(len(v)) + horizon <= fit_day  # targets known at the fit
        rows = known & np.isfinite(x).all(axis=1) & np.isfinite(y)
        if rows.sum() < 30:
            raise StockcasterError(
                f"har: expected at least 30 days with {HAR_DAYS[-1]} days of history before "
                f"the first origin, received {int(rows.sum())}"
            )
        beta, *_ = np.linalg.lstsq(x[rows], y[rows], rcond=None)
        spread = float(np.var(y[rows] - x[rows] @ beta))
        out.append(np.exp(x[block] @ beta + spread / 2))
    return np.concatenate(out)


BASELINES: dict[str, Callable] = {
    "random_walk": random_walk,
    "mean_22": mean_22,
    "ewma": ewma,
    "garch": garch_walk(0),
    "gjr": garch_walk(1),
    "har": har,
}


def _trailing_mean(values: np.ndarray, days: int) -> np.ndarray:
    """The mean of each day's last `days` values, itself included (NaN before and over NaN)."""
    return pd.Series(values).rolling(days).mean().to_numpy()


def training_residuals(
    walk: str | Callable, v: np.ndarray, r: np.ndarray, first: int, start: int = 100
) -> np.ndarray:
    """A model's standardised returns on the training days, for a Student-t or FHS VaR:
    each day's return over the deviation forecast for it, by the model fitted once through
    the last training origin `first` (one fit: in-sample, as GARCH's standardised residuals
    are), from `start` (where every baseline has the history it needs; NaN where a model
    has not). `walk`: a baseline's name or any walk (`models/variance.py`)."""
    walk = BASELINES[walk] if isinstance(walk, str) else walk
    origins = np.arange(start, first)
    variance = walk(v, r, [(first, origins)], (1,))[:, 0]
    return r[origins + 1] / np.sqrt(variance)


SHAPES = ("normal", "t", "fhs")
# A Student-t's least degrees of freedom (fewer: infinite variance). Free, the fit ran to 0,
# its scale with it, where many residuals are 0 (closes unchanged): every VaR read 0. A t of
# nu degrees has no best scale once a share above nu / (nu + 1) of them is 0: 67% here.
MIN_NU = 2.05
STILL = MIN_NU / (MIN_NU + 1)


def still_returns(returns: np.ndarray) -> str | None:
    """Why no Student-t VaR can be fitted on these training days' returns (or residuals):
    more than `STILL` of them 0, the close unchanged from the day before; None otherwise."""
    returns = np.asarray(returns, "float64")[np.isfinite(returns)]
    share = float(np.mean(returns == 0)) if len(returns) else 0.0
    if share <= STILL:
        return None
    return (
        f"expected training days whose close moves on at least 1 in 3 (a Student-t VaR is "
        f"fitted on them), received {share:.0%} of {len(returns)} with the close unchanged "
        "from the day before (a stale or carried-forward stretch?)"
    )


@dataclass(frozen=True)
class Shape:
    """The distribution of a day's return over its forecast deviation (mean 0).

    Attributes:
        how: "normal"; "t", a Student-t whose degrees of freedom and scale are fitted
            (`scipy.stats.t.fit`, centred at 0) on the training residuals; or "fhs",
            filtered historical simulation: the residuals themselves.
        nu, scale: the t's; `nu` at least `MIN_NU`, a t of finite variance (the shape of
            a return over its forecast deviation), as `arch` bounds its Student-t.
        draws: the residuals, for "fhs".
    """

    how: str
    nu: float = np.inf
    scale: float = 1.0
    draws: np.ndarray | None = None

    @classmethod
    def fit(cls, how: str, residuals: np.ndarray | None = None) -> Shape:
        """The shape of kind `how`, fitted on the training days' standardised returns."""
        # Delayed import: scipy.stats is imported only when a VaR is made.
        from scipy import stats

        if how not in SHAPES:
            raise StockcasterError(f"--var: expected one of {', '.join(SHAPES)}, received {how!r}")
        if how == "normal":
            return cls(how)
        z = np.asarray(residuals, "float64")
        z = z[np.isfinite(z)]
        if how == "fhs":
            return cls(how, draws=np.sort(z))
        still = still_returns(z)  # the jobs refuse such days first, naming the symbol
        if still:
            raise StockcasterError(still)
        nu, _, scale = stats.t.fit(z, floc=0)  # the residuals' own scale, not assumed 1
        if nu < MIN_NU:  # the likelihood's peak lies below the bound: the best t on it
            nu, scale = MIN_NU, stats.t.fit(z, floc=0, f0=MIN_NU)[2]
        return cls(how, nu, scale)

    def quantile(self, level: float) -> float:
        """The standardised return's `level` quantile."""
        # Delayed import: scipy.stats is imported only when a VaR is made.
        from scipy import stats

        if self.how == "fhs":
            return float(np.quantile(self.draws, level))
        if self.how == "t":
            return float(self.scale * stats.t.ppf(level, self.nu))
        return float(stats.norm.ppf(level))

    def cdf(self, z: np.ndarray) -> np.ndarray:
        """The probability of a standardised return at or below each `z` (for a PIT)."""
        # Delayed import: scipy.stats is imported only when a VaR is made.
        from scipy import stats

        z = np.asarray(z, "float64")
        if self.how == "fhs":
            return np.searchsorted(self.draws, z, side="right") / len(self.draws)
        if self.how == "t":
            return stats.t.cdf(z / self.scale, self.nu)
        return stats.norm.cdf(z)

    def tail_mean(self, level: float) -> float:
        """The mean of the standardised return below its `level` quantile."""
        # Delayed import: scipy.stats is imported only when a VaR is made.
        from scipy import stats

        q = self.quantile(level)
        if self.how == "fhs":
            return float(self.draws[self.draws <= q].mean())
        if self.how == "t":
            z = q / self.scale
            tail = -(self.nu + z**2) / (self.nu - 1) * stats.t.pdf(z, self.nu) / level
            return float(self.scale * tail)
        return float(-stats.norm.pdf(q) / level)


def value_at_risk(
    variance: np.ndarray, level: float, how: str | Shape = "normal", residuals=None
) -> tuple[np.ndarray, np.ndarray]:
    """The `level` VaR and Expected Shortfall of a day's log-return (negative numbers) from
    its variance forecast, the mean taken as 0.

    Args:
        how: a `Shape`, or its kind ("normal", "t", "fhs") fitted on `residuals`, the
            training days' returns divided by their forecast deviation.

    Returns:
        `(var, es)`, each shaped as `variance`.
    """
    check_share(level, "level")
    shape = how if isinstance(how, Shape) else Shape.fit(how, residuals)
    sigma = np.sqrt(check_variances(variance, "variance"))
    return sigma * shape.quantile(level), sigma * shape.tail_mean(level)
