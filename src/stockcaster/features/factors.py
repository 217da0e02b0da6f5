"""The price-only factors a cross-section is judged against: a registry of closed forms.

Each factor scores every row of a panel (sorted by symbol, then date) from that symbol's
rows up to the row itself: a higher score says a higher return ahead. They are the
one-line signals a return model must beat before it has learned anything (issue 28):

- reversal over 1, 5 and 21 sessions: minus the log-return over the last k sessions
  (Jegadeesh 1990, Lehmann 1990; de Groot, Huij & Zhou 2012 for large caps);
- momentum 12-1: the log-return from 252 to 21 sessions ago (Jegadeesh & Titman 1993);
- short-term momentum in high turnover (Medhat & Schmeling 2022): the last 21 sessions'
  log-return times the log of the symbol's turnover over its own average (volume over
  21 sessions over volume over 252): momentum where trading is heavy, reversal where
  it is light;
- low volatility: minus the standard deviation of the last 22 daily log-returns.

Written by hand: each is one line of the panel's trailing windows (`rolling.py`); no
maintained library computes these scores on a long panel. `tests/test_factors.py` checks
each against a by-hand computation with pandas on a small panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.panel import symbol_rows
from stockcaster.errors import StockcasterError
from stockcaster.features.rolling import Rolling

MONTH, YEAR = 21, 252  # sessions


@dataclass(frozen=True)
class Factor:
    """One factor: its name, a line for `--help`, its closed form and what it reads.

    Attributes:
        compute: `(roll, log_close, volume) -> [rows]` scores (NaN before `warmup`).
        warmup: rows of a symbol before its first score.
        needs: price columns read besides the close.
    """

    name: str
    help: str
    compute: Callable[[Rolling, np.ndarray, np.ndarray | None], np.ndarray]
    warmup: int
    needs: tuple[str, ...] = ()


def _past_return(roll: Rolling, log_close: np.ndarray, days: int) -> np.ndarray:
    return log_close - roll.lag(log_close, days)


def _st_momentum(roll: Rolling, log_close: np.ndarray, volume: np.ndarray | None) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        turnover = np.log(roll.mean(volume, MONTH) / roll.mean(volume, YEAR))
    return _past_return(roll, log_close, MONTH) * np.where(np.isfinite(turnover), turnover, np.nan)


def _low_volatility(roll: Rolling, log_close: np.ndarray, _) -> np.ndarray:
    return -roll.std(log_close - roll.lag(log_close, 1), 22)


def _reversal(days: int) -> Factor:
    return Factor(
        f"reversal_{days}",
        f"minus the log-return of the last {days} session{'s' * (days > 1)}",
        lambda roll, log_close, _: -_past_return(roll, log_close, days),
        days,
    )


FACTORS: dict[str, Factor] = {
    f.name: f
    for f in (
        _reversal(1),
        _reversal(5),
        _reversal(MONTH),
        Factor(
            "momentum_12_1",
            "the log-return from 12 months to 1 month ago",
            lambda roll, log_close, _: roll.lag(log_close, MONTH) - roll.lag(log_close, YEAR),
            YEAR,
        ),
        Factor(
            "st_momentum",
            "the last month's log-return times log(21-day over 252-day mean volume)",
            _st_momentum,
            YEAR - 1,
            (C.VOLUME,),
        ),
        Factor(
            "low_volatility", "minus the deviation of 22 daily log-returns", _low_volatility, 22
        ),
    )
}


def factor(name: str) -> Factor:
    """The registry entry of `name`.

    Raises:
        StockcasterError: an unknown name.
    """
    if name not in FACTORS:
        raise StockcasterError(
            f"factor: expected one of {', '.join(FACTORS)}, received {name!r}"
        )  # fmt: skip
    return FACTORS[name]


def factor_scores(prices: pd.DataFrame, names: tuple[str, ...] | None = None) -> np.ndarray:
    """`[rows, factors]` scores of a price table sorted by symbol and date.

    Args:
        names: the factors, in column order (None: every factor whose columns the
            table has).

    Raises:
        StockcasterError: a factor named whose columns the table lacks.
    """
    names = available(prices) if names is None else names
    _, starts, stops = symbol_rows(prices)
    roll = Rolling(starts, stops)
    log_close = np.log(prices[C.CLOSE].to_numpy(dtype="float64"))
    volume = prices[C.VOLUME].to_numpy(dtype="float64") if C.VOLUME in prices else None
    out = np.empty((len(prices), len(names)))
    for j, name in enumerate(names):
        spec = factor(name)
        missing = [c for c in spec.needs if c not in prices.columns]
        if missing:
            raise StockcasterError(
                f"factor {name}: expected a {', '.join(missing)} column, received prices without it"
            )
        column = spec.compute(roll, log_close, volume)
        out[:, j] = np.where(np.isfinite(column), column, np.nan)
    return out


def available(prices: pd.DataFrame) -> tuple[str, ...]:
    """The factors whose columns `prices` has, in registry order."""
    return tuple(n for n, f in FACTORS.items() if all(c in prices.columns for c in f.needs))


def factors_feature(prices: pd.DataFrame, log_close: np.ndarray) -> list[np.ndarray]:
    """The `factors` feature set: the close's log-return, then every available factor."""
    _, starts, stops = symbol_rows(prices)
    own = log_close - Rolling(starts, stops).lag(log_close, 1)
    return [own, *factor_scores(prices, available(prices)).T]


def factor_feature_names(prices: pd.DataFrame) -> tuple[str, ...]:
    """The `factors` feature set's columns on `prices`."""
    return ("log_return", *available(prices))


def longest_history(prices: pd.DataFrame) -> int:
    """The rows of the symbol of `prices` with the most."""
    return int(prices.groupby(C.SYMBOL).size().max()) if len(prices) else 0


def short_of_history(names, longest: int) -> list[str]:
    """The factors of `names` that score no day of a panel whose longest history is
    `longest` rows: none of its symbols has more than the factor's warm-up (a year, for
    momentum_12_1)."""
    return [n for n in names if n in FACTORS and FACTORS[n].warmup >= longest]


def warmup_notes(short: list[str], longest: int) -> list[str]:
    """The note on the factors `short` of history (`short_of_history`)."""
    if not short:
        return []
    needs = " and ".join(f"{FACTORS[n].warmup}" for n in short)
    return [f"{' and '.join(short)} {'is' if len(short) == 1 else 'are'} judged on no day: a "
            f"symbol's first score comes after {needs} sessions of its history, and the "
            f"longest history here is {longest} sessions"]  # fmt: skip
