"""A day's variance, measured from its open, high, low and close: one registry of estimators.

Squared close-to-close log-returns are an unbiased but very noisy proxy for a day's variance;
the day's range holds far more of it (for a driftless Brownian path, Parkinson's estimator is
about 5 times as efficient, Garman-Klass 7 times, Rogers-Satchell also without drift bias;
Yang-Zhang over a window adds the overnight move and is the most efficient of them). Each
estimator reads a day's own prices (and, for the overnight move, the close before), so a
day's value is known at its close and never reads a later day.

    c = ln(C / O), h = ln(H / O), l = ln(L / O), o = ln(O / C_prev)
    close_to_close   (o + c)^2                        = ln(C / C_prev)^2
    parkinson        (h - l)^2 / (4 ln 2)
    garman_klass     0.5 (h - l)^2 - (2 ln 2 - 1) c^2
    rogers_satchell  h (h - c) + l (l - c)
    yang_zhang       over the last n days: var(o) + k var(c) + (1 - k) mean(rogers_satchell),
                     k = 0.34 / (1.34 + (n + 1) / (n - 1)), sample variances (Yang and
                     Zhang 2000, their equation for the minimum-variance k)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError
from stockcaster.settings import whole_number

YANG_ZHANG_DAYS = 22  # a trading month: Yang-Zhang's window
_LN2 = np.log(2.0)


@dataclass(frozen=True)
class Prices:
    """One symbol's daily prices, oldest first; `previous` is each day's close before it
    (NaN on the first day)."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray

    @property
    def previous(self) -> np.ndarray:
        out = np.full(len(self.close), np.nan)
        out[1:] = self.close[:-1]
        return out

    @classmethod
    def of(cls, table: pd.DataFrame) -> Prices:
        """From a price table's open, high, low and close columns."""
        return cls(*(table[c].to_numpy(dtype="float64") for c in ("open", "high", "low", "close")))


def close_to_close(p: Prices) -> np.ndarray:
    return np.log(p.close / p.previous) ** 2


def parkinson(p: Prices) -> np.ndarray:
    return np.log(p.high / p.low) ** 2 / (4 * _LN2)


def garman_klass(p: Prices) -> np.ndarray:
    c = np.log(p.close / p.open)
    return 0.5 * np.log(p.high / p.low) ** 2 - (2 * _LN2 - 1) * c**2


def rogers_satchell(p: Prices) -> np.ndarray:
    c, h, low = (np.log(x / p.open) for x in (p.close, p.high, p.low))
    return h * (h - c) + low * (low - c)


def yang_zhang(p: Prices, days: int = YANG_ZHANG_DAYS) -> np.ndarray:
    """Yang-Zhang's variance over each trailing window of `days` days (NaN until the first
    full window, whose first day also needs the close before it)."""
    if days < 2:
        raise StockcasterError(f"expected a Yang-Zhang window of 2 days or more, received {days}")
    overnight = pd.Series(np.log(p.open / p.previous))
    intraday = pd.Series(np.log(p.close / p.open))
    k = 0.34 / (1.34 + (days + 1) / (days - 1))
    rs = pd.Series(rogers_satchell(p)).rolling(days).mean()
    out = overnight.rolling(days).var() + k * intraday.rolling(days).var() + (1 - k) * rs
    return out.to_numpy()


@dataclass(frozen=True)
class Estimator:
    """A registered estimator: its formula and whether it reads the open, high and low."""

    name: str
    help: str
    measure: Callable[[Prices], np.ndarray]
    needs_range: bool = True


ESTIMATORS: dict[str, Estimator] = {
    e.name: e
    for e in (
        Estimator(
            "garman_klass", "Garman-Klass: the range and the open-to-close move", garman_klass
        ),
        Estimator("parkinson", "Parkinson: the high-low range", parkinson),
        Estimator(
            "rogers_satchell", "Rogers-Satchell: the range, unbiased by drift", rogers_satchell
        ),  # fmt: skip
        Estimator(
            "yang_zhang",
            f"Yang-Zhang over {YANG_ZHANG_DAYS} days, overnight moves included",
            yang_zhang,
        ),  # fmt: skip
        Estimator(
            "close_to_close",
            "the squared close-to-close log-return",
            close_to_close,
            needs_range=False,
        ),  # fmt: skip
    )
}
DEFAULT_ESTIMATOR = "garman_klass"


