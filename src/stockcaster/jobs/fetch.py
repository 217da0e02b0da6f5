"""`stockcaster fetch`: tickers' daily prices downloaded once into the local cache, and
`--ticker` (`--tickers` for a universe) on the commands that read prices: the cached
files, fetched first if missing.

The steps: check every ticker and option (data/sources.py) before any download; for each
ticker, keep the cache file that already answers the request (store/price_cache.py), or
download it (a source of the registry, the answer validated as a file is); with `--update`,
download only the sessions from a few before the cached last one: if those overlapping
sessions' prices differ from the cached ones, the source has restated the history (a split,
a dividend in adjusted closes), and the whole series is downloaded again, and the result
says so; otherwise the new sessions are appended. Nothing is written until every ticker's
download has succeeded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.sources import DEFAULT_SOURCE, PriceRequest, check_request, download
from stockcaster.data.validate import check_fill
from stockcaster.data.yahoo import forget_cache
from stockcaster.errors import StockcasterError
from stockcaster.jobs.envelope import job
from stockcaster.store.price_cache import cache_root, cached_path, read_cached, write_cached

OVERLAP = 5  # cached sessions downloaded again by --update, to see a restated history
KEPT_DOWNLOADS = 20  # the downloads a cache file's record lists, the latest last


@dataclass(frozen=True)
class FetchRequest:
    """What `fetch` downloads: tickers, their source, dates, price kind, and whether to
    update cached ones; `cache` None is the default folder (store/price_cache.py)."""

    tickers: tuple[str, ...]
    source: str = DEFAULT_SOURCE
    start: str | None = None
    end: str | None = None
    prices: str = "adjusted"
    update: bool = False
    cache: str | Path | None = None
    fill: str | None = None

    def wanted(self, ticker: str) -> PriceRequest:
        return PriceRequest(ticker.upper(), self.start, self.end, self.prices)


@dataclass(frozen=True)
class Fetched:
    """One ticker's cache file after `fetch`, and what was done to it."""

    ticker: str
    path: Path
    rows: int
    first: str
    last: str
    status: str  # downloaded, cached, up to date, appended N sessions, restated: ...


@job
def fetch(request: FetchRequest) -> list[Fetched]:
    """Download (or keep) every ticker of `request` in the cache; one result per ticker.

    Raises:
        StockcasterError: a bad request, or a failed or bad download (naming the source and
            ticker), before anything is written.
    """
    _check(request)
    for ticker in request.tickers:  # as given, for the message
        check_request(request.source, PriceRequest(ticker, request.start, request.end,
                                                    request.prices))  # fmt: skip
    tickers = [t.upper() for t in request.tickers]
    if not tickers or len(set(tickers)) != len(tickers):
        raise StockcasterError(
            f"tickers: expected one or more distinct tickers, received {' '.join(tickers)!r}"
        )
    root = cache_root(request.cache)
    new = not root.exists()
    try:
        return _fetch_all(request, tickers, root)
    except BaseException:
        if new and root.exists() and forget_cache():  # a new cache folder: left as it was,
            shutil.rmtree(root, ignore_errors=True)  # without the source's files in it
        raise


def _check(request: FetchRequest) -> None:
    """A Python caller's request, checked as its options are (a string of tickers would be
    read letter by letter: MSFT as M, S, F and T).

    Raises:
        StockcasterError: naming the setting.
    """
    if isinstance(request.tickers, str):
        raise StockcasterError(
            f"tickers: expected a tuple of tickers, received {request.tickers!r}"
        )
    check_fill(request.fill)
    if request.cache is not None and not isinstance(request.cache, str | os.PathLike):
        raise StockcasterError(f"--cache: expected a folder's path, received {request.cache!r}")


def _fetch_all(request: FetchRequest, tickers: list[str], root: Path) -> list[Fetched]:
    done, writes = [], []
    for ticker in tickers:
        path = cached_path(root, request.source, ticker, request.prices)
        table, record, status = _one(request, ticker, path, root)
        if status != "cached":
            writes.append((path, table, record))
        dates = pd.to_datetime(table[C.DATE])
        done.append(Fetched(ticker, path, len(table), f"{dates.min():%Y-%m-%d}",
                            f"{dates.max():%Y-%m-%d}", status))  # fmt: skip
    for path, table, record in writes:  # every download succeeded: now the files
        write_cached(path, table, record)
    return done


