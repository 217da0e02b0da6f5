"""Arrow's CSV reader is a fast path only: every file reads as pandas' reader reads it."""

from __future__ import annotations

import bz2
import gzip

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from stockcaster.data import load_prices, readers
from stockcaster.data.arrow_csv import read_text_cells
from stockcaster.data.panel import load_panel
from stockcaster.data.validate import to_numbers
from stockcaster.errors import StockcasterError

HEADER = "date,symbol,open,close,low,high,volume"
ROWS = [
    "2016-01-04,AA,10.5,10.75,10.25,11.0,1200",
    "2016-01-05,AA,10.75,10.5,10.0,10.875,0",
    "2016-01-04,BB,20.125,20.0,19.5,21.0,3400",
    "2016-01-05,BB,20.0,21.5,19.75,22.0,5600",
]


def text(*rows: str, header: str = HEADER, end: str = "\n") -> bytes:
    return end.join([header, *rows]).encode() + end.encode()


# (name, file bytes, file name, whether Arrow reads it: the rest fall back to pandas)
CASES = [
    ("plain", text(*ROWS), "p.csv", True),
    ("crlf", text(*ROWS, end="\r\n"), "p.csv", True),
    ("byte order mark", b"\xef\xbb\xbf" + text(*ROWS), "p.csv", True),
    ("quoted comma", text(*ROWS, '2016-01-04,"C,C",1,1,1,1,1'), "p.csv", True),
    ("quoted newline", text(*ROWS, '2016-01-04,"D\nD",1,1,1,1,1'), "p.csv", True),
    ("missing tokens", text(*ROWS, "2016-01-06,AA,null,10.5,,n/a,-"), "p.csv", True),
    ("excel's and dashes", text(*ROWS, "2016-01-06,AA,#N/A,10.5,—,–,1"), "p.csv", True),
    ("not a number", text(*ROWS, "2016-01-06,AA,1,abc,1,1,1"), "p.csv", True),
    ("overflowing number", text(*ROWS, "2016-01-06,AA,1,1e400,1,1,1"), "p.csv", True),
    ("minus zero volume", text(*ROWS, "2016-01-06,AA,1,1,1,1,-0"), "p.csv", True),
    ("negative price", text(*ROWS, "2016-01-06,BB,1,-2,1,1,1"), "p.csv", True),
    ("repeated date", text(*ROWS, ROWS[0]), "p.csv", True),
    ("odd dates", text("01/04/2016,AA,1,2,1,2,3", "01/05/2016,AA,1,2,1,2,3"), "p.csv", True),
    ("yahoo", text("2016-01-04,1,2,1,2,2,9", header="Date,Open,High,Low,Close,Adj Close,Volume"),
     "msft.csv", True),
    ("header only", text(), "p.csv", True),
    ("semicolons", text(*(r.replace(",", ";") for r in ROWS), header=HEADER.replace(",", ";")),
     "p.csv", True),
    ("tabs", text(*(r.replace(",", "\t") for r in ROWS), header=HEADER.replace(",", "\t")),
     "p.csv", True),
    ("spaces after commas", text(*ROWS, "2016-01-06, AA, 1, 2, 1, 2, 3"), "p.csv", False),
    ("header with a leading space", text(*ROWS, header=HEADER.replace(",close", ", close")),
     "p.csv", False),
    ("duplicate header", text("2016-01-04,AA,1,2,3,4,5,6", header=HEADER + ",close"),
     "p.csv", False),
    ("trailing comma", text("2016-01-04,AA,1,2,1,2,3,", header=HEADER + ","), "p.csv", False),
    ("too few fields", text(*ROWS, "2016-01-06,AA,1,2"), "p.csv", False),
    ("too many fields", text(*ROWS, "2016-01-06,AA,1,2,1,2,3,4"), "p.csv", False),
    ("not utf-8", text(*ROWS).replace(b"BB", b"B\xff"), "p.csv", False),
    ("a title above", b"Prices of AA and BB\n\n" + text(*ROWS), "p.csv", True),
    ("a quoted title", b'"Prices, daily"\n' + text(*ROWS), "p.csv", True),
    ("a title, a bad cell", b"Prices\n" + text(*ROWS, "2016-01-06,AA,1,abc,1,1,1"), "p.csv", True),
    ("a title, semicolons", b"Kurse\n" + text(*(r.replace(",", ";") for r in ROWS),
                                                header=HEADER.replace(",", ";")), "p.csv", True),
]  # fmt: skip


