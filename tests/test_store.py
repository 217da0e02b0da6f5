"""The results store: one transaction per symbol, so a kill mid-write leaves no half symbol."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from stockcaster.evaluation.symbol_scores import DONE, SymbolRecord
from stockcaster.store.results import ResultsStore


def record(symbol: str, days: int = 5) -> SymbolRecord:
    dates = pd.bdate_range("2016-01-04", periods=days)
    forecasts = pd.DataFrame(
        {"model": "naive", "date": dates, "yhat": 1.0, "actual": 2.0, "naive": 1.0}
    )
    metrics = pd.DataFrame({"model": ["naive"], "n": [days], "mse": [1.0]})
    return SymbolRecord(symbol, DONE, forecasts=forecasts, metrics=metrics)


KILL_MID_WRITE = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from test_store import record
from stockcaster.store.results import ResultsStore

class KillBeforeStatus:
    '''Forwards to the connection; kills the process just before a symbol's status row.'''
    def __init__(self, db):
        self.db = db
    def __getattr__(self, name):
        return getattr(self.db, name)
    def executemany(self, sql, rows):
        rows = list(rows)
        if sql.startswith("INSERT INTO symbols") and rows[0][0] == "BB":
            os.kill(os.getpid(), signal.SIGKILL)  # forecasts and metrics of BB are written
        return self.db.executemany(sql, rows)

store = ResultsStore({folder!r})
store.write(record("AA"))
store._db = KillBeforeStatus(store._db)
store.write(record("BB"))
"""


def test_a_symbol_killed_mid_write_is_not_read_back(tmp_path):
    tests = str(Path(__file__).parent)
    script = KILL_MID_WRITE.format(tests=tests, folder=str(tmp_path))
    process = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert process.returncode == -9, process.stderr.decode()[-2000:]
    with ResultsStore(tmp_path) as store:
        assert store.finished() == {"AA"}
        assert set(store.forecasts()["symbol"]) == {"AA"}  # none of BB's rows survive
        assert set(store.metrics()["symbol"]) == {"AA"}
        store.write(record("BB"))  # and the store takes BB again afterwards
        assert store.finished() == {"AA", "BB"} and len(store.forecasts()) == 10


def test_writing_a_symbol_again_replaces_it(tmp_path):
    with ResultsStore(tmp_path) as store:
        store.write(record("AA", days=5))
        store.write(record("AA", days=3))
        assert len(store.forecasts()) == 3 and len(store.metrics()) == 1
        assert store.symbols()["symbol"].tolist() == ["AA"]


def test_forecasts_kept_in_memory_equal_the_ones_read_from_the_file(tmp_path):
    with ResultsStore(tmp_path) as first:
        first.write(record("CC"))
    with ResultsStore(tmp_path) as store:  # CC from the file, the others from memory
        late = record("AA", days=4)
        late.forecasts.loc[1, "yhat"] = float("nan")  # a NaN forecast comes back as NaN
        other = record("BB").forecasts.assign(model="drift", yhat=[1.5, 2.5, 3.5, 4.5, 5.5])
        store.write(SymbolRecord("BB", DONE, forecasts=pd.concat([other, record("BB").forecasts])))
        store.write(late)
        mixed = store.forecasts()
    with ResultsStore(tmp_path) as again:
        from_file = again.forecasts()
    pd.testing.assert_frame_equal(mixed, from_file)
    assert mixed["symbol"].tolist()[:5] == ["AA"] * 4 + ["BB"]
    assert mixed[mixed["symbol"] == "BB"]["model"].tolist() == ["drift"] * 5 + ["naive"] * 5