def ticker_file(ticker: str, start: str | None = None, source: str = DEFAULT_SOURCE) -> Path:
    """`--ticker T [--start D]`: the ticker's adjusted prices in the cache, downloaded first
    when no cache file answers (a cached one is read without the network)."""
    return fetch(FetchRequest((ticker,), source, start))[0].path


def panel_file(tickers: list[str], start: str | None = None, source: str = DEFAULT_SOURCE):
    """`--tickers A,B [--start D]`: one long file of the tickers' cached adjusted prices
    (each downloaded first when no cache file answers), for a universe's commands; kept in
    the cache's `panels` folder under a name of the request's own."""
    done = fetch(FetchRequest(tuple(tickers), source, start))
    tables = [read_cached(f.path)[0] for f in done]
    key = hashlib.sha256(json.dumps([[str(f.path), f.rows, f.last] for f in done]).encode())
    path = done[0].path.parent.parent / "panels" / f"{key.hexdigest()[:16]}.parquet"
    if not path.exists():
        write_cached(path, pd.concat(tables, ignore_index=True),
                     {"source": source, "request": {"tickers": [f.ticker for f in done],
                                                    "start": start}})  # fmt: skip
    return path


def _one(request: FetchRequest, ticker: str, path: Path, root: Path) -> tuple:
    """A ticker's table, record and what was done: kept, downloaded, updated or restated."""
    wanted = request.wanted(ticker)
    if path.exists():
        table, record = read_cached(path)
        if request.update:
            return _update(request, table, record, root)
        if _answers(record["request"], wanted):
            return table, record, "cached"
    table = download(request.source, wanted, root, request.fill)
    return table, _record(request.source, wanted, table, "full", []), "downloaded"


def _answers(kept: dict, wanted: PriceRequest) -> bool:
    """Whether a cache file's request answers `wanted` (a start or end not given: any)."""
    return all(getattr(wanted, k) in (None, kept.get(k)) for k in ("start", "end"))


def _update(request: FetchRequest, table: pd.DataFrame, record: dict, root: Path) -> tuple:
    """The cached table with the sessions after it appended, or downloaded whole again
    when the overlapping sessions' prices were restated."""
    kept = PriceRequest(**record["request"])
    since = f"{pd.Timestamp(table[C.DATE].iloc[-min(OVERLAP, len(table))]):%Y-%m-%d}"
    newer = download(request.source, PriceRequest(kept.ticker, since, kept.end, kept.prices),
                     root, request.fill)  # fmt: skip
    if _restated(table, newer):
        whole = download(request.source, kept, root, request.fill)
        status = f"restated: its history changed before {since}, downloaded again whole"
        return whole, _record(request.source, kept, whole, "full", record["downloads"]), status
    last = pd.Timestamp(table[C.DATE].iloc[-1])
    added = newer[pd.to_datetime(newer[C.DATE]) > last]
    if added.empty:
        return table, record, "cached"  # nothing newer: the file stays as it is
    merged = pd.concat([table, added], ignore_index=True)
    status = f"appended {len(added)} sessions"
    return merged, _record(request.source, kept, added, "update", record["downloads"]), status


def _restated(table: pd.DataFrame, newer: pd.DataFrame) -> bool:
    """Whether the sessions in both differ in a price (a relative 1e-6 and more), or the
    cached ones are missing from the new answer."""
    old = table.assign(date=pd.to_datetime(table[C.DATE])).set_index(C.DATE)
    new = newer.assign(date=pd.to_datetime(newer[C.DATE])).set_index(C.DATE)
    both = old.index.intersection(new.index)
    if len(both) < min(OVERLAP, len(old)):  # sessions the source no longer has
        return True
    for column in (C.CLOSE, C.OPEN, C.ADJ_CLOSE):
        if column in old and column in new:
            a, b = (f.loc[both, column].to_numpy(dtype="float64") for f in (old, new))
            if not np.allclose(a, b, rtol=1e-6, atol=0.0, equal_nan=True):
                return True
    return False


def _record(source: str, request: PriceRequest, rows: pd.DataFrame, kind: str, past: list):
    """A cache file's record: its source, request and downloads (this one last)."""
    dates = pd.to_datetime(rows[C.DATE])
    this = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "kind": kind,
            "rows": len(rows), "first": f"{dates.min():%Y-%m-%d}",
            "last": f"{dates.max():%Y-%m-%d}"}  # fmt: skip
    return {"source": source, "request": request.record(),
            "downloads": [*past, this][-KEPT_DOWNLOADS:]}  # fmt: skip