def outcome(path, monkeypatch, fast: bool):
    """What reading `path` gives: each loader's table (or error), the symbols set aside."""
    if not fast:
        monkeypatch.setattr(readers, "read_text_cells", lambda *_: None)
    found = []
    for load in (lambda: load_prices(path), lambda: load_prices(path, fill="drop"),
                 lambda: load_panel(path)):  # fmt: skip
        try:
            result = load()
            found.append((result.prices, result.broken) if hasattr(result, "broken") else result)
        except StockcasterError as err:
            found.append(str(err))
    monkeypatch.undo()
    return found


@pytest.mark.parametrize(("name", "data", "file", "arrow"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("packing", ["plain", "gzip"])
def test_a_file_reads_alike_through_arrow_and_through_pandas(
    tmp_path, monkeypatch, name, data, file, arrow, packing
):
    path = tmp_path / (file + (".gz" if packing == "gzip" else ""))
    path.write_bytes(gzip.compress(data) if packing == "gzip" else data)
    separator, top = readers._layout(path)  # a title's lines are above the header
    assert (read_text_cells(path, (".gz", ".bz2"), separator, top) is not None) == arrow
    fast, slow = outcome(path, monkeypatch, True), outcome(path, monkeypatch, False)
    for got, expected in zip(fast, slow, strict=True):
        if isinstance(expected, str):
            assert got == expected
        elif isinstance(expected, tuple):
            pd.testing.assert_frame_equal(got[0], expected[0], check_exact=True)
            assert got[1] == expected[1]
        else:
            pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_other_compressions_are_left_to_pandas(tmp_path):
    path = tmp_path / "p.csv.bz2"
    path.write_bytes(bz2.compress(text(*ROWS)))
    assert read_text_cells(path, (".gz", ".bz2")) is None
    assert len(load_prices(path)) == len(ROWS)


@pytest.mark.parametrize("arrow", [False, True])
def test_numbers_parse_correctly_rounded_where_pandas_may_miss_the_last_digits(arrow):
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.lognormal(3, 2, 3000), rng.integers(0, 10**12, 1000)]).tolist()
    forms = ("{!r}", "{:.2f}", "{:.6e}", "{:g}", "+{:.17g}", "{:.0f}", "000{:.3f}", " {:.4f} ")
    cells = [forms[k % len(forms)].format(v) for k, v in enumerate(values)] + ["-0", "-1.5"]
    series = pd.Series(cells, dtype=pd.ArrowDtype(pa.string()) if arrow else object)
    got = to_numbers(series, pd.Series(False, index=series.index)).to_numpy()
    exact = np.array([float(c) for c in cells]) + 0.0
    assert got.dtype == np.float64 and np.array_equal(got.view("int64"), exact.view("int64"))
    old = pd.to_numeric(pd.Series(cells, dtype=object)).astype("float64").to_numpy()
    off = np.abs(old - exact)
    assert (off <= 1e-14 * np.abs(exact)).all() and (off > 0).any()  # pandas, on 17 digits


def test_a_column_with_a_bad_or_infinite_cell_is_parsed_as_pandas_parses_it():
    cells = pd.Series(["1.5", "abc", "1e400", "2"], dtype=object)
    got = to_numbers(cells, pd.Series(False, index=cells.index))
    assert got.iloc[0] == 1.5 and got.iloc[1:3].isna().all() and got.iloc[3] == 2.0
