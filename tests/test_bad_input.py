"""Every bad input: a one-line error naming the file, line or symbol; exit 2; no run folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ohlcv, one_line, write_kaggle
from stockcaster.cli import app


def _csv(tmp: Path, text: str, name: str = "prices.csv") -> Path:
    path = tmp / name
    path.write_text(text)
    return path


def _good_text(n: int = 260) -> str:
    return ohlcv(n).to_csv(index=False, date_format="%Y-%m-%d")


def _replace_line(text: str, line: int, new: str) -> str:
    lines = text.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def _cell(text: str, line: int, column: str, value: str) -> str:
    header = text.splitlines()[0].split(",")
    cells = text.splitlines()[line - 1].split(",")
    cells[header.index(column)] = value
    return _replace_line(text, line, ",".join(cells))


# Each case: (id, make(tmp) -> (path or None, extra args), fragments the message must hold)
CASES = [
    ("missing file", lambda t: (t / "nope.csv", []), ["nope.csv", "does not exist"]),
    ("empty file", lambda t: (_csv(t, ""), []), ["prices.csv", "empty file"]),
    (
        "binary file",
        lambda t: (_bytes(t, b"\x89PNG\r\n\x1a\n\x00\x00\x00"), []),
        ["prices.csv", "binary"],
    ),
    ("header only", lambda t: (_csv(t, "date,symbol,close\n"), []), ["only a header"]),
    (
        "malformed csv",
        lambda t: (_csv(t, _replace_line(_good_text(), 9, "2015-01-13,MSFT,1,2,3,4,5,6,7")), []),
        ["prices.csv line 9", "expected 7", "received 9"],
    ),
    (
        "missing close column",
        lambda t: (_csv(t, "date,symbol,open\n2015-01-02,MSFT,1\n"), []),
        ["expected columns close", "received columns date, symbol, open"],
    ),
    (
        "misnamed date column",
        lambda t: (_csv(t, "Day,symbol,close\n2015-01-02,MSFT,1\n"), []),
        ["expected columns date", "--columns date="],
    ),
    (
        "mapping to a missing column",
        lambda t: (_csv(t, _good_text()), ["--columns", "close=Last"]),
        ["expected a column 'Last'"],
    ),
    (
        "unparseable date",
        lambda t: (_csv(t, _cell(_good_text(), 5, "date", "2015-13-45")), []),
        ["prices.csv line 5", "expected a date", "'2015-13-45'"],
    ),
    (
        "unparseable number",
        lambda t: (_csv(t, _cell(_good_text(), 7, "close", "abc")), []),
        ["prices.csv line 7", "expected a number in column 'close'", "'abc'"],
    ),
    (
        "duplicate date",
        lambda t: (_csv(t, _cell(_good_text(), 4, "date", "2015-01-02")), []),
        ["prices.csv lines 2 and 4", "symbol MSFT", "2015-01-02"],
    ),
    (
        "missing values",
        lambda t: (_csv(t, _cell(_cell(_good_text(), 6, "close", ""), 8, "volume", "null")), []),
        ["2 rows with missing values", "line 6", "--fill"],
    ),
    (
        "zero price",
        lambda t: (_csv(t, _cell(_good_text(), 10, "close", "0")), []),
        ["prices.csv line 10", "positive price", "'close'", "received 0"],
    ),
    (
        "negative price",
        lambda t: (_csv(t, _cell(_good_text(), 11, "low", "-3.5")), []),
        ["prices.csv line 11", "positive price", "'low'", "received -3.5"],
    ),
    (
        "unknown symbol",
        lambda t: (_csv(t, _good_text()), ["--symbol", "MSTF"]),
        ["expected a symbol", "'MSTF'", "did you mean MSFT"],
    ),
    (
        "too short",
        lambda t: (_csv(t, _good_text(30)), []),
        ["symbol MSFT", "expected at least", "received 30"],
    ),
    (
        "unknown preset",
        lambda t: (_csv(t, _good_text()), ["--preset", "fancy"]),
        ["--preset", "default, forecast, seed", "'fancy'"],
    ),
    (
        "unknown fill policy",
        lambda t: (_csv(t, _good_text()), ["--fill", "mean"]),
        ["--fill", "drop, ffill", "'mean'"],
    ),
    (  # Typer checks typed options itself: said in stockcaster's words, with what it got
        "epochs below the least",
        lambda t: (_csv(t, _good_text()), ["--epochs", "0"]),
        ["error: --epochs: expected at least 1, received 0"],
    ),
    (
        "epochs not a whole number",
        lambda t: (_csv(t, _good_text()), ["--epochs", "2.5"]),
        ["error: --epochs: expected a whole number, received '2.5'"],
    ),
]


def _bytes(tmp: Path, data: bytes) -> Path:
    path = tmp / "prices.csv"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_clean_line_with_exit_2_and_no_output(tmp_path, make, fragments):
    path, extra = make(tmp_path)
    out = tmp_path / "runs"
    result = CliRunner().invoke(
        app, ["run", "--data", str(path), "--out", str(out), "--quiet", *extra]
    )
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert not out.exists()


def test_inspect_reports_bad_input_the_same_way(tmp_path):
    path = _csv(tmp_path, _cell(_good_text(), 7, "close", "abc"))
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {path} line 7: expected a number in column 'close', received 'abc'"
    )


@pytest.mark.parametrize("policy, rows", [("drop", 258), ("ffill", 259)])
def test_fill_policies_drop_or_carry_forward(tmp_path, policy, rows):
    from stockcaster.data import load_prices

    text = _cell(_cell(_good_text(), 2, "close", ""), 8, "close", "null")
    table = load_prices(_csv(tmp_path, text), fill=policy)
    assert len(table) == rows
    if policy == "ffill":  # line 8 is row 6: it takes row 5's close
        original = pd.read_csv(_csv(tmp_path, _good_text(), "good.csv"))
        assert table["close"].iloc[5] == pytest.approx(original["close"].iloc[5])


def test_kaggle_duplicates_are_per_symbol(tmp_path):
    # The same date for two symbols is fine.
    table = pd.concat([ohlcv(5, "A"), ohlcv(5, "B")])
    from stockcaster.data import load_prices

    assert len(load_prices(write_kaggle(tmp_path / "p.csv", table))) == 10


def test_a_network_the_machine_cannot_train_is_one_line_and_no_folder(tmp_path, monkeypatch):
    """`run` with a preset whose network is too large for the machine's memory (as
    `units = 1000000000` was): one line naming the preset, no traceback, nothing written."""
    import stockcaster.training.fit as fit

    def too_large(*args, **kwargs):
        raise MemoryError("Unable to allocate 80.0 GiB for an array")

    monkeypatch.setattr(fit, "train", too_large)
    path, out = _csv(tmp_path, _good_text()), tmp_path / "runs"
    result = CliRunner().invoke(app, ["run", "--data", str(path), "--out", str(out), "--quiet"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith("error: --preset default: expected a network that fits ")
    assert "received an error at fit: MemoryError: Unable to allocate 80.0 GiB" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("option", ["--preset", "--window"])
def test_a_value_of_200000_characters_is_echoed_in_at_most_2000(tmp_path, option):
    """An option's value (or a config file's string) was echoed whole in its one-line error."""
    command = "run" if option == "--preset" else "backtest"
    result = CliRunner().invoke(app, [command, option, "z" * 200_000, "--out", str(tmp_path)])
    message = result.stderr.strip()
    assert result.exit_code == 2 and message.startswith("error: ") and "\n" not in message
    assert len(message) == len("error: ") + 2000 and message.endswith("zzz..."), message[:300]


def test_a_symbol_s_command_reads_its_symbol_not_another_s_bad_row(tmp_path):
    """`backtest --symbol AAA` of a panel stopped at a negative close of BRK's, a symbol it
    does not read (`universe` sets BRK aside); the symbol asked for is read alone."""
    good, bad = ohlcv(260, "AAA", 1), ohlcv(260, "BRK", 2)
    bad.loc[100, "close"] = -5.0
    data = write_kaggle(tmp_path / "panel.csv", pd.concat([good, bad], ignore_index=True))

    def backtest(symbol: str):
        return CliRunner().invoke(app, ["backtest", "--data", str(data), "--symbol", symbol,
                                        "--models", "naive", "--quiet", "--out",
                                        str(tmp_path / "runs")])  # fmt: skip

    done = backtest("aaa")
    assert done.exit_code == 0, done.output
    (folder,) = (tmp_path / "runs").iterdir()
    assert json.loads((folder / "leaderboard.json").read_text())["data"]["rows"] == 260
    line = 2 + 260 + 100  # under the header and AAA's rows
    one_line(backtest("BRK"), f"{data} line {line}: expected a positive price in column 'close'")
    one_line(backtest("AAB"), "expected a symbol in the file (AAA, BRK), received 'AAB'; did you")
    # `inspect` refused the whole panel for BRK's row; it sets BRK aside, as `universe` does.
    shown = CliRunner().invoke(app, ["inspect", str(data), "--json"])
    assert shown.exit_code == 0, shown.output
    said = json.loads(shown.stdout)
    assert [s["symbol"] for s in said["per_symbol"]] == ["AAA"], said
    assert said["set_aside"]["BRK"].startswith(f"{data} line {line}: expected a positive price")
    alone = CliRunner().invoke(app, ["inspect", str(data), "--symbol", "aaa", "--json"])
    assert alone.exit_code == 0 and json.loads(alone.stdout)["rows"] == 260, alone.output


@pytest.mark.parametrize("fill", ["drop", "ffill"])
def test_a_panel_symbol_whose_every_row_the_fill_drops_is_set_aside_with_why(tmp_path, fill):
    """A symbol of a panel with no close at all vanished under --fill ("4 symbols run,
    0 skipped" of 5); it is set aside, named, with how many rows it had."""
    from stockcaster.data.panel import load_panel

    empty = ohlcv(40, "EMP", 3).assign(close=float("nan"))
    table = pd.concat([ohlcv(40, "AAA", 1), empty], ignore_index=True)
    data = write_kaggle(tmp_path / "panel.csv", table)
    panel = load_panel(data, fill=fill)
    assert panel.symbols == ["AAA"] and len(panel.prices) == 40
    said = f"{data}: expected rows with every value, received none of its 40 (--fill {fill})"
    assert panel.broken == {"EMP": said}
    alone = ["universe", "--data", str(data), "--symbols", "EMP", "--fill", fill, "--models",
             "naive", "--out", str(tmp_path / "runs")]  # fmt: skip
    one_line(CliRunner().invoke(app, alone), f"received none among 1 (EMP: {said})")
