"""Trading evaluation: trade the predicted direction, net of costs, against buy-and-hold."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stockcaster.errors import StockcasterError
from stockcaster.evaluation.groups import Groups, plain, score_one

TRADING_DAYS = 252  # sessions a year: the convention for an exchange's prices
RULES = ("long_flat", "long_short")
_SPAN_DAYS = 60  # fewer calendar days than this tell no year's count of rows
_CONVENTION = 0.1  # a count within this share of TRADING_DAYS is an exchange's sessions
MOST_COST_BPS = 10_000
"""The most a trade costs, in basis points of what is traded: all of it. A cost beyond
loses more than the trade is worth (buy and hold's total return fell below -100%)."""


def check_cost(cost_bps: float) -> None:
    """Refuse a cost per unit traded below nothing or above all of it (`--cost-bps`)."""
    if not (isinstance(cost_bps, float | int) and 0 <= cost_bps <= MOST_COST_BPS):
        raise StockcasterError(
            f"--cost-bps: expected 0 to {MOST_COST_BPS} bp (all of a trade), received {cost_bps!r}"
        )


def sessions_a_year(dates) -> float:
    """The rows a year of prices dated `dates`, by which their figures are annualised:
    `TRADING_DAYS` (252), unless their own count (rows per 365.25 calendar days) differs
    from it by more than a tenth, as prices of every day (365) or of each week (52) do;
    then that count, rounded. 252 for a span under 60 days, too short to count."""
    days = np.unique(np.asarray(dates, dtype="datetime64[D]"))
    span = (days[-1] - days[0]).astype("int64") if len(days) > 1 else 0
    if span < _SPAN_DAYS:
        return float(TRADING_DAYS)
    count = (len(days) - 1) / span * 365.25
    return float(TRADING_DAYS if abs(count / TRADING_DAYS - 1) <= _CONVENTION else round(count))


def positions(predicted_move: np.ndarray, rule: str) -> np.ndarray:
    """Position held over each day from the sign of the predicted move.

    long_flat: 1 when a rise is predicted, else 0; long_short: +1 rise, -1 fall, 0 none.
    """
    sign = np.sign(predicted_move)
    return np.where(sign > 0, 1.0, 0.0) if rule == "long_flat" else sign.astype("float64")


def strategy_returns(
    position: np.ndarray, asset_returns: np.ndarray, cost_bps: float
) -> np.ndarray:
    """Daily returns of holding `position`, minus `cost_bps` per unit of position change.

    The book starts flat, so entering the first position costs too. Along the last axis.
    """
    changes = np.abs(np.diff(position, axis=-1, prepend=0.0))
    return position * asset_returns - changes * cost_bps / 1e4


@dataclass(frozen=True)
class Trading:
    """How forecasts are traded: the cost of a unit of position change, in basis points,
    and, when positions are held for several days (`backtest --step`), every group's days
    marked to market (`daily_marks`): their layout, the column of the one-step forecast
    whose position each day holds, and each day's asset return (`[groups, days]`). None:
    each position is held on its forecast day only. `year`: the rows a year that annualise
    the figures (`sessions_a_year`), one count or each group's."""

    cost_bps: float
    daily: tuple[Groups, np.ndarray, np.ndarray] | None = None
    year: float | np.ndarray = TRADING_DAYS


def held_days(n_closes: int, days: np.ndarray, step: int = 1) -> np.ndarray:
    """The trading days each one-step forecast's position is held when positions change only
    at the origins, `step` days apart: until the next forecast's day, at most `step` days,
    and no later than the last close.

    Args:
        n_closes: the series' length.
        days: rows of the series forecast one step ahead (each from the close before it),
            increasing. With `step` 1 each position is held on its own day only.
    """
    days = np.asarray(days, dtype="int64")
    following = np.append(days[1:], n_closes)
    return np.minimum(np.minimum(days + step, following), n_closes) - days


def daily_marks(
    closes: np.ndarray, days: np.ndarray, step: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every day a position of `held_days` is held on, each marked to market by its own
    return (from the close before it), as a daily book's value is: its drawdown and
    volatility are those of the days, not of the origins alone.

    Returns:
        The rows of the days held, for each the index (into `days`) of its position, and
        its asset return.
    """
    days = np.asarray(days, dtype="int64")
    held = held_days(len(closes), days, step)
    owner = np.repeat(np.arange(len(days)), held)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(held) - held, held)
    marks = days[owner] + within
    return marks, owner, closes[marks] / closes[marks - 1] - 1


def return_profile(returns: np.ndarray, year: float = TRADING_DAYS) -> dict:
    """Total and annualised return, volatility, Sharpe ratio and maximum drawdown.

    Of a non-empty series of daily returns. Annualised over `year` rows a year (252
    trading days unless the prices say otherwise, `sessions_a_year`), with a zero
    risk-free rate; the Sharpe ratio of returns that never vary is 0.
    """
    return score_one(lambda groups, r: grouped_return_profile(groups, r, year), returns)


def grouped_return_profile(
    groups: Groups, returns: np.ndarray, year: float | np.ndarray = TRADING_DAYS
) -> dict[str, np.ndarray]:
    """`return_profile` of every group at once, from a `[groups, days]` matrix padded with 0
    (`year`: one count of rows a year, or each group's)."""
    n, mask = groups.sizes, groups.mask
    equity = np.cumprod(1 + returns, axis=1)  # flat after a group's end
    total = groups.last(equity) - 1
    mean = groups.mean(returns)
    spread = groups.sum(((returns - mean[:, None]) * mask) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.where(n > 1, np.sqrt(spread / (n - 1)), 0.0)
        annual = np.where(total > -1, (1 + total) ** (1 / (n / year)) - 1, -1.0)
        sharpe = np.where(sd > 0, mean / sd * np.sqrt(year), 0.0)
    drawdown = equity / np.maximum.accumulate(np.maximum(equity, 1.0), axis=1) - 1
    return {
        "total_return": total,
        "annual_return": annual,
        "volatility": sd * np.sqrt(year),
        "sharpe": sharpe,
        "max_drawdown": drawdown.min(axis=1, initial=0.0),  # at most 0; 0 rows: 0
    }


def evaluate_rules(
    predicted_move: np.ndarray,
    asset_returns: np.ndarray,
    cost_bps: float,
    year: float = TRADING_DAYS,
) -> dict[str, dict]:
    """Performance of each rule on one model's one-step forecasts.

    Each rule trades the sign of the predicted move (`positions`), starting flat and
    paying `cost_bps` basis points per unit of position change (`strategy_returns`). The
    scores are `return_profile`'s, turnover (the total of position changes, 1 = entering
    or leaving once) and hit rate (the share of days in the market that made money, None
    if never in).
    """
    one = Groups.of([len(predicted_move)])
    moves = (one.matrix(np.asarray(v, "float64")) for v in (predicted_move, asset_returns))
    rules = grouped_rules(one, *moves, cost_bps, year)
    return {rule: {k: plain(v[0]) for k, v in scores.items()} for rule, scores in rules.items()}


def buy_and_hold(asset_returns: np.ndarray, cost_bps: float, year: float = TRADING_DAYS) -> dict:
    """The benchmark: long every day, paying the cost of entering once."""
    return evaluate_rules(np.ones(len(asset_returns)), asset_returns, cost_bps, year)["long_flat"]


def grouped_rules(
    groups: Groups,
    predicted_move: np.ndarray,
    asset_returns: np.ndarray,
    cost_bps: float,
    year: float | np.ndarray = TRADING_DAYS,
) -> dict[str, dict[str, np.ndarray]]:
    """`evaluate_rules` of every group at once, from `[groups, days]` matrices."""
    mask = groups.mask
    result = {}
    for rule in RULES:
        held = positions(predicted_move, rule) * mask
        changes = np.abs(np.diff(held, axis=1, prepend=0.0)) * mask
        returns = strategy_returns(held, asset_returns, cost_bps) * mask
        invested = held != 0
        with np.errstate(divide="ignore", invalid="ignore"):
            hits = groups.sum((returns > 0) & invested) / groups.sum(invested)
        result[rule] = {
            **grouped_return_profile(groups, returns, year),
            "turnover": groups.sum(changes),
            "hit_rate": hits,
        }
    return result
