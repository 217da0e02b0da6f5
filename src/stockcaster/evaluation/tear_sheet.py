"""A return signal judged as a quant judges one: IC with a HAC t-statistic, quantiles, books.

A signal is a `[days, symbols]` score known at each day's close (a factor, or a model's
forecast of the return ahead); it is judged on the simple return of the next h sessions,
`close[t + h] / close[t] - 1`, as alphalens computes its forward returns:

- the daily IC and rank IC (`cross_section.information_coefficients`), their means with a
  Newey-West t-statistic and the |t| it must reach to be more than chance: returns over
  h days overlap, so the daily ICs are correlated over h - 1 days at least and a plain t
  overstates them (`hac_lags`, `t_needed`);
- ICIR, the share of days with a positive rank IC, the mean rank IC by year;
- the mean forward return of each quantile (pooled over symbol-days, as alphalens'
  `mean_return_by_quantile`), and how monotone they are (the rank correlation of the
  quantile's number with its mean return: 1 when they rise together);
- books rebalanced every h sessions: long the top quantile and short the bottom one in
  equal weights, with a buffer that keeps a name until it leaves the top (or bottom)
  `buffer` share; their return gross and net of a cost per half-turn, turnover and the
  break-even cost: the cost per half-turn at which the net return is nil.

`tests/test_tear_sheet.py` checks the IC, the quantile returns and the turnover against
alphalens-reloaded on the same factor and prices, and the Newey-West t against statsmodels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster.evaluation.cross_section import information_coefficients
from stockcaster.evaluation.snooping import superior_ability
from stockcaster.evaluation.trading import sessions_a_year


def forward_returns(close: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """`[days, symbols]`: each day's simple return over the next `horizon` sessions."""
    return close.shift(-horizon) / close - 1


DECILES = 10
"""Quantile groups of a day's scores, unless a command is told otherwise (`signals --bins`)."""
MIN_SPANS = 5  # a Newey-West t needs at least 5 times its lags + 1 in days


def newey_west_t(values: np.ndarray, lags: int) -> float | None:
    """The t-statistic of the mean of `values` with a Newey-West (Bartlett) standard error.

    The long-run variance is the autocovariances up to `lags`, weighted 1 - l / (lags + 1),
    each over n (statsmodels' HAC of a regression on a constant, without its small-sample
    correction). Written here because the figure is a few NumPy lines and importing
    statsmodels costs a second; `tests/test_tear_sheet.py` checks the two agree.

    None with fewer than `MIN_SPANS` times `lags + 1` values: with all n - 1 lags weighted
    near 1 the estimate sums a demeaned series' autocovariances to about 0, and t to any
    size (-19 for a 300-session horizon judged on 141 days).
    """
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 2 or n < MIN_SPANS * (lags + 1):
        return None
    e = x - x.mean()
    variance = e @ e / n
    for lag in range(1, min(lags, n - 1) + 1):
        variance += 2 * (1 - lag / (lags + 1)) * (e[lag:] @ e[:-lag]) / n
    if variance <= 0:
        return None
    return float(x.mean() / np.sqrt(variance / n))


T_ONE_SESSION = 2.0
"""The |t| a mean IC one session ahead must reach to be more than chance: noise reaches it
on 3-6% of panels (`bench/ic_t_size.py`)."""


def hac_lags(days: int, horizon: int) -> int:
    """The Newey-West lags of a mean IC's t over `days` days of h-session returns: one session
    ahead, Newey and West's (1994) floor(4 (n / 100)^(2/9)); beyond, where h - 1 lags left
    noise's t at 2 or more on 8-17% of panels (`bench/ic_t_size.py`), 2h or 1.3 sqrt(n)
    (Lazarus, Lewis, Stock and Watson 2018), whichever is more, judged by `t_needed`."""
    if horizon == 1:
        return int(4 * (days / 100) ** (2 / 9))
    return max(2 * horizon, int(np.ceil(1.3 * np.sqrt(days))))


def t_needed(days: int, horizon: int) -> float:
    """The |t| a mean IC over `days` days must reach to be more than chance (5%, two-sided).

    One session ahead, `T_ONE_SESSION`. Beyond, Kiefer and Vogelsang's (2005) fixed-b
    critical value of a Bartlett-kernel t, 1.96 + 2.9694 b + 0.4160 b^2 - 0.5324 b^3 with
    b = (lags + 1) / n: a bandwidth that is a share of the sample makes the t's spread wider
    than a normal's (2.16 over 441 days of 5-session returns, 2.25 of 21-session ones).
    """
    if horizon == 1:
        return T_ONE_SESSION
    b = (hac_lags(days, horizon) + 1) / days
    return 1.96 + 2.9694 * b + 0.4160 * b**2 - 0.5324 * b**3


