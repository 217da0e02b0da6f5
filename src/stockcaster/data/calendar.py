"""Trading days: real exchange sessions from `exchange_calendars` (no weekends, no holidays),
and whether prices trade on them, as a bundle that dates its forecasts by them needs."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError

DEFAULT_EXCHANGE = "XNYS"  # the New York Stock Exchange


_TRAIN_HINT = "give --exchange the calendar they trade on (24/7 trades every day)"
MOST_MISSING = 0.5  # of the sessions without a row: weekly or monthly prices, not daily
MOST_CLOSED = 0.01  # of the days on a weekday the exchange never opens: a stray row or two
_NOT_DAILY = "(weekly or monthly prices?)"
_APART = "(symbols that trade on other days need a bundle of their own)"
_WEEKS = 14  # calendar days: every weekday twice, so a weekday without a row tells
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@lru_cache(maxsize=8)
def _calendar(exchange: str, start: str | None = None):
    """The calendar from `start` (None: its own default span, 20 years back)."""
    # Delayed import: exchange_calendars loads every exchange's rules (~1 s).
    import exchange_calendars as xcals

    try:
        return xcals.get_calendar(exchange, start=start)
    except xcals.errors.InvalidCalendarName:
        raise StockcasterError(
            "--exchange: expected a calendar name such as XNYS, NYSE or XLON, "
            f"received {exchange!r}"
        ) from None
    except ValueError:  # a start before the first day it knows, or after its last
        known = _calendar(exchange)
        raise StockcasterError(
            f"--exchange {exchange}: expected a calendar that covers {start}, received one of "
            f"{known.first_session:%Y-%m-%d} .. {known.last_session:%Y-%m-%d}"
        ) from None


def check_sessions(dates, exchange: str, where: str, of_bundle: bool = False, symbols=None) -> None:
    """Refuse prices that do not trade on `exchange`'s days (`off_sessions`).

    Args:
        dates: the prices' days (of one symbol or many).
        where: the file, for the message.
        of_bundle: the calendar is a saved bundle's (predict, --resume), not `--exchange`.
        symbols: a panel's symbol of each row, to name those on a closed day.

    Raises:
        StockcasterError: naming `where`, the days and what to do.
    """
    hint = bundle_hint(exchange) if of_bundle else _TRAIN_HINT
    found = off_sessions(dates, exchange, where, symbols)
    if found is not None:
        raise StockcasterError(advised(found, hint))


def bundle_hint(
    exchange: str,
    whose: str = "the bundle",
    fix: str = "train one for these prices with --exchange",
) -> str:
    """What to do with prices off the days of the calendar a bundle dates its forecasts by:
    the one sentence of `predict`, `train --resume`, `universe --save` and `tune`."""
    return f"{whose} forecasts {exchange}'s sessions ({fix})"


def advised(found: str, hint: str) -> str:
    """`off_sessions`' finding and what to do (`hint`: another calendar), unless the prices
    are not daily or a panel mixes calendars, where another calendar is no fix."""
    return found if found.endswith((_NOT_DAILY, _APART)) else f"{found}; {hint}"


def off_sessions(dates, exchange: str, where: str, symbols=None) -> str | None:
    """How prices do not trade on `exchange`'s days, where a bundle names its forecasts'
    dates by the sessions after the last: rows on a weekday it never opens (a 7-day series
    on XNYS), rows on at most half its sessions (weekly or monthly prices), or none on a
    weekday it opens (stock prices on 24/7); None when they do. Holidays are not judged: a
    stray row on one moves no forecast's date. Days outside the calendar's span are not.

    Raises:
        StockcasterError: an unknown exchange, or one whose calendar ends before the prices.
    """
    rows = pd.DatetimeIndex(dates).normalize()
    days = pd.DatetimeIndex(pd.unique(rows)).sort_values()
    if not len(days):
        return None
    known = _calendar(exchange)  # its default span, built once: a walk checks every refit
    bound = known.bound_min()
    if (bound is not None and days[-1] < bound) or days[-1] >= known.last_session:
        next_sessions(days[-1], 1, exchange)  # says why the calendar does not reach them
    start = days[0] if bound is None else max(days[0], bound)
    end = min(days[-1], known.last_session)
    if start > end:
        return None
    sessions = _calendar_from(exchange, start, bound).sessions
    sessions = sessions[(sessions >= start) & (sessions <= end)]
    days = days[(days >= start) & (days <= end)]
    opens, trades = set(sessions.dayofweek), set(days.dayofweek)
    closed = days[~days.dayofweek.isin(list(opens))]
    if len(closed) > MOST_CLOSED * len(days):
        return (
            f"{where}: expected prices on {exchange}'s trading days, received {len(closed)} "
            f"of {len(days)} days on a {_names(set(closed.dayofweek))}, when it is closed "
            f"(the first {closed[0]:%Y-%m-%d}{_whose(symbols, rows == closed[0])})"
            + _mixed(symbols, ~rows.dayofweek.isin(list(opens)))
        )
    if len(days) <= MOST_MISSING * len(sessions):
        return (
            f"{where}: expected daily prices, a row on each {exchange} trading day, received "
            f"rows on {len(days)} of its {len(sessions)} sessions from {start:%Y-%m-%d} to "
            f"{end:%Y-%m-%d} {_NOT_DAILY}"
        )
    if (end - start).days >= _WEEKS and opens - trades:
        return (
            f"{where}: expected a row on each {exchange} trading day, received none on a "
            f"{_names(opens - trades)} in {len(days)} days"
        )
    if symbols is None:
        return None
    kept = (rows >= start) & (rows <= end)  # a panel: each symbol's weekdays too
    said = f"{where}: expected a row on each {exchange} trading day, received none on a"
    return _absent(rows[kept], np.asarray(symbols)[kept], opens, said)


def _absent(rows: pd.DatetimeIndex, symbols: np.ndarray, opens: set, said: str) -> str | None:
    """A panel's symbols with no row on a weekday the exchange opens (stocks beside a
    cryptocurrency on 24/7, whose days together fill every weekday), over two weeks or more
    of their own; None when there are none."""
    frame = pd.DataFrame({"symbol": symbols, "day": rows})
    span = frame.groupby("symbol")["day"].agg(lambda d: (d.max() - d.min()).days)
    seen = pd.crosstab(frame["symbol"], frame["day"].dt.dayofweek) > 0  # [symbols, weekdays]
    seen = seen.reindex(columns=sorted(opens), fill_value=False).loc[span.index[span >= _WEEKS]]
    short = seen.index[~seen.all(axis=1)]
    if not len(short):
        return None
    missing = {d for d in sorted(opens) if not seen.loc[short, d].all()}
    names = ", ".join(short[:3]) + (" ..." if len(short) > 3 else "")
    return f"{said} {_names(missing)} for {names} ({len(short)} of {len(seen)}) {_APART}"


def _calendar_from(exchange: str, start: pd.Timestamp, bound):
    """A calendar with `start` among its sessions: the default one when it reaches that far
    back, else one from the start of that year (one calendar a year, not a day)."""
    known = _calendar(exchange)
    if start >= known.first_session:
        return known
    year = pd.Timestamp(start.year, 1, 1)
    return _calendar(exchange, f"{year if bound is None else max(year, bound):%Y-%m-%d}")


def _whose(symbols, on_day: np.ndarray) -> str:
    """ ", of BTC, ETH": a panel's symbols with a row on a day (`on_day`, a mask of rows)."""
    if symbols is None:
        return ""
    found = sorted(set(np.asarray(symbols)[on_day]))
    return f", of {', '.join(found[:3])}{' ...' if len(found) > 3 else ''}"


