"""Generated price files and command runs, shared by tests/test_fuzz.py (a short profile) and
bench/fuzz.py (the long one).

Files are made of cells drawn from what real and hostile files hold: good numbers and dates,
empty and "null" cells, garbage, infinities, absurd magnitudes, dates in other formats, and
symbols that are paths, markup, formulas or control characters. Each case is judged by the
same rules: a validated table or one `StockcasterError`; for a command, exit code 0 or 2, no
traceback, no warning, nothing written outside `--out`, no partial folder, strict JSON.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st

HOSTILE_SYMBOLS = [
    *("MSFT", "BRK.B", "../x", "/tmp/x", "a/b", "X[/bold]Y", "[red]Z", "$X$", "=1+1", "+A"),
    *("-A", "@A", "CON", ".env", "A B", "Ü", "A" * 120, "x\ty"),
]
BAD_NUMBERS = ["", "null", "abc", "inf", "-inf", "Infinity", "nan", "1e308", "1e-308", "-5", "0",
               "1,5", "0x10", "1e999", " 7 ", "+3"]  # fmt: skip
BAD_DATES = ["", "2016-02-30", "30/12/2016", "12/30/2016", "20161230", "yesterday", "2016-13-01",
             "9999-12-31", "0001-01-01"]  # fmt: skip
HEADERS = ["date", "symbol", "open", "high", "low", "close", "volume"]


@st.composite
def price_files(draw) -> tuple[str, str, str]:
    """`(text, encoding, symbol)` of a CSV price file, mostly valid, sometimes broken
    anywhere, and one of its symbols."""
    n = draw(st.integers(0, 120))
    symbols = draw(st.lists(st.sampled_from(HOSTILE_SYMBOLS), min_size=1, max_size=3, unique=True))
    header = list(HEADERS)
    if draw(st.integers(0, 3)) == 0:
        header = draw(st.permutations(HEADERS))
    if draw(st.integers(0, 19)) == 0:
        header = draw(st.lists(st.sampled_from([*HEADERS, "Close", "Adj Close", "x", ""]),
                               min_size=0, max_size=8))  # fmt: skip
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    days = pd.bdate_range("2015-01-02", periods=max(n, 1))
    rows = []
    for symbol in symbols:
        close = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
        for i in range(n):
            price, volume = close[i], int(rng.integers(0, 10**6))
            cells = {"date": f"{days[i]:%Y-%m-%d}", "symbol": symbol, "open": f"{price:.4f}",
                     "high": f"{price * 1.01:.4f}", "low": f"{price * 0.99:.4f}",
                     "close": f"{price:.4f}", "volume": str(volume)}  # fmt: skip
            rows.append(cells)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3])) if rows else 0):
        row = rows[draw(st.integers(0, len(rows) - 1))]
        column = draw(st.sampled_from(HEADERS))
        pool = (
            BAD_DATES
            if column == "date"
            else HOSTILE_SYMBOLS
            if column == "symbol"
            else BAD_NUMBERS
        )
        row[column] = draw(st.sampled_from(pool))
    lines = [",".join(header)]
    lines += [",".join(_csv_cell(row.get(c, "")) for c in header) for row in rows]
    encoding = draw(st.sampled_from(["utf-8"] * 6 + ["latin-1", "utf-16"]))
    return "\n".join(lines) + "\n", encoding, symbols[0]


def _csv_cell(text: str) -> str:
    return f'"{text}"' if any(c in text for c in ',"\n') else text


def write_file(folder: Path, case: tuple[str, str, str]) -> Path:
    text, encoding, _ = case
    path = folder / "prices.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    return path


def check_table(table: pd.DataFrame) -> None:
    """A validated price table: what `load_prices` promises."""
    assert {"date", "symbol", "close"} <= set(table.columns)
    assert not table.isna().any().any()
    for name in ("open", "high", "low", "close"):
        if name in table.columns:
            values = table[name].to_numpy()
            assert np.isfinite(values).all() and (values > 0).all()
    assert not table.duplicated(["symbol", "date"]).any()
    assert table.equals(table.sort_values(["symbol", "date"], kind="stable"))


def strict_json(text: str) -> None:
    def refuse(constant: str) -> None:
        raise ValueError(f"non-strict JSON: {constant}")

    json.loads(text, parse_constant=refuse)


@dataclass
class Tally:
    """What the long profile counts."""

    cases: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    tracebacks: int = 0
    warnings: int = 0
    outside_out: int = 0
    partial_folders: int = 0
    nonstrict_json: int = 0
    silent_empty: int = 0

    def count(self, outcome: str) -> None:
        self.cases += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def run_command(args: list[str], data: Path, work: Path, tally: Tally | None = None) -> None:
    """Run one command on a generated file and check every rule; raise AssertionError if one
    is broken (and count it in `tally`)."""
    from typer.testing import CliRunner

    from stockcaster.cli import app

    # Many commands in one process (a harness, not a user): TensorFlow warns that its
    # functions retrace, and its log handler may hold the stderr of an earlier run.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.raiseExceptions = False
    out = work / "out"
    before = set(work.rglob("*"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = CliRunner().invoke(app, [*args, "--data", str(data), "--out", str(out)])
    created = set(work.rglob("*")) - before
    problems = {
        "tracebacks": result.exit_code not in (0, 2) or "Traceback" in result.output
        or (result.exception is not None and not isinstance(result.exception, SystemExit)),
        "warnings": bool([w for w in caught if "stockcaster" in str(w.filename)]),
        "outside_out": any(p != out and out not in p.parents for p in created),
        "partial_folders": any(p.name.endswith(".partial") for p in created),
        "nonstrict_json": not _all_strict(p for p in created if p.suffix == ".json"),
        "silent_empty": result.exit_code == 0 and not forecast_is_finite(out),
    }  # fmt: skip
    if tally is not None:
        tally.count(f"exit {result.exit_code}")
        for name, broken in problems.items():
            setattr(tally, name, getattr(tally, name) + int(broken))
    broken = [name for name, flag in problems.items() if flag]
    assert not broken, (broken, args, result.output[-2000:], repr(result.exception))


def forecast_is_finite(folder: Path) -> bool:
    """Every forecast a successful `predict` wrote holds finite numbers: `yhat` always,
    `lo` and `hi` wherever the bundle gives intervals (none silently empty)."""
    for path in folder.rglob("forecast.csv"):
        table = pd.read_csv(path)
        if not len(table) or not table["yhat"].map(_finite).all():
            return False
        for band in ("lo", "hi"):
            given = table[band].dropna() if band in table else pd.Series([], dtype=float)
            if len(given) not in (0, len(table)) or not given.map(_finite).all():
                return False
    return True


def _finite(value) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _all_strict(paths) -> bool:
    try:
        for path in paths:
            strict_json(path.read_text())
    except ValueError:
        return False
    return True
