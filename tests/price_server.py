"""A local HTTP server that answers as the price sources do, in their documented formats:
Yahoo's chart API (v8 JSON, with its cookie and crumb) and Stooq's daily CSV. Tests tell it
what each ticker's answer is (prices, an error, a rate limit, an empty or cut answer) and
point stockcaster at it with STOCKCASTER_SOURCE_URL; nothing leaves the machine."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd

NEW_YORK = "America/New_York"


def daily_prices(start: str, days: int, seed: int = 0, split_at: int | None = None):
    """`days` sessions of OHLCV from `start` (business days), a random walk; with
    `split_at`, a 2:1 split that day (the raw closes halve there, the adjusted do not)."""
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.015, days)))
    frame = pd.DataFrame({"date": pd.bdate_range(start, periods=days)})
    frame["open"] = close * np.exp(rng.normal(0, 0.004, days))
    frame["close"] = close
    frame["high"] = np.maximum(frame["open"], close) * 1.006
    frame["low"] = np.minimum(frame["open"], close) * 0.994
    frame["volume"] = rng.integers(1_000, 5_000, days)
    frame["adj_close"] = close * 0.97  # dividends: the adjusted close a little lower
    if split_at is not None:
        for column in ("open", "high", "low", "close"):
            frame.loc[split_at:, column] /= 2
        frame.loc[split_at:, "adj_close"] /= 2  # adjusted: the same moves as before
        frame.loc[: split_at - 1, "adj_close"] /= 2
    return frame


def chart_json(frame: pd.DataFrame, ticker: str) -> dict:
    """Yahoo's v8 chart answer for `frame`'s days (each at the New York open)."""
    stamps = pd.DatetimeIndex(frame["date"]).tz_localize(NEW_YORK) + pd.Timedelta("9h30min")
    quote = {k: [None if pd.isna(v) else float(v) for v in frame[k]]
             for k in ("open", "high", "low", "close", "volume")}  # fmt: skip
    meta = {"currency": "USD", "symbol": ticker, "exchangeName": "NMS",
            "instrumentType": "EQUITY", "firstTradeDate": 511108200,
            "regularMarketTime": int(stamps[-1].timestamp()) if len(stamps) else 0,
            "gmtoffset": -18000, "timezone": "EST", "exchangeTimezoneName": NEW_YORK,
            "priceHint": 2, "dataGranularity": "1d", "range": "",
            "validRanges": ["1d", "5d", "1mo", "max"]}  # fmt: skip
    adjusted = [{"adjclose": [float(v) for v in frame["adj_close"]]}]
    result = {"meta": meta, "timestamp": [int(s.timestamp()) for s in stamps],
              "indicators": {"quote": [quote], "adjclose": adjusted}}  # fmt: skip
    return {"chart": {"result": [result], "error": None}}


def stooq_csv(frame: pd.DataFrame) -> str:
    """Stooq's daily CSV of `frame` (its prices adjusted: Stooq's closes are)."""
    factor = frame["adj_close"] / frame["close"]
    prices = {k.title(): frame[k] * factor for k in ("open", "high", "low", "close")}
    table = pd.DataFrame({"Date": frame["date"].dt.strftime("%Y-%m-%d"), **prices,
                          "Volume": frame["volume"]})  # fmt: skip
    return table.to_csv(index=False, float_format="%.6f")


@dataclass
class Answer:
    """What the server says to one ticker's price request: a status and a body."""

    status: int
    body: str
    kind: str = "application/json"


@dataclass
class PriceServer:
    """The server's answers per ticker (upper-case) and the price paths it was asked."""

    answers: dict = field(default_factory=dict)
    asked: list = field(default_factory=list)
    url: str = ""

    def prices(self, ticker: str, frame: pd.DataFrame) -> None:
        """Answer `ticker` with `frame`'s prices, cut to each request's dates."""
        self.answers[ticker.upper()] = frame

    def fail(self, ticker: str, status: int, body: str, kind: str = "application/json") -> None:
        self.answers[ticker.upper()] = Answer(status, body, kind)

    def answer(self, path: str) -> Answer:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        if parts.path.endswith("/getcrumb"):
            return Answer(200, "crumb", "text/plain")
        if parts.path.startswith("/v8/finance/chart/"):
            ticker = parts.path.rsplit("/", 1)[-1].upper()
            self.asked.append(("yahoo", ticker))
            return self._yahoo(ticker, query)
        if parts.path.startswith("/v10/finance/quoteSummary/"):  # does the ticker exist?
            ticker = parts.path.rsplit("/", 1)[-1].upper()
            if ticker in self.answers:
                return Answer(200, json.dumps({"quoteSummary": {"result": [{}], "error": None}}))
            error = {"code": "Not Found", "description": f"Quote not found for symbol: {ticker}"}
            return Answer(404, json.dumps({"quoteSummary": {"result": None, "error": error}}))
        if parts.path.startswith("/q/d/l"):
            ticker = query.get("s", [""])[0].split(".")[0].upper()
            self.asked.append(("stooq", ticker))
            return self._stooq(ticker, query)
        return Answer(200, "<html>ok</html>", "text/html")  # the cookie page

    def _yahoo(self, ticker: str, query: dict) -> Answer:
        found = self.answers.get(ticker)
        if isinstance(found, Answer):
            return found
        if found is None:
            error = {"code": "Not Found", "description": "No data found, symbol may be delisted"}
            return Answer(404, json.dumps({"chart": {"result": None, "error": error}}))
        if "period1" in query:
            first = pd.Timestamp(int(query["period1"][0]), unit="s")
            last = pd.Timestamp(int(query["period2"][0]), unit="s")
            found = found[(found["date"] >= first.normalize()) & (found["date"] < last)]
        else:  # range=1d: the last session, for the time zone
            found = found.tail(1)
        return Answer(200, json.dumps(chart_json(found, ticker)))

    def _stooq(self, ticker: str, query: dict) -> Answer:
        found = self.answers.get(ticker)
        if isinstance(found, Answer):
            return found
        if found is None:
            return Answer(200, "No data", "text/plain")
        for key, keep in (("d1", lambda d, x: d >= x), ("d2", lambda d, x: d <= x)):
            if key in query:
                found = found[keep(found["date"], pd.Timestamp(query[key][0]))]
        return Answer(200, stooq_csv(found), "text/csv")


def serve(server: PriceServer):
    """Start answering on a free local port; returns the HTTP server (shut it down)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            answer = server.answer(self.path)
            data = answer.body.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{http.server_address[1]}"
    threading.Thread(target=http.serve_forever, daemon=True).start()
    return http
