"""`stockcaster fetch` and `--ticker`: prices downloaded once into the local cache from a
source of the registry (Yahoo through yfinance, Stooq's CSV), each run against a local
server that answers in the source's format (tests/price_server.py); later runs read the
cache with the network blocked; bad answers are refused in one line, nothing cached."""

from __future__ import annotations

import json
import re
import socket

import numpy as np
import pandas as pd
import pytest
from price_server import Answer, PriceServer, daily_prices, serve
from typer.testing import CliRunner

from conftest import one_line
from stockcaster.cli import app
from stockcaster.store.price_cache import read_cached


@pytest.fixture(scope="module")
def server():
    found = PriceServer()
    http = serve(found)
    yield found
    http.shutdown()


@pytest.fixture
def cache(tmp_path, monkeypatch, server):
    """A fresh cache folder, the sources sent to the local server, its answers reset, and
    yfinance's per-process state (its cookie strategy, crumb) as a new command's."""
    from yfinance.data import SingletonMeta

    SingletonMeta._instances.clear()
    monkeypatch.setenv("STOCKCASTER_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("STOCKCASTER_SOURCE_URL", server.url)
    server.answers.clear()
    server.asked.clear()
    return tmp_path / "cache"


def _fetch(*args: str):
    return CliRunner().invoke(app, ["fetch", *args, "--json"])


def _fetched(result) -> pd.DataFrame:
    assert result.exit_code == 0, result.output
    return pd.DataFrame(json.loads(result.stdout)["fetched"]).set_index("ticker")


def _no_network(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("the network is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_fetch_then_run_reads_the_cache_without_the_network(cache, server, monkeypatch):
    """`fetch MSFT AAPL --start 2015-01-01`, then `run --ticker MSFT` and `backtest --ticker
    AAPL` with every socket blocked: they read the cache files, whose record names the
    source, the request and the download."""
    server.prices("MSFT", daily_prices("2014-06-02", 420, 1))
    server.prices("AAPL", daily_prices("2014-06-02", 420, 2))
    done = _fetched(_fetch("MSFT", "aapl", "--start", "2015-01-01"))
    assert done["status"].tolist() == ["downloaded", "downloaded"]
    assert (done["first"] >= "2015-01-01").all() and set(done.index) == {"MSFT", "AAPL"}
    table, record = read_cached(done.loc["MSFT", "path"])
    assert len(table) == done.loc["MSFT", "rows"] and (table["symbol"] == "MSFT").all()
    assert record["source"] == "yahoo" and record["request"]["start"] == "2015-01-01"
    assert record["request"]["prices"] == "adjusted" and record["downloads"][0]["at"]
    assert _fetched(_fetch("MSFT", "--start", "2015-01-01"))["status"].tolist() == ["cached"]
    assert (cache / "yfinance").is_dir()  # yfinance's own files in the cache, not in home
    _no_network(monkeypatch)
    asked = len(server.asked)
    runner = CliRunner()
    ran = runner.invoke(app, ["run", "--ticker", "MSFT", "--model", "drift", "--out",
                              str(cache.parent / "runs"), "--json"])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["data"]["rows"] == done.loc["MSFT", "rows"]
    walked = runner.invoke(app, ["backtest", "--ticker", "AAPL", "--models", "naive,drift",
                                 "--out", str(cache.parent / "runs"), "--json"])  # fmt: skip
    assert walked.exit_code == 0, walked.output
    assert len(server.asked) == asked  # nothing asked of the server


def test_adjusted_and_raw_closes_are_chosen_and_the_sources_agree(cache, server):
    """Across a 2:1 split, raw closes halve (adj_close beside them) and adjusted ones do
    not; Yahoo's adjusted prices equal Stooq's (its CSV's six decimals)."""
    server.prices("MSFT", daily_prices("2015-01-02", 60, 3, split_at=30))
    raw = read_cached(_fetched(_fetch("MSFT", "--prices", "raw")).loc["MSFT", "path"])[0]
    adjusted = read_cached(_fetched(_fetch("MSFT")).loc["MSFT", "path"])[0]
    stooq = read_cached(_fetched(_fetch("MSFT", "--source", "stooq")).loc["MSFT", "path"])[0]
    jump = raw["close"].iloc[30] / raw["close"].iloc[29]
    assert 0.45 < jump < 0.55 and "adj_close" in raw and "adj_close" not in adjusted
    assert 0.9 < adjusted["close"].iloc[30] / adjusted["close"].iloc[29] < 1.1
    np.testing.assert_allclose(adjusted["close"], raw["adj_close"], rtol=1e-12)
    for column in ("open", "high", "low", "close"):
        np.testing.assert_allclose(stooq[column], adjusted[column], rtol=1e-5)


def test_update_appends_new_sessions_and_downloads_a_restated_history_again(cache, server):
    """--update asks only from a few sessions before the cached last one and appends the
    new ones; when those sessions' prices changed (a dividend restates adjusted history),
    the whole series is downloaded again, and the status says so."""
    prices = daily_prices("2015-01-02", 310, 4)
    server.prices("MSFT", prices.head(300))
    _fetched(_fetch("MSFT", "--start", "2015-01-02"))
    server.prices("MSFT", prices)
    server.asked.clear()
    done = _fetched(_fetch("MSFT", "--update"))
    assert done.loc["MSFT", "status"] == "appended 10 sessions" and done.loc["MSFT", "rows"] == 310
    table, record = read_cached(done.loc["MSFT", "path"])
    pd.testing.assert_series_equal(table["date"], pd.Series(prices["date"], name="date"),
                                   check_dtype=False)  # fmt: skip
    assert [d["kind"] for d in record["downloads"]] == ["full", "update"]
    assert _fetched(_fetch("MSFT", "--update")).loc["MSFT", "status"] == "cached"
    restated = prices.copy()
    restated["adj_close"] *= 0.98  # a dividend: every adjusted price before it moves
    server.prices("MSFT", restated)
    done = _fetched(_fetch("MSFT", "--update"))
    assert done.loc["MSFT", "status"].startswith("restated: its history changed")
    table, _ = read_cached(done.loc["MSFT", "path"])
    np.testing.assert_allclose(table["close"], restated["adj_close"], rtol=1e-9)


@pytest.mark.parametrize(
    "source, answer, fragment",
    [
        ("yahoo", None, "yahoo NOPE: expected prices, received HTTP 404 Not Found"),
        ("yahoo", Answer(429, "Too Many Requests", "text/plain"), "HTTP 429 Too Many Requests"),
        ("yahoo", Answer(200, '{"chart": {"result": [{"meta"'), "not Yahoo's JSON (cut short"),
        ("yahoo", "negative", "yahoo NOPE row 4: expected a positive price"),
        ("stooq", None, "stooq NOPE: expected daily prices from the first session"),
        ("stooq", Answer(200, "Exceeded the daily hits limit", "text/plain"), "hits limit"),
        ("stooq", Answer(503, "down", "text/plain"), "NOPE: expected prices, received HTTP 503"),
        ("stooq", Answer(200, "Date,Open,High,Low,Close,Volume\n2015-01-02,1,2,0.5,1.5,9\n"
                         "2015-01-05,1,2,0.5,1.", "text/csv"), "missing values (first at line 3)"),
        ("stooq", Answer(200, "<html>moved</html>", "text/html"), "expected Stooq's CSV header"),
    ],
)  # fmt: skip
def test_bad_answers_are_refused_in_one_line_and_nothing_is_cached(
    cache, server, source, answer, fragment
):
    if isinstance(answer, Answer):
        server.fail("NOPE", answer.status, answer.body, answer.kind)
    elif answer == "negative":
        bad = daily_prices("2015-01-02", 20, 5)
        bad.loc[3, ["open", "close", "adj_close"]] = -1.0
        server.prices("NOPE", bad)
    one_line(_fetch("NOPE", "--source", source, "--prices", "adjusted"), fragment)
    assert not cache.exists()  # a new cache folder: nor yfinance's cookie and time zones


def test_a_fetch_after_a_failed_one_into_a_new_cache_keeps_yfinance_s_files_there(cache, server):
    """A failed fetch into a new cache folder left yfinance's databases in it; removing the
    folder made the next fetch in the process fail: yfinance kept its databases open there.
    And a fetch into another cache than the process's first kept them in the first (here:
    the folder of the test that first fetched from Yahoo)."""
    one_line(_fetch("NOPE"), "yahoo NOPE: expected prices, received")
    assert not cache.exists()
    server.prices("MSFT", daily_prices("2015-01-02", 30, 1))
    assert _fetched(_fetch("MSFT"))["status"].tolist() == ["downloaded"]
    assert sorted(p.name for p in (cache / "yfinance").glob("*.db")) == ["cookies.db", "tkr-tz.db"]


def test_no_connection_to_yahoo_is_said_so(cache, monkeypatch):
    """Without a network, yfinance's HTTP client (curl_cffi) raises a connection error that
    carries a response of status 0: told as no connection, not as "HTTP 0"."""
    import yfinance
    from curl_cffi.requests import Response
    from curl_cffi.requests.exceptions import DNSError

    def unreachable(*args, **kwargs):
        answer = Response()
        answer.status_code = 0
        raise DNSError("Could not resolve host: query2.finance.yahoo.com", 6, answer)

    monkeypatch.setattr(yfinance.Ticker, "history", unreachable)
    one_line(_fetch("MSFT"), "yahoo MSFT: expected prices, received no connection to Yahoo")
    assert not cache.exists()


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["fetch", "../etc"], "ticker: expected letters, digits and . - = ^"),
        (["fetch", "MSFT", "--start", "2015-13-01"], "--start: expected a date YYYY-MM-DD"),
        (["fetch", "MSFT", "--start", "2016-01-01", "--end", "2015-01-01"], "on or after"),
        (["fetch", "MSFT", "--start", "2999-01-01"], "--start: expected a day up to today"),
        (["fetch", "MSFT", "--source", "stooq", "--prices", "raw"], "--prices: expected adjusted"),
        (["fetch", "MSFT", "msft"], "expected one or more distinct tickers"),
        (["run", "--ticker", "MSFT", "--data", "x.csv"], "--ticker: expected it instead of --data"),
        (["run", "--start", "2015-01-01"], "--start: expected --ticker with it"),
        # --columns maps a file's headers: with a ticker's cache or the embedded data it was
        # silently ignored.
        (["run", "--ticker", "MSFT", "--columns", "close=Last"], "received --columns too"),
        (["universe", "--tickers", "A,B", "--columns", "close=Last"], "received --columns too"),
        (["tune", "--ticker", "MSFT", "--columns", "close=Last"], "received --columns too"),
        (["run", "--columns", "close=Last"], "--columns: expected --data FILE whose headers"),
        (["run", "--data", "x.csv", "--columns", "close=Last,close=Price"], "'close' twice"),
        # --fill fills a file's missing values: with a ticker or the embedded data, ignored
        (["run", "--ticker", "MSFT", "--fill", "ffill"], "received --fill too"),
        (["universe", "--tickers", "A,B", "--fill", "drop"], "received --fill too"),
        (["run", "--fill", "ffill"], "--fill: expected --data FILE whose missing values it"),
    ],
)
def test_bad_requests_are_refused_before_any_download(cache, server, args, fragment):
    one_line(CliRunner().invoke(app, args), fragment)
    assert server.asked == [] and not cache.exists()


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        # a string of tickers was read letter by letter: M, S, F and T were downloaded.
        ({"tickers": "MSFT"}, "tickers: expected a tuple of tickers, received 'MSFT'"),
        # TypeErrors
        ({"start": 20150101}, "--start: expected a date YYYY-MM-DD, received 20150101"),
        ({"tickers": (5,)}, "ticker: expected letters, digits and . - = ^ (at most 20), "
                            "received 5"),
        ({"cache": 5}, "--cache: expected a folder's path, received 5"),
        # refused after the download
        ({"fill": "zero"}, "--fill: expected one of drop, ffill, received 'zero'"),
    ],
)  # fmt: skip
def test_a_python_caller_s_bad_request_is_refused_before_any_download(
    cache, server, settings, fragment
):
    """`FetchRequest` from Python, checked as `fetch`'s options are."""
    from stockcaster.errors import StockcasterError
    from stockcaster.jobs.fetch import FetchRequest, fetch

    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        fetch(FetchRequest(**{"tickers": ("MSFT",), **settings}))
    assert server.asked == [] and not cache.exists()