def ic_table(score: pd.DataFrame, forward: pd.DataFrame, horizon: int) -> tuple[dict, pd.DataFrame]:
    """Mean IC and rank IC with Newey-West t, ICIR, share of positive days, by year; and
    the daily ICs (`cross_section.information_coefficients`)."""
    daily = information_coefficients(score, forward)
    n = len(daily)
    out = {"days": n, "hac_lags": hac_lags(n, horizon)}
    for key in ("ic", "rank_ic"):
        values = daily[key].to_numpy()
        spread = float(values.std(ddof=1)) if n > 1 else 0.0
        out[f"mean_{key}"] = float(values.mean()) if n else None
        out[f"{key}_t"] = newey_west_t(values, out["hac_lags"])
        out[f"{key}ir"] = float(values.mean() / spread) if spread > 0 else None
    out["t_needed"] = None if out["rank_ic_t"] is None else t_needed(n, horizon)  # no t, no bar
    out["share_positive"] = float((daily["rank_ic"] > 0).mean()) if n else None
    years = daily["rank_ic"].groupby(pd.DatetimeIndex(daily.index).year).mean()
    out["rank_ic_by_year"] = {str(y): float(v) for y, v in years.items()}
    return out, daily


def quantiles(score: pd.DataFrame, bins: int) -> pd.DataFrame:
    """Each symbol-day's quantile of its day's scores, 1 (lowest) .. `bins` (NaN: none).

    As alphalens' `quantize_factor` (`pd.qcut` of each day's scores): the day's edges are
    its scores' quantiles (linear interpolation), each bin right-closed, the first closed
    on both sides. One NumPy pass over every day, not a `qcut` per day (`pd.qcut` took
    15 s over the shared panel's tear sheets); `tests/test_tear_sheet.py` checks the two
    agree. A day with fewer scores than bins has none.
    """
    values = score.to_numpy(dtype="float64")
    count = np.isfinite(values).sum(axis=1)
    days = np.flatnonzero(count >= bins)
    out = np.full(values.shape, np.nan)
    if len(days):
        chosen, n = values[days], count[days, None]
        ordered = np.sort(chosen, axis=1)  # NaN last
        at = np.linspace(0, 1, bins + 1)[None, 1:-1] * (n - 1)  # [days, bins - 1] positions
        low = np.floor(at).astype(int)
        high = np.minimum(low + 1, n - 1)
        a, b = np.take_along_axis(ordered, low, 1), np.take_along_axis(ordered, high, 1)
        edges = a + (b - a) * (at - low)  # linear interpolation, as pandas' quantile
        above = (chosen[:, None, :] > edges[:, :, None]).sum(axis=1)
        out[days] = np.where(np.isfinite(chosen), 1 + above, np.nan)
    return pd.DataFrame(out, index=score.index, columns=score.columns)


def quantile_returns(bucket: pd.DataFrame, forward: pd.DataFrame, bins: int) -> dict:
    """Mean forward return of each quantile, pooled over symbol-days, and its monotonicity."""
    q = bucket.to_numpy(dtype="float64").ravel()
    r = forward.reindex_like(bucket).to_numpy(dtype="float64").ravel()
    both = np.isfinite(q) & np.isfinite(r)
    label = q[both].astype(int)
    total = np.bincount(label, weights=r[both], minlength=bins + 1)[1:]
    count = np.bincount(label, minlength=bins + 1)[1:]
    with np.errstate(invalid="ignore"):
        means = pd.Series(total / count, index=np.arange(1, bins + 1))
    known = means.dropna()
    mono = float(pd.Series(known.index).corr(pd.Series(known.to_numpy()), method="spearman"))
    return {"mean_return": [None if np.isnan(v) else float(v) for v in means],
            "monotonicity": mono if len(known) > 2 else None}  # fmt: skip


def quantile_turnover(bucket: pd.DataFrame, q: int, period: int) -> float | None:
    """The mean share of quantile q's names that were not in it `period` days before (as
    alphalens' `quantile_turnover`)."""
    member = bucket == q
    before = member.shift(period, fill_value=False)
    size = member.sum(axis=1)
    new = (member & ~before).sum(axis=1)
    days = (size > 0) & (before.sum(axis=1) > 0)
    return float((new[days] / size[days]).mean()) if days.any() else None


def judge(
    score: pd.DataFrame,
    close: pd.DataFrame,
    horizon: int,
    bins: int = DECILES,
    cost_bps: float = 5.0,
    buffer: float | None = 0.2,
) -> tuple[dict, pd.Series]:
    """The tear sheet of one signal at one horizon, and its daily rank IC.

    Args:
        score: `[days, symbols]` the signal on the days judged (its origins).
        close: `[days, symbols]` closes of those days and every later one.
        buffer: the buffered book's share (None: the plain decile book only).
    """
    forward = forward_returns(close, horizon).reindex(index=score.index, columns=score.columns)
    ics, daily = ic_table(score, forward, horizon)
    bucket = quantiles(score, bins)
    row = {"horizon": horizon, **ics, **quantile_returns(bucket, forward, bins)}
    judged = forward.notna().any(axis=1)  # the days with a return ahead, as alphalens keeps
    row["top_turnover"] = quantile_turnover(bucket[judged], bins, horizon)
    held = close.reindex(columns=score.columns).loc[score.index[0] :]
    bucket = bucket.reindex(held.index)
    for name, keep in (("decile", None), ("buffered", buffer)):
        if name == "buffered" and buffer is None:
            continue
        gross, turnover = book(bucket, held, horizon, bins, keep)
        row[name] = book_summary(gross, turnover, cost_bps)
    return row, daily["rank_ic"]