def daily_variance(table: pd.DataFrame, estimator: str = DEFAULT_ESTIMATOR) -> tuple:
    """Each day's variance by `estimator`, and the estimator used: a file without open,
    high and low falls back to close-to-close (the caller says so). A day whose prices did
    not move (high = low, or an unchanged close) measures nothing: NaN, not 0.

    Raises:
        StockcasterError: an unknown estimator, listing the known ones; a table without closes.
    """
    if estimator not in ESTIMATORS:
        raise StockcasterError(
            f"--estimator: expected one of {', '.join(ESTIMATORS)}, received {estimator!r}"
        )
    close, chosen = _closes(table), ESTIMATORS[estimator]
    if chosen.needs_range and not {"open", "high", "low"} <= set(table.columns):
        chosen = ESTIMATORS["close_to_close"]
    if not chosen.needs_range:
        measured = close_to_close(Prices(close, close, close, close))
    else:
        measured = chosen.measure(Prices.of(table))
    return np.where(measured > 0, measured, np.nan), chosen.name


def log_returns(table: pd.DataFrame) -> np.ndarray:
    """Each day's close-to-close log-return (NaN on the first day, which has no close before)."""
    close = _closes(table)
    return np.concatenate([[np.nan], np.diff(np.log(close))])


def _closes(table: pd.DataFrame) -> np.ndarray:
    """A price table's closes (`load_prices`' table, or any with a close column).

    Raises:
        StockcasterError: a table without one, naming what it holds.
    """
    if "close" not in getattr(table, "columns", ()):
        held = ", ".join(map(str, getattr(table, "columns", ()))) or type(table).__name__
        raise StockcasterError(f"prices: expected a close column, received {held}")
    return table["close"].to_numpy(dtype="float64")


def variance_ahead(v: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """What a forecast from each origin is scored against: the mean estimate of the
    `horizon` days after it. A day that measured nothing (NaN) is left out of the mean; a
    window of such days only is NaN (nothing to score).

    Raises:
        StockcasterError: a horizon that is no whole number of days, or an origin without
            `horizon` days after it (a negative one would count from the end).
    """
    if not whole_number(horizon) or horizon < 1:
        raise StockcasterError(f"horizon: expected days ahead of 1 or more, received {horizon!r}")
    o, last = np.asarray(origins), len(v) - 1 - horizon
    whole = o.ndim == 1 and (o.size == 0 or np.issubdtype(o.dtype, np.integer))
    if not whole or (o.size and (o.min() < 0 or o.max() > last)):
        shown = f"{o.size} from {o.min()} to {o.max()}" if whole else f"{o.dtype} {o.shape}"
        raise StockcasterError(
            f"origins: expected days from 0 to {last} ({horizon} ahead of each, of {len(v)}), "
            f"received {shown}"
        )
    windows = np.stack([v[origins + k] for k in range(1, horizon + 1)], axis=1)  # [o, h]
    counted = np.isfinite(windows).sum(axis=1)
    total = np.nansum(windows, axis=1)
    return np.where(counted > 0, total / np.maximum(counted, 1), np.nan)


def check_variances(values, name: str, positive: bool = False) -> np.ndarray:
    """Variances as float64, each 0 or more (above 0 if `positive`: a forecast QLIKE divides
    by); NaN, a day without one, is kept.

    Raises:
        StockcasterError: the first that is not, naming its position.
    """
    v = np.asarray(values, "float64")
    bad = np.flatnonzero(v <= 0 if positive else v < 0)  # NaN is neither
    if bad.size:
        wanted = "above 0" if positive else "of 0 or more"
        raise StockcasterError(
            f"{name}: expected variances {wanted}, received {v.flat[bad[0]]:g} at index {bad[0]}"
        )
    return v


def check_walk(origins, days: int, horizons: tuple, returns: int | None = None) -> np.ndarray:
    """A walk's origins and horizons as `models/volatility.forecast` takes them: consecutive
    days from day 1 (day 0 has no return) to the data's last, and whole days ahead; with
    `returns`, the length of the returns, one for each of the `days` days' variances. A
    negative origin would count from the end, its model reading the days after it.

    Raises:
        StockcasterError: anything else.
    """
    if returns is not None and returns != days:
        raise StockcasterError(
            f"r: expected one return for each day of v ({days}), received {returns}"
        )
    o = np.asarray(origins)
    if o.size == 0:
        raise StockcasterError("origins: expected at least one day to forecast from, received none")
    whole = o.ndim == 1 and np.issubdtype(o.dtype, np.integer)
    if not whole or (np.diff(o) != 1).any() or o[0] < 1 or o[-1] > days - 1:
        shown = f"{len(o)} from {o[0]} to {o[-1]}" if whole else f"{o.dtype} {o.shape}"
        raise StockcasterError(
            f"origins: expected consecutive days from 1 to {days - 1} (the last of "
            f"{days}), received {shown}"
        )
    if not horizons or not all(whole_number(h) and h >= 1 for h in horizons):
        raise StockcasterError(f"horizons: expected days ahead of 1 or more, received {horizons}")
    return o
