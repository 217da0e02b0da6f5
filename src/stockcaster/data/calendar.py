"""Trading days: real exchange sessions from `exchange_calendars` (no weekends, no holidays)."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from stockcaster.errors import StockcasterError

DEFAULT_EXCHANGE = "XNYS"  # the New York Stock Exchange


@lru_cache(maxsize=8)
def _calendar(exchange: str, start: str):
    # Delayed import: exchange_calendars loads every exchange's rules (~1 s).
    import exchange_calendars as xcals

    try:
        return xcals.get_calendar(exchange, start=start)
    except xcals.errors.InvalidCalendarName:
        raise StockcasterError(
            "--exchange: expected a calendar name such as XNYS, NYSE or XLON, "
            f"received {exchange!r}"
        ) from None


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
