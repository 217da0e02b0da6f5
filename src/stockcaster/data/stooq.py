"""Stooq's daily prices: one CSV over plain HTTP (`/q/d/l/?s=msft.us&i=d&d1=..&d2=..`).

Its header is `Date,Open,High,Low,Close,Volume` and its prices are adjusted for splits and
dividends, so it gives adjusted closes only. A bare ticker is a US one (`MSFT` is asked as
`msft.us`); one with a market suffix (`VOD.UK`) is asked as it is. Stooq answers an unknown
ticker with the text "No data" and a spent daily quota with "Exceeded the daily hits
limit", both with HTTP 200: each becomes one line naming the ticker.
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pandas as pd

from stockcaster.errors import StockcasterError

STOOQ_URL = "https://stooq.com"
HEADER = ["Date", "Open", "High", "Low", "Close", "Volume"]
TIMEOUT_S = 30


def stooq_answer(request, base_url: str | None, folder) -> tuple[pd.DataFrame, int, str]:
    """One ticker's daily rows as cells under canonical names (CSV lines from 2); Stooq
    keeps no files of its own (`folder` unused)."""
    where = f"stooq {request.ticker}"
    text = _get(_url(request, base_url), where)
    head = text.lstrip()[:60]
    if head.startswith("No data"):
        return pd.DataFrame(), 2, "line"
    if head.lower().startswith("exceeded the daily hits limit"):
        raise StockcasterError(
            f"{where}: expected prices, received Stooq's 'Exceeded the daily hits limit' "
            "(rate limited: fetch again tomorrow)"
        )
    try:
        cells = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError):
        raise StockcasterError(f"{where}: expected Stooq's daily CSV, received {head!r}") from None
    if list(cells.columns)[: len(HEADER)] != HEADER:
        raise StockcasterError(
            f"{where}: expected Stooq's CSV header {','.join(HEADER)}, received {head[:40]!r}"
        )
    cells = cells[HEADER].rename(columns=str.lower)
    return cells.replace("", None), 2, "line"


def _url(request, base_url: str | None) -> str:
    symbol = request.ticker.lower()
    if "." not in symbol and not symbol.startswith("^"):
        symbol += ".us"
    query = {"s": symbol, "i": "d"}
    for key, day in (("d1", request.start), ("d2", request.end)):
        if day is not None:
            query[key] = day.replace("-", "")
    return f"{(base_url or STOOQ_URL).rstrip('/')}/q/d/l/?{urlencode(query)}"


def _get(url: str, where: str) -> str:
    """The answer's text, or one line saying why there is none."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:  # noqa: S310 (http/s)
            return answer.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as err:
        why = " (rate limited: wait, then fetch again)" if err.code == 429 else ""
        raise StockcasterError(
            f"{where}: expected prices, received HTTP {err.code} {err.reason}{why}"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise StockcasterError(
            f"{where}: expected an answer from {url.split('/q/')[0]}, received no connection "
            f"({reason})"
        ) from None