def test_a_damaged_cache_file_is_refused_in_one_line(cache, server):
    server.prices("MSFT", daily_prices("2015-01-02", 30, 6))
    path = _fetched(_fetch("MSFT")).loc["MSFT", "path"]
    with open(path, "r+b") as damaged:
        damaged.truncate(100)
    one_line(_fetch("MSFT"), "expected a price cache file stockcaster wrote")


def test_a_universe_of_tickers_reads_their_cached_prices(cache, server, monkeypatch):
    """`universe --tickers A,B,C`: each ticker downloaded once into the cache, the panel
    one long file of them; the same universe again reads the cache, the network blocked."""
    for seed, ticker in enumerate(("MSFT", "AAPL", "IBM")):
        server.prices(ticker, daily_prices("2014-01-02", 320, 10 + seed))
    ask = ["universe", "--tickers", "MSFT,AAPL,IBM", "--start", "2014-01-02", "--models",
           "naive,drift", "--mode", "per-symbol", "--json"]  # fmt: skip
    runner = CliRunner()
    first = runner.invoke(app, [*ask, "--out", str(cache.parent / "u1")])
    assert first.exit_code == 0, first.output
    _no_network(monkeypatch)
    again = runner.invoke(app, [*ask, "--out", str(cache.parent / "u2")])
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["symbols"] == {"done": 3, "skipped": 0, "failed": 0}
    for chosen in (json.loads(first.stdout), summary):
        assert chosen["leaderboard"] == summary["leaderboard"]
