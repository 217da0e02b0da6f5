"""Where prices come from when a user names a ticker, not a file: a registry of sources.

A source downloads one ticker's daily OHLCV for a request (dates, adjusted or raw closes)
and hands back the answer's cells under canonical names; from there an answer is a price
file like any other: `validate.parse_prices` checks every cell, so a bad value in an answer
is refused in one line that names the source, the ticker and the row, as a bad file's is.
Adding a source is one entry in `SOURCES`.

`STOCKCASTER_SOURCE_URL` sends every request to a mirror of the source's API instead (a
proxy, or the local server the tests run): the path and query stay the source's own.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stockcaster.data.readers import RawPrices
from stockcaster.data.stooq import stooq_answer
from stockcaster.data.validate import FillPolicy, parse_prices
from stockcaster.data.yahoo import yahoo_answer
from stockcaster.errors import StockcasterError

SOURCE_URL = "STOCKCASTER_SOURCE_URL"
PRICE_KINDS = ("adjusted", "raw")
_TICKER = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-=^]{0,19}|\^[A-Za-z0-9.\-=]{1,19}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class PriceRequest:
    """One ticker's daily prices: `start` to `end` (inclusive, YYYY-MM-DD; None: the first
    session the source has, or the last), adjusted for splits and dividends or raw."""

    ticker: str
    start: str | None = None
    end: str | None = None
    prices: str = "adjusted"

    def record(self) -> dict:
        return {"ticker": self.ticker, "start": self.start, "end": self.end,
                "prices": self.prices}  # fmt: skip


@dataclass(frozen=True)
class PriceSource:
    """A source: how it downloads (`answer(request, base_url, folder) -> (cells, first
    line, unit)`, `folder` one it may keep files of its own in), the price kinds it gives,
    and the package it needs."""

    name: str
    help: str
    answer: Callable[[PriceRequest, str | None, Path], tuple[pd.DataFrame, int, str]]
    kinds: tuple[str, ...] = PRICE_KINDS
    requires: str | None = None  # a package, installed with stockcaster[fetch]


SOURCES: dict[str, PriceSource] = {
    "yahoo": PriceSource(
        "yahoo",
        "Yahoo Finance through yfinance: adjusted or raw closes",
        yahoo_answer,
        requires="yfinance",
    ),  # fmt: skip
    "stooq": PriceSource(
        "stooq",
        "Stooq's daily CSV over plain HTTP: adjusted closes only",
        stooq_answer,
        kinds=("adjusted",),
    ),  # fmt: skip
}
DEFAULT_SOURCE = "yahoo"


def check_request(source: str, request: PriceRequest) -> PriceSource:
    """The source, once the request suits it.

    Raises:
        StockcasterError: an unknown source or price kind, a ticker that is no ticker,
            dates that are not YYYY-MM-DD or run backwards, or a package not installed.
    """
    if source not in SOURCES:
        raise StockcasterError(
            f"--source: expected one of {', '.join(SOURCES)}, received {source!r}"
        )
    chosen = SOURCES[source]
    if not (isinstance(request.ticker, str) and _TICKER.fullmatch(request.ticker)):
        raise StockcasterError(
            f"ticker: expected letters, digits and . - = ^ (at most 20), received "
            f"{_shown(request.ticker)!r}"
        )
    for option, day in (("--start", request.start), ("--end", request.end)):
        if day is not None and not (
            isinstance(day, str) and _DATE.fullmatch(day) and _is_date(day)
        ):
            raise StockcasterError(
                f"{option}: expected a date YYYY-MM-DD, received {_shown(day)!r}"
            )
    if request.start and request.end and request.start > request.end:
        raise StockcasterError(
            f"--end: expected a date on or after --start {request.start}, received {request.end}"
        )
    today = f"{datetime.date.today():%Y-%m-%d}"
    if request.start and request.start > today:  # no session to download yet
        raise StockcasterError(
            f"--start: expected a day up to today {today}, received {request.start}"
        )
    if request.prices not in chosen.kinds:
        raise StockcasterError(
            f"--prices: expected {' or '.join(chosen.kinds)} from {source} ({chosen.help}), "
            f"received {request.prices!r}"
        )
    if chosen.requires is not None and not _installed(chosen.requires):
        raise StockcasterError(
            f"--source {source}: expected the {chosen.requires} package, received none "
            "installed (pip install 'stockcaster[fetch]')"
        )
    return chosen


def _shown(value):
    """A value as a refusal shows it: a string's first 40 characters, anything else whole."""
    return value[:40] if isinstance(value, str) else value


def download(
    source: str, request: PriceRequest, folder: Path, fill: FillPolicy | None = None
) -> pd.DataFrame:
    """One ticker's prices from `source`, validated as a file's are (`fill`: the policy for
    rows with a missing value, None refuses them): date, symbol (the ticker), open, high,
    low, close, volume (and adj_close for raw closes), by date. `folder` is where the
    source may keep files of its own (yfinance's time zones), the price cache's.

    Raises:
        StockcasterError: a bad request, an error, a rate limit, no rows, or a bad value
            in the answer: one line naming the source and ticker.
    """
    chosen = check_request(source, request)
    cells, first_line, unit = chosen.answer(request, os.environ.get(SOURCE_URL) or None, folder)
    where = f"{source} {request.ticker}"
    if cells.empty:
        span = f"from {request.start or 'the first session'} to {request.end or 'today'}"
        raise StockcasterError(f"{where}: expected daily prices {span}, received none")
    cells.insert(1, "symbol", request.ticker.upper())
    raw = RawPrices(frame=cells, source=where, first_line=first_line, unit=unit)
    return parse_prices(raw, fill)


def _is_date(text: str) -> bool:
    try:
        pd.Timestamp(text)
    except ValueError:
        return False
    return True


def _installed(package: str) -> bool:
    # Delayed import: only to ask whether an optional package is there.
    import importlib.util

    return importlib.util.find_spec(package) is not None