def against_best(daily: dict[str, pd.Series], baselines: list[str], seed: int = 0) -> dict:
    """Each signal's SPA p-value of "its daily rank IC beats the best baseline's".

    The best baseline has the highest mean rank IC of those with 10 days (SPA's least); the
    loss of a day is minus its rank IC, on days both have one (`snooping.superior_ability`).

    Returns:
        {"best": name, "pvalues": {signal: p}} (a baseline's own p is None).
    """
    known = [b for b in baselines if b in daily and len(daily[b])]
    ranked = [b for b in known if daily[b].count() >= 10] or known  # 2 days' mean beat all
    if not ranked:
        return {"best": None, "pvalues": {}}
    best = max(ranked, key=lambda b: daily[b].mean())
    pvalues = {}
    for name, series in daily.items():
        both = pd.concat([daily[best], series], axis=1, join="inner").dropna()
        if name == best or len(both) < 10:
            pvalues[name] = None
            continue
        test = superior_ability(-both.iloc[:, 0].to_numpy(), -both.iloc[:, 1:].to_numpy(),
                                seed=seed)  # fmt: skip
        pvalues[name] = test.spa_pvalue
    return {"best": best, "pvalues": pvalues}


def book(
    bucket: pd.DataFrame,
    close: pd.DataFrame,
    horizon: int,
    bins: int,
    buffer: float | None = None,
) -> tuple[pd.Series, pd.Series]:
    """A long/short book of the top and bottom quantiles, rebalanced every `horizon` days.

    On every h-th day (the first included) the book goes long the top quantile and short
    the bottom one, each leg in equal weights summing to 1 and -1, and holds them until the
    next rebalance. With `buffer` (0.2: the top 20%), a name held stays in its leg until it
    leaves that share of the day's ranks. The book earns each day's simple return on the
    weights of the day before.

    Returns:
        Daily gross returns and daily turnover (the sum of absolute weight changes: each
        unit is one half-turn), indexed by day.
    """
    c = close.to_numpy(dtype="float64")
    moves = np.zeros_like(c)
    with np.errstate(divide="ignore", invalid="ignore"):
        moves[:-1] = c[1:] / c[:-1] - 1  # day t's holding earns t -> t + 1
    moves[~np.isfinite(moves)] = 0.0
    q = bucket.to_numpy(dtype="float64")
    weights = np.zeros_like(q)
    held = np.zeros(q.shape[1])
    keep = None if buffer is None else max(1, round(buffer * bins))
    for t in range(len(q)):
        if t % horizon == 0:
            held = _rebalance(q[t], held, bins, keep)
        weights[t] = held
    traded = np.abs(np.diff(weights, axis=0, prepend=0.0)).sum(axis=1)
    days = bucket.index
    return pd.Series((weights * moves).sum(axis=1), days), pd.Series(traded, days)


def _rebalance(q: np.ndarray, held: np.ndarray, bins: int, keep: int | None) -> np.ndarray:
    """The day's legs from its quantiles `q`, keeping held names inside the buffer."""
    long, short = q == bins, q == 1
    if keep is not None:
        long |= (held > 0) & (q > bins - keep)
        short |= (held < 0) & (q <= keep)
    if not long.any() or not short.any():
        return np.zeros(len(q))
    return long / long.sum() - short / short.sum()


BOOK_FIGURES = ("annual_return_gross", "annual_return_net", "sharpe_gross", "sharpe_net",
                "daily_turnover", "break_even_bps")  # fmt: skip


def book_summary(gross: pd.Series, turnover: pd.Series, cost_bps: float) -> dict:
    """Annual return gross and net of `cost_bps` per half-turn, Sharpe, turnover, break-even
    (None for a book that never held a name: too few symbols a day for its quantiles)."""
    net = gross - turnover * cost_bps / 1e4
    year = sessions_a_year(gross.index)  # 252 for an exchange's days
    traded = float(turnover.mean())
    if not traded > 0:
        return dict.fromkeys(BOOK_FIGURES) | {"daily_turnover": 0.0}

    def sharpe(r: pd.Series) -> float | None:
        sd = float(r.std(ddof=1))
        return float(r.mean() / sd * np.sqrt(year)) if sd > 0 else None

    return {
        "annual_return_gross": float(gross.mean() * year),
        "annual_return_net": float(net.mean() * year),
        "sharpe_gross": sharpe(gross),
        "sharpe_net": sharpe(net),
        "daily_turnover": traded,
        "break_even_bps": float(gross.mean() / traded * 1e4),
    }
