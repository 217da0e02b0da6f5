"""The results store of a universe run: one SQLite file, one transaction per symbol (or batch).

Why SQLite: it ships with Python, one file holds every table, and a transaction is
all-or-nothing even when the process is killed (-9) halfway through: the journal rolls
an unfinished transaction back on the next open, so a reader never sees half a symbol.
Each symbol's forecasts, metrics, failures and status row are written together, and the
status row is what `--resume` reads to skip a symbol.

Tables:
    meta(key, value): the run's settings (JSON), checked when a run is resumed.
    symbols(symbol, status, reason, attempts, seconds): status is "done", "skipped"
        (too little history, broken rows) or "failed" (an error after a retry).
    forecasts(symbol, model, date, yhat, actual, naive): one-step forecasts, ISO dates.
    metrics(symbol, model, <leaderboard columns>): per-symbol scores against naive.
    failures(symbol, model, origin, stage, error): windows on which a model failed.
    stages(name, value): whole-run steps done once, e.g. the global model's forecasts.
    stage_forecasts(stage, symbol, date, yhat): the forecasts such a step made.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.evaluation.symbol_scores import FINISHED, SymbolRecord
from stockcaster.store.files import STORE_FILE, json_text, records
from stockcaster.store.sqlite_rows import Transaction, insert_rows, iso_dates

# forecasts is keyed by (symbol, model, date) WITHOUT ROWID: one clustered key serves
# DELETE and ORDER BY, where a rowid table needed a second index to keep up at every insert
# (6.0 -> 3.8 ms a symbol's 1,323 rows here). A store made before keeps its own layout.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS symbols (
    symbol TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT,
    attempts INTEGER NOT NULL, seconds REAL NOT NULL);
CREATE TABLE IF NOT EXISTS forecasts (
    symbol TEXT NOT NULL, model TEXT NOT NULL, date TEXT NOT NULL,
    yhat REAL, actual REAL, naive REAL,
    PRIMARY KEY (symbol, model, date)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metrics (symbol TEXT NOT NULL, model TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS failures (
    symbol TEXT NOT NULL, model TEXT, origin TEXT, stage TEXT, error TEXT);
CREATE TABLE IF NOT EXISTS stages (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stage_forecasts (
    stage TEXT NOT NULL, symbol TEXT NOT NULL, date TEXT NOT NULL, yhat REAL NOT NULL,
    lo REAL, hi REAL);
"""


