"""Hostile input: names that are paths or markup, numbers that are not plausible, strict JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ohlcv, write_kaggle
from stockcaster.cli import app
from stockcaster.store.files import safe_name

HOSTILE = ["../x", "/tmp/abs", "a/b", "X[/bold]Y", "[red]Z", "$X$", "A" * 300, "CON", ".env"]


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.mark.parametrize("name", HOSTILE)
def test_safe_names_stay_one_readable_component(name):
    safe = safe_name(name)
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert 0 < len(safe) <= 60 and safe == safe_name(name)
    assert safe_name("MSFT") == "MSFT" and safe_name("BRK.B") == "BRK.B"
    others = {safe_name(n) for n in HOSTILE}
    assert len(others) == len(HOSTILE)  # names that differ stay apart


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_symbol_writes_only_inside_out(tmp_path, name):
    work = tmp_path / "work"
    work.mkdir()
    data = write_kaggle(work / "prices.csv", ohlcv(200, name))
    out = work / "out"
    before = files_under(tmp_path)
    result = CliRunner().invoke(
        app,
        ["backtest", "--data", str(data), "--models", "naive", "--out", str(out), "--quiet"],
    )
    assert result.exit_code == 0, result.output
    created = files_under(tmp_path) - before
    assert created and all(p == out or out in p.parents for p in created), sorted(created)
    assert not [p for p in created if p.name.endswith(".partial")]
    assert not Path("/tmp/abs-backtest").exists()


def test_markup_and_mathtext_in_a_symbol_are_shown_as_text(tmp_path):
    data = write_kaggle(tmp_path / "prices.csv", ohlcv(200, "X[/bold]$Y"))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", "--data", str(data), "--epochs", "1", "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    assert str(folder) in result.output.replace("\n", "")  # the path as it is, markup and all
    assert "X[/bold]$Y" in result.output
    inspect = CliRunner().invoke(app, ["inspect", str(data)])
    assert inspect.exit_code == 0 and "X[/bold]$Y" in inspect.output


def _write(path: Path, table: pd.DataFrame) -> Path:
    return write_kaggle(path, table)


@pytest.mark.parametrize(
    "change, fragment",
    [
        (lambda t: t.assign(close=t["close"].where(t.index != 20, np.inf)),
         "line 22: expected a finite number in column 'close', received 'inf'"),
        (lambda t: t.assign(close=t["close"].where(t.index != 190, -np.inf)),
         "line 192: expected a finite number in column 'close'"),
        (lambda t: t.assign(close=t["close"].where(t.index != 5, 1e308)),
         "line 7: expected a price between 1e-08 and 1e+12 in column 'close'"),
        (lambda t: t.assign(close=t["close"].where(t.index != 5, 1e-308)),
         "expected a price between 1e-08 and 1e+12"),
        (lambda t: t.assign(open=7.0, high=7.0, low=7.0, close=7.0),
         "expected closes that change, received the same close 7 on all 200 rows"),
    ],
)  # fmt: skip
def test_implausible_numbers_are_refused_in_one_line(tmp_path, change, fragment):
    data = _write(tmp_path / "prices.csv", change(ohlcv(200)))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--data", str(data), "--out", str(out)])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message and fragment in message, message
    assert not out.exists()


def test_a_datetime_parquet_close_is_refused(tmp_path):
    table = ohlcv(200)
    table["close"] = pd.to_datetime(table["date"])
    path = tmp_path / "prices.parquet"
    table.to_parquet(path)
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 2
    assert "expected numbers in column 'close', received datetime64" in result.stderr


def _strict(text: str) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"non-strict JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def test_every_json_file_written_is_strict(tmp_path):
    data = write_kaggle(tmp_path / "prices.csv", ohlcv(200))
    out = tmp_path / "out"
    runner = CliRunner()
    for args in (
        ["run", "--data", str(data), "--epochs", "1", "--json"],
        ["backtest", "--data", str(data), "--models", "naive,drift", "--json"],
    ):
        result = runner.invoke(app, [*args, "--out", str(out), "--quiet"])
        assert result.exit_code == 0, result.output
        _strict(result.stdout)
    written = list(out.rglob("*.json"))
    assert len(written) == 2
    for path in written:
        _strict(path.read_text())