def _mixed(symbols, closed: np.ndarray) -> str:
    """ " (symbols that trade on other days ...)" when only some of a panel's symbols have
    rows on closed days (`closed`, a mask of rows): then no one calendar fits them all."""
    if symbols is None:
        return ""
    symbols = np.asarray(symbols)
    return f" {_APART}" if set(symbols[closed]) != set(symbols) else ""


def _names(weekdays: set[int]) -> str:
    names = [_WEEKDAYS[d] for d in sorted(weekdays)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def next_sessions(
    last: pd.Timestamp,
    count: int,
    exchange: str = DEFAULT_EXCHANGE,
    since: pd.Timestamp | None = None,
) -> pd.DatetimeIndex:
    """The `count` trading days of `exchange` after `last`.

    Args:
        last: the last day with a known close.
        count: trading days wanted.
        exchange: an exchange_calendars name or alias (XNYS, NYSE, XLON, ...).
        since: a day the calendar should start on or before, so that many calls with
            later `last` days share one calendar (a walk-forward); default `last`.

    Raises:
        StockcasterError: an unknown exchange, or days beyond the calendar's end.
    """
    # Building a calendar costs time per year it spans: start it just before `last`.
    first = pd.Timestamp(last if since is None else min(since, last))
    calendar = _calendar(exchange, f"{first - pd.Timedelta(days=7):%Y-%m-%d}")
    end = min(pd.Timestamp(last) + pd.Timedelta(days=2 * count + 14), calendar.last_session)
    sessions = calendar.sessions_in_range(pd.Timestamp(last) + pd.Timedelta(days=1), end)
    if len(sessions) < count:
        raise StockcasterError(
            f"{exchange}: expected {count} trading days after {last:%Y-%m-%d}, the calendar "
            f"has {len(sessions)} (it ends {calendar.last_session:%Y-%m-%d})"
        )
    return pd.DatetimeIndex(sessions[:count]).tz_localize(None)
