"""Yahoo Finance's daily prices, through `yfinance` (an extra: `stockcaster[fetch]`).

yfinance asks Yahoo's chart API for the session's cookie and crumb, then the ticker's
daily bars; it is asked for raw bars and the adjusted close beside them
(`auto_adjust=False`), so both kinds come from one answer: raw keeps the closes and the
`adj_close` column; adjusted scales open, high, low and close by adj_close / close (splits
and dividends), as Yahoo's own adjusted prices are. Its errors (no such ticker, a rate
limit, a connection that fails) become one line naming the ticker. yfinance's own cache of
time zones is kept in stockcaster's price cache folder, not the user's home.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pandas as pd

from stockcaster.errors import StockcasterError

_COLUMNS = {"Open": "open", "High": "high", "Low": "low", "Close": "close",
            "Adj Close": "adj_close", "Volume": "volume"}  # fmt: skip


def yahoo_answer(request, base_url: str | None, folder: Path) -> tuple[pd.DataFrame, int, str]:
    """One ticker's daily bars as cells under canonical names (a row per session);
    yfinance keeps its time zones and cookies in `folder`/yfinance."""
    # Delayed import: yfinance (an extra), only when prices are fetched from Yahoo.
    import yfinance as yf

    _cache_in(Path(folder) / "yfinance")
    yf.config.debug.hide_exceptions = False  # its errors raised, to be told in one line
    end = None if request.end is None else pd.Timestamp(request.end) + pd.Timedelta(days=1)
    ticker = yf.Ticker(request.ticker, session=_session(base_url))
    quiet = logging.getLogger("yfinance")  # its cookie and retry notes: the error says it
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        bars = ticker.history(start=request.start or "1970-01-02", end=end, interval="1d",
                              auto_adjust=False, actions=False, repair=False)  # fmt: skip
    except yf.exceptions.YFRateLimitError:
        raise StockcasterError(
            f"yahoo {request.ticker}: expected prices, received HTTP 429 Too Many Requests "
            "(rate limited: wait, then fetch again)"
        ) from None
    except Exception as err:  # yfinance, requests and curl_cffi raise many types
        raise StockcasterError(
            f"yahoo {request.ticker}: expected prices, received {_said(err)}"
        ) from None
    finally:
        quiet.setLevel(level)
    return _cells(bars, request.prices), 1, "row"


def _said(err: Exception) -> str:
    """An error in a few words: no connection as such, an HTTP status as such (404: no such
    ticker, as Yahoo answers one), else the error's own text on one line."""
    status = getattr(getattr(err, "response", None), "status_code", None)
    if "ConnectionError" in {k.__name__ for k in type(err).__mro__}:
        # curl_cffi's carries a response of status 0: no answer, not an HTTP status
        return "no connection to Yahoo (is the network reachable?)"
    if status == 404:
        return "HTTP 404 Not Found (no such ticker at Yahoo)"
    if status is not None:
        return f"HTTP {status}"
    if isinstance(err, ValueError) and "Expecting" in str(err):
        return "an answer that is not Yahoo's JSON (cut short, or another page)"
    return " ".join(str(err).split())[:160] or err.__class__.__name__


def _cells(bars: pd.DataFrame, prices: str) -> pd.DataFrame:
    """yfinance's bars (indexed by the exchange's local time) as canonical cells."""
    missing = [c for c in _COLUMNS if c not in bars.columns]
    if len(bars) and missing:
        raise StockcasterError(f"yahoo: expected the columns {', '.join(_COLUMNS)}, received "
                               f"none named {missing[0]!r}")  # fmt: skip
    cells = bars.reindex(columns=list(_COLUMNS)).rename(columns=_COLUMNS)
    index = pd.DatetimeIndex(bars.index)
    days = index.tz_localize(None) if index.tz is not None else index
    cells.insert(0, "date", days.strftime("%Y-%m-%d"))
    if prices == "adjusted":
        factor = cells["adj_close"] / cells["close"]
        for column in ("open", "high", "low", "close"):
            cells[column] = cells[column] * factor
        cells = cells.drop(columns="adj_close")
    return cells.reset_index(drop=True)


def _session(base_url: str | None):
    """A requests session that sends every request to `base_url`'s host instead (None:
    yfinance's own session, to Yahoo)."""
    if base_url is None:
        return None
    # Delayed import: requests comes with yfinance, needed only with a mirror.
    import requests

    mirror = urlsplit(base_url)

    class Mirrored(requests.Session):
        def request(self, method, url, *args, **kwargs):
            parts = urlsplit(url)
            moved = (mirror.scheme, mirror.netloc, parts.path, parts.query, parts.fragment)
            return super().request(method, urlunsplit(moved), *args, **kwargs)

    return Mirrored()


# yfinance's cache managers (yfinance/cache.py): each holds its database open for the process.
_MANAGERS = (("_TzCacheManager", "_tz_cache"), ("_CookieCacheManager", "_Cookie_cache"),
             ("_ISINCacheManager", "_isin_cache"))  # fmt: skip


_cache_folder: list[Path] = []  # where this process last told yfinance to keep its cache


def _cache_in(folder: Path) -> None:
    """Keep yfinance's cache in `folder`: a fetch into another cache than the process's
    last one had its time zones and cookies kept in that last folder (yfinance's location
    takes effect only before its databases are first opened)."""
    # Delayed import: yfinance (an extra), only when prices are fetched from Yahoo.
    import yfinance as yf

    if _cache_folder and _cache_folder[0] != folder:
        forget_cache()
    yf.set_tz_cache_location(str(folder))
    _cache_folder[:] = [folder]


def forget_cache() -> bool:
    """Close and forget yfinance's cache databases (time zones, cookies, ISINs), so that its
    next request opens them anew where `set_tz_cache_location` points; whether it could.

    yfinance keeps each open for the process and has no public call to let them go: a
    folder they were in could not be removed without the next fetch in the process failing
    ("unable to open database file"). False where yfinance lacks these managers (another
    version): then the folder is to be kept.
    """
    cache = sys.modules.get("yfinance.cache")
    if cache is None:
        return True  # never imported: nothing is open
    managers = [(getattr(cache, kind, None), held) for kind, held in _MANAGERS]
    location = getattr(getattr(cache, "_TzDBManager", None), "get_location", None)
    if location is None or not all(hasattr(m, held) for m, held in managers):
        return False
    cache.set_cache_location(location())  # closes the databases
    for manager, held in managers:
        setattr(manager, held, None)  # a new one opens the database again when asked
    return True