class ResultsStore:
    """Open (creating if needed) the store of a run folder.

    Args:
        folder: the run folder; the store is `folder / STORE_FILE`.
    """

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / STORE_FILE
        # isolation_level=None: transactions are begun and ended here, explicitly.
        self._db = sqlite3.connect(self.path, isolation_level=None)
        # A write-ahead log, synced at checkpoints only: a transaction stays all or nothing
        # when the process is killed, and committing a symbol does not wait for the disk.
        # A power cut may lose the last symbols written, which --resume then runs again.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        found = {row[1] for row in self._db.execute("PRAGMA table_info(stage_forecasts)")}
        for band in ("lo", "hi") if "lo" not in found else ():  # a store of an older version
            self._db.execute(f"ALTER TABLE stage_forecasts ADD COLUMN {band} REAL")
        # The forecasts written through this store, as written: reading back a universe's
        # 600k rows costs seconds, and they are the same numbers (a test compares them).
        self._written: dict[str, pd.DataFrame] = {}
        self._stored = {row[0] for row in self._db.execute("SELECT symbol FROM symbols")}

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- settings ---------------------------------------------------------------------

    def settings(self) -> dict | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
        return json.loads(row[0]) if row else None

    def save_settings(self, settings: dict) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('settings', ?)",
                (json_text(settings, indent=None),),
            )

    # -- symbols ----------------------------------------------------------------------

    def finished(self) -> set[str]:
        """Symbols whose results are complete: `--resume` skips them."""
        marks = ",".join("?" * len(FINISHED))
        query = f"SELECT symbol FROM symbols WHERE status IN ({marks})"
        return {row[0] for row in self._db.execute(query, FINISHED)}

    def write(self, record: SymbolRecord) -> None:
        """Replace everything stored for `record.symbol`, all at once."""
        self.write_many([record])

    def write_many(self, batch: list[SymbolRecord]) -> None:
        """Replace everything stored for each record's symbol, the whole batch at once."""
        names = [record.symbol for record in batch]
        for name in names:
            self._written.pop(name, None)
        made = [r for r in batch if r.forecasts is not None and len(r.forecasts)]
        with self._transaction():
            again = [(name,) for name in names if name in self._stored]
            for table in ("forecasts", "metrics", "failures", "symbols") if again else ():
                # a symbol is in every table, or (rolled back) in none
                self._db.executemany(f"DELETE FROM {table} WHERE symbol = ?", again)
            written = self._insert_forecasts(made)
            self._insert("metrics", batch, (C.MODEL,), json=True)
            self._insert("failures", batch, C.FAILURE_COLUMNS)
            self._db.executemany(
                "INSERT INTO symbols VALUES (?, ?, ?, ?, ?)",
                [(r.symbol, r.status, r.reason, r.attempts, r.seconds) for r in batch],
            )
        self._stored.update(names)
        self._written |= written  # committed

    def _insert_forecasts(self, made: list[SymbolRecord]) -> dict[str, pd.DataFrame]:
        """Insert the records' forecasts; each symbol's rows, as written, for `forecasts()`."""
        if not made:
            return {}
        frame = pd.concat([r.forecasts for r in made], ignore_index=True)
        sizes = [len(r.forecasts) for r in made]
        symbols = np.repeat(np.array([r.symbol for r in made], dtype=object), sizes)
        values = [frame[c].to_numpy(dtype="float64").tolist() for c in _VALUES]
        columns = [symbols.tolist(), frame["model"].tolist(), iso_dates(frame["date"]), *values]
        insert_rows(self._db, "forecasts", columns)
        frame = pd.DataFrame(
            {C.SYMBOL: symbols, **{c: frame[c].to_numpy() for c in C.STORED_FORECAST_COLUMNS[1:]}}
        )
        keys = [pd.factorize(frame[c], sort=True)[0] for c in (C.DATE, C.MODEL, C.SYMBOL)]
        frame = frame.iloc[np.lexsort(keys)].reset_index(drop=True)  # as the file orders them
        names, starts = np.unique(frame[C.SYMBOL].to_numpy(), return_index=True)
        ends = [*starts[1:], len(frame)]
        return {n: frame.iloc[a:b] for n, a, b in zip(names, starts, ends, strict=True)}

    def _insert(self, table: str, batch: list[SymbolRecord], columns, json: bool = False) -> None:
        """Insert the rows of each record's `table` frame (metrics, failures): the symbol,
        `columns`, and with `json` the whole row as JSON (the metrics' scores)."""
        kept = [r for r in batch if getattr(r, table) is not None]
        frames = [getattr(r, table) for r in kept]
        sizes = [len(f) for f in frames]
        if not sum(sizes):
            return
        symbols = np.repeat([r.symbol for r in kept], sizes).tolist()
        # records() makes NaN None and NumPy scalars plain, as json_text needs
        rows = records(pd.concat([f for f in frames if len(f)], ignore_index=True))
        values = [
            (name, *(row[c] for c in columns), *((json_text(row, indent=None),) if json else ()))
            for name, row in zip(symbols, rows, strict=True)
        ]
        marks = ", ".join("?" * (1 + len(columns) + json))
        self._db.executemany(f"INSERT INTO {table} VALUES ({marks})", values)

    # -- whole-run stages -------------------------------------------------------------

    def stage(self, name: str) -> dict | None:
        row = self._db.execute("SELECT value FROM stages WHERE name = ?", (name,)).fetchone()
        return json.loads(row[0]) if row else None

    def write_stage(self, name: str, value: dict, forecasts: pd.DataFrame) -> None:
        """Record a whole-run step and its forecasts (symbol, date, yhat; lo and hi if an
        interval's) at once."""
        with self._transaction():
            self._db.execute("DELETE FROM stage_forecasts WHERE stage = ?", (name,))
            columns = [[name] * len(forecasts), forecasts["symbol"].tolist()]
            columns += [iso_dates(forecasts["date"]), forecasts["yhat"].astype("float64").tolist()]
            columns += [
                forecasts[band].astype("float64").tolist() if band in forecasts else
                [None] * len(forecasts) for band in ("lo", "hi")
            ]  # fmt: skip
            insert_rows(self._db, "stage_forecasts", columns)
            self._db.execute(
                "INSERT OR REPLACE INTO stages VALUES (?, ?)", (name, json_text(value, indent=None))
            )

    def stage_forecasts(self, name: str) -> pd.DataFrame:
        frame = pd.read_sql_query(
            "SELECT symbol, date, yhat, lo, hi FROM stage_forecasts WHERE stage = ? "
            "ORDER BY symbol, date",
            self._db,
            params=(name,),
        )
        frame["date"] = pd.to_datetime(frame["date"])
        return frame

    # -- reading back -----------------------------------------------------------------

    def symbols(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM symbols ORDER BY symbol", self._db)

    def forecasts(self) -> pd.DataFrame:
        """Every stored forecast (`C.STORED_FORECAST_COLUMNS`), by symbol, model and date.

        Symbols written through this store come from memory, the others (an earlier
        session's, before `--resume`) from the file.
        """
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS written (symbol TEXT PRIMARY KEY)")
        self._db.execute("DELETE FROM written")
        self._db.executemany("INSERT INTO written VALUES (?)", ((s,) for s in self._written))
        frame = pd.read_sql_query(
            "SELECT * FROM forecasts WHERE symbol NOT IN (SELECT symbol FROM written) "
            "ORDER BY symbol, model, date",
            self._db,
        )
        frame["date"] = pd.to_datetime(frame["date"])
        if not self._written:
            return frame
        written = [self._written[name] for name in sorted(self._written)]  # each one ordered
        if not len(frame):
            return pd.concat(written, ignore_index=True)
        frame = pd.concat([frame, *written], ignore_index=True)
        order = frame.sort_values([C.SYMBOL, C.MODEL, C.DATE], kind="stable").index
        return frame.loc[order].reset_index(drop=True)

    def metrics(self) -> pd.DataFrame:
        rows = self._db.execute("SELECT symbol, json FROM metrics ORDER BY symbol, model")
        return pd.DataFrame.from_records([{"symbol": s, **json.loads(j)} for s, j in rows])

    def failures(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM failures ORDER BY symbol, model", self._db)

    def _transaction(self):
        return Transaction(self._db)


_VALUES = ("yhat", "actual", "naive")
