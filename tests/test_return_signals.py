"""`stockcaster signals`, return signals judged as a quant judges them: the positive control
(a planted weekly reversal is found by the factor and by a trained model, and nothing is
found on noise), the `factors` feature set, the outputs, and bad input refused in one line."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reversal_panel import reversal_panel
from typer.testing import CliRunner

from conftest import one_line
from stockcaster.cli import app


def judged(folder: Path, panel: pd.DataFrame, *options: str) -> dict:
    """Run `signals` on `panel` at h = 5 with linear on returns and factors; its JSON."""
    data = folder / "panel.csv"
    panel.to_csv(data, index=False)
    command = ["signals", "--data", str(data), "--horizon", "5", "--models", "linear",
               "--features", "returns,factors", "--out", str(folder / "runs"),
               "--json"]  # fmt: skip
    result = CliRunner().invoke(app, [*command, *options])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    return {row["signal"]: row for row in summary["signals"]} | {"_folder": summary["folder"]}


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> dict:
    return judged(tmp_path_factory.mktemp("planted"), reversal_panel(days=420, load=0.5))


@pytest.fixture(scope="module")
def noise(tmp_path_factory) -> dict:
    return judged(tmp_path_factory.mktemp("noise"), reversal_panel(days=420, load=0.0, seed=5))


def test_a_planted_weekly_reversal_is_found_by_the_factor_and_a_trained_model(planted):
    for name in ("reversal_5", "linear", "linear:factors"):
        assert planted[name]["rank_ic_t"] > 5, (name, planted[name]["rank_ic_t"])
        assert planted[name]["mean_rank_ic"] > 0.05
        assert planted[name]["decile"]["annual_return_net"] > 0
        assert planted[name]["monotonicity"] > 0.8
    assert planted["reversal_5"]["best_factor"] == "reversal_5"
    assert planted["reversal_5"]["hac_lags"] >= 10  # 2h at least: 5-day returns overlap


def test_on_noise_neither_the_factor_nor_the_model_finds_anything(noise):
    for name in ("reversal_5", "linear", "linear:factors"):
        assert abs(noise[name]["rank_ic_t"]) < 3, (name, noise[name]["rank_ic_t"])


def test_the_terminal_ends_with_each_horizon_s_verdict_and_says_when_it_is_chance(planted, noise):
    """The terminal gave tables only; the verdict in words was the report's. And "the best
    factor" on noise read as a finding: its t now says when it is within chance, and beyond
    one session that a t of 2 is not enough: overlapping returns need a wider bandwidth and
    its fixed-b critical value (`tear_sheet.t_needed`)."""
    import io

    from rich.console import Console

    from stockcaster.reporting.signal_tables import print_signals, verdict_lines

    said = {}
    for name, found in (("planted", planted), ("noise", noise)):
        folder = Path(found["_folder"])
        board = pd.read_csv(folder / "tear_sheet.csv")
        printed = io.StringIO()
        print_signals(Console(file=printed, width=400), board,
                      json.loads((folder / "signals.json").read_text()))  # fmt: skip
        (said[name],) = [x for x in printed.getvalue().splitlines() if x.startswith("verdict")]
        assert "quantile books are empty" not in printed.getvalue()  # 10 symbols or more a day
    t, needed = planted["reversal_5"]["rank_ic_t"], planted["reversal_5"]["t_needed"]
    assert said["planted"].startswith("verdict, h = 5: the best factor is reversal_5 (rank IC ")
    assert f"t {t:.1f}); the best model, " in said["planted"]  # no "within chance"
    assert needed > 2 and f"within chance: {needed:.2f} needed); the best model, " in said["noise"]
    # a t past 2 but short of the bar is within chance, which stop 50's verdict called a find
    board = pd.read_csv(Path(noise["_folder"]) / "tear_sheet.csv")
    board.loc[board["signal"] == board["best_factor"], "rank_ic_t"] = (2 + needed) / 2
    (line,) = verdict_lines(board)
    assert f"t {(2 + needed) / 2:.1f}, within chance: {needed:.2f} needed)" in line, line
    # a book's net return of 0.04% a year read 0.0%, as none would
    board = pd.read_csv(Path(noise["_folder"]) / "tear_sheet.csv").head(1)
    board["decile_annual_return_net"] = 0.0004
    printed = io.StringIO()
    print_signals(Console(file=printed, width=400), board,
                  json.loads((Path(noise["_folder"]) / "signals.json").read_text()))  # fmt: skip
    row = next(x for x in printed.getvalue().splitlines() if x.startswith(f"│ {board.signal[0]}"))
    assert "0.04%" in row and " 0.0% " not in row, row


def test_the_outputs_hold_a_row_per_signal_and_the_ic_decay(planted):
    folder = Path(planted["_folder"])
    sheet = pd.read_csv(folder / "tear_sheet.csv")
    assert set(sheet["signal"]) == set(planted) - {"_folder"}
    assert {"rank_ic_t", "decile_break_even_bps", "buffered_annual_return_net",
            "spa_p_vs_best_factor"} <= set(sheet.columns)  # fmt: skip
    decay = pd.read_csv(folder / "ic_decay.csv")
    assert list(decay.columns) == ["signal", "5"]
    assert json.loads((folder / "signals.json").read_text())["horizons"] == [5]


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--horizon", "1,x"], "--horizon: expected whole numbers"),
        (["--horizon", "0"], "--horizon: expected distinct sessions >= 1, received 0"),
        (["--horizon", "1,1"], "--horizon: expected distinct sessions >= 1, received 1,1"),
        (["--factors", "value"], "--factors: expected names among reversal_1"),
        (["--models", "naive"], "--models: expected models with a panel form"),
        (["--buffer", "0.9"], "--buffer: expected a share in (0, 0.5], or 0 for no buffered book"),
        (["--bins", "1"], "--bins: expected at least 2 quantile groups, received 1"),
        (["--cost-bps", "-1"], "--cost-bps: expected 0 to 10000 bp (all of a trade), received -1"),
        (["--cost-bps", "2e4"], "--cost-bps: expected 0 to 10000 bp (all of a trade), received 2"),
        (["--test-fraction", "1.5"], "--test-fraction: expected a share in (0, 1)"),
        # 120 days: the cutoff is the 90th, and 31 sessions from it leave 30 to look ahead
        (["--horizon", "31,40"], "--horizon: expected at most 30 sessions, the days of"),
        (
            ["--symbols", "S03"],
            "expected at least 3 symbols with enough history to rank "
            "against each other, received 1 (S03)",
        ),
        # Two symbols gave a table of dashes: each day's rank IC of two is +1 or -1, left out.
        (["--symbols", "S03,S04"], "expected at least 3 symbols with enough history to rank"),
        # options that nothing run reads were ignored: the models' without a model, and
        # epochs without a network
        (["--lookback", "5"], "--lookback: expected --models with it (the factor baselines"),
        (["--features", "technical"], "--features: expected --models with it"),
        (["--epochs", "2"], "--epochs: expected a network among the models run"),
        (["--models", "linear", "--epochs", "2"], "received linear, which train for no epochs"),
    ],
)
def test_bad_options_are_refused_in_one_line_and_write_nothing(tmp_path, options, fragment):
    data = tmp_path / "panel.csv"
    reversal_panel(symbols=12, days=120).to_csv(data, index=False)
    result = CliRunner().invoke(
        app, ["signals", "--data", str(data), "--out", str(tmp_path / "runs"), *options]
    )
    one_line(result, fragment)
    assert not (tmp_path / "runs").exists()


def test_fewer_symbols_than_quantiles_gives_ics_and_no_book(tmp_path):
    data = tmp_path / "panel.csv"
    reversal_panel(symbols=5, days=90).drop(columns=["volume"]).to_csv(data, index=False)
    result = CliRunner().invoke(app, ["signals", "--data", str(data), "--horizon", "1,80",
                                      "--out", str(tmp_path / "runs"), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["signals"]
    # The empty columns say why, in the terminal and the report ("-" and "None" did not)
    import io

    from rich.console import Console

    from stockcaster.reporting.signal_report import signal_sections
    from stockcaster.reporting.signal_tables import print_signals

    folder = Path(json.loads(result.stdout)["folder"])
    printed = io.StringIO()
    print_signals(Console(file=printed, width=400), pd.read_csv(folder / "tear_sheet.csv"),
                  json.loads((folder / "signals.json").read_text()))  # fmt: skip
    why = "Monotonicity and the quantile books are empty: no day had 10 symbols with a score"
    assert why in printed.getvalue() and why in signal_sections(folder)[1][0][1]
    assert "st_momentum" not in {r["signal"] for r in rows}  # no volume column
    one_day = [r for r in rows if r["horizon"] == 1 and r["signal"] == "reversal_5"][0]
    assert one_day["days"] > 10 and one_day["mean_rank_ic"] is not None
    assert one_day["decile"]["annual_return_net"] is None  # 5 symbols fill no decile
    assert all(r["days"] == 0 for r in rows if r["horizon"] == 80)  # no return 80 days ahead


def test_two_quantile_groups_make_books_and_say_why_monotonicity_alone_is_empty(tmp_path):
    """`--bins 2` of five symbols made each factor's two books, but said "Monotonicity and
    the quantile books are empty: no day had 2 symbols with a score": monotonicity, a rank
    correlation of the groups' mean returns, needs 3 groups, and only it was empty."""
    reversal_panel(symbols=5, days=90).to_csv(tmp_path / "panel.csv", index=False)
    result = CliRunner().invoke(app, ["signals", "--data", str(tmp_path / "panel.csv"), "--bins",
                                      "2", "--out", str(tmp_path / "runs")])  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = next((tmp_path / "runs").iterdir())
    board = pd.read_csv(folder / "tear_sheet.csv")
    assert board["decile_annual_return_net"].notna().any() and board["monotonicity"].isna().all()
    said = " ".join(result.stdout.split())
    why = "Monotonicity is empty: it is the rank correlation of the quantiles' mean returns"
    assert why in said and "quantile books are empty" not in said, said
    from stockcaster.reporting.signal_report import signal_sections

    assert why in html.unescape(signal_sections(folder)[1][0][1])


def test_a_split_in_the_panel_is_noted_in_the_terminal_the_summary_and_the_report(tmp_path):
    """An unadjusted split reads as a day's crash in every cross-sectional return: `run`,
    `backtest` and `universe` noted it, `signals` said nothing."""
    panel = reversal_panel(symbols=5, days=90)
    after = (panel["symbol"] == "S01") & (panel.index % 90 >= 60)
    panel.loc[after, ["open", "high", "low", "close"]] /= 4
    panel.to_csv(tmp_path / "panel.csv", index=False)
    result = CliRunner().invoke(app, ["signals", "--data", str(tmp_path / "panel.csv"),
                                      "--out", str(tmp_path / "runs")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "note: S01's close moved -74.7%" in " ".join(result.output.split()), result.output
    (folder,) = (tmp_path / "runs").iterdir()
    notes = json.loads((folder / "signals.json").read_text())["notes"]
    (note,) = [n for n in notes if "S01" in n]  # beside the note on momentum's warm-up
    assert "as a 4-for-1 split would" in note and "S01" in (folder / "report.html").read_text()


def test_a_model_that_cannot_fit_is_one_line_and_nothing_written(tmp_path, monkeypatch):
    import dataclasses

    from stockcaster.models.registry import MODELS

    class TooLarge:
        def fit(self, prices, cutoff):
            raise MemoryError("Unable to allocate 80.0 GiB for an array")

    linear = dataclasses.replace(MODELS["linear"], make_panel=lambda options: TooLarge())
    monkeypatch.setitem(MODELS, "linear", linear)
    data = tmp_path / "panel.csv"
    reversal_panel(symbols=12, days=120).to_csv(data, index=False)
    asked = ["signals", "--data", str(data), "--models", "linear", "--horizon", "5"]
    result = CliRunner().invoke(app, [*asked, "--out", str(tmp_path / "runs")])
    one_line(result, "--models: expected linear to fit the panel at h = 5, received an error at "
                     "fit: MemoryError: Unable to allocate 80.0 GiB")  # fmt: skip
    assert not (tmp_path / "runs").exists()


def test_a_horizon_too_long_for_its_days_has_no_t_statistic_in_words():
    """At h = 21 on 141 weekly days the Newey-West t is empty (too few days for its lags):
    the verdict printed "t nan, within chance"."""
    from stockcaster.reporting.signal_tables import verdict_lines

    board = pd.DataFrame({"horizon": [21, 21], "kind": ["factor", "factor"],
                          "signal": ["reversal_21", "reversal_5"], "mean_rank_ic": [0.38, 0.14],
                          "rank_ic_t": [np.nan, np.nan],
                          "spa_p_vs_best_factor": [np.nan, 0.5]})  # fmt: skip
    (line,) = verdict_lines(board)
    assert (
        line
        == "h = 21: the best factor is reversal_21 (rank IC 0.3800, no t-statistic: too few days)"
    )


def test_a_horizon_judged_on_no_day_names_no_best_factor():
    """A test period of 3 sessions judges no day 5 or 21 sessions on: the verdict named
    "the best factor is reversal_1 (rank IC nan, ...)" among signals of which none had an
    IC. It says no day was judged; the horizon with days is judged as before (the control)."""
    from stockcaster.reporting.signal_tables import verdict_lines

    board = pd.DataFrame({"horizon": [1, 1, 5, 5], "kind": ["factor"] * 4,
                          "signal": ["reversal_1", "reversal_5"] * 2,
                          "mean_rank_ic": [0.02, 0.16, np.nan, np.nan],
                          "rank_ic_t": [np.nan] * 4})  # fmt: skip
    assert verdict_lines(board) == [
        "h = 1: the best factor is reversal_5 (rank IC 0.1600, no t-statistic: too few days)",
        "h = 5: no day judged: no test day has the return 5 sessions on of 3 symbols or more",
    ]


def test_a_factor_whose_scores_never_differ_across_symbols_is_said_to_be_judged_on_no_day(
    tmp_path,
):
    """Volume that never changes (or is 0 every day, as for an index or a currency) gives
    st_momentum one score for every symbol, or none: its row was "-" at every horizon, and
    not a word why, as the warm-up's note says for a factor short of history."""
    panel = reversal_panel(symbols=6, days=300).assign(volume=1e6)
    panel.to_csv(tmp_path / "panel.csv", index=False)
    data, out = str(tmp_path / "panel.csv"), str(tmp_path / "runs")
    result = CliRunner().invoke(app, ["signals", "--data", data, "--horizon", "1", "--out", out])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())
    said = (
        "note: st_momentum is judged on no day: on none did the scores differ across the "
        "day's symbols (missing, or one value for all; st_momentum also reads volume)"
    )
    assert said in shown, shown
    assert "st_momentum (factor)" in shown.split("note:")[0]  # its row is there, of "-"
    (folder,) = (tmp_path / "runs").iterdir()
    assert json.loads((folder / "signals.json").read_text())["notes"] == [
        " ".join(said.split()[1:])
    ]


def test_symbols_left_out_of_a_panel_are_named_with_their_reason(tmp_path):
    """A symbol with a negative close and one listed for the last 30 days were dropped by
    `signals`, `tune --universe` and `train --universe` without a word ("4 symbols");
    `universe` named them ("skipped: ..."). Each command names them now."""
    panel = reversal_panel(symbols=5, days=120)
    broken = panel[panel["symbol"] == "S01"].assign(symbol="BAD")
    broken.loc[broken.index[50], "close"] = -5.0
    new = panel[panel["symbol"] == "S02"].tail(30).assign(symbol="NEW")
    pd.concat([panel, broken, new]).to_csv(tmp_path / "panel.csv", index=False)
    data = ["--data", str(tmp_path / "panel.csv")]
    line = 2 + len(panel) + 50  # under the header and the five symbols' rows
    bad = f"BAD ({data[1]} line {line}: expected a positive price in column 'close', received -5"
    judged = CliRunner().invoke(app, ["signals", *data, "--horizon", "1", "--min-history", "40",
                                      "--out", str(tmp_path / "runs")])  # fmt: skip
    assert judged.exit_code == 0, judged.output
    shown = " ".join(judged.output.split())
    assert f"left out: {bad}" in shown, shown
    assert "left out: NEW (too little history: 0 closes up to " in shown, shown
    # Factors of a year's warm-up on 120 days: rows of "-", and not a word why.
    said = "note: momentum_12_1 and st_momentum are judged on no day: a symbol's first score"
    assert said in shown and "the longest history here is 120 sessions" in shown, shown
    (folder,) = (tmp_path / "runs").iterdir()
    summary = json.loads((folder / "signals.json").read_text())
    assert list(summary["left_out"]) == ["BAD", "NEW"] and summary["symbols"] == 5
    assert "Left out: NEW (too little history" in (folder / "report.html").read_text()
    # Too few left to rank: the refusal says why the others are not among them.
    few = CliRunner().invoke(app, ["signals", *data, "--symbols", "S00,S01,BAD,NEW"])
    one_line(few, f"received 2 (S00, S01); left out: {bad}); left out: NEW (too little history")
    searched = CliRunner().invoke(app, ["tune", "--universe", *data, "--model", "linear",
                                        "--trials", "1", "--folds", "2", "--out",
                                        str(tmp_path / "tune")])  # fmt: skip
    assert searched.exit_code == 0, searched.output
    assert f"left out: {bad}" in " ".join(searched.output.split()), searched.output
    assert list(json.loads((tmp_path / "tune" / "tune.json").read_text())["left_out"]) == [
        "BAD", "NEW"
    ]  # fmt: skip
    trained = CliRunner().invoke(app, ["train", "--universe", *data, "--epochs", "1",
                                       "--save", str(tmp_path / "bundle")])  # fmt: skip
    assert trained.exit_code == 0, trained.output
    said = f"note: 2 of the 7 symbols are not trained on: {bad}); NEW (30 closes, expected at"
    assert said in " ".join(trained.output.split()), trained.output


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        ({"horizons": (1, 2.5)}, "--horizon: expected distinct sessions >= 1, received 1,2.5"),
        ({"horizons": 5}, "--horizon: expected distinct sessions >= 1, received 5"),
        ({"bins": 2.5}, "--bins: expected at least 2 quantile groups, received 2.5"),
        ({"factors": "reversal_1"}, "--factors: expected a tuple of names, received "
                                    "'reversal_1'"),
        ({"features": "returns"}, "--features: expected a tuple of names, received 'returns'"),
        ({"models": "linear"}, "--models: expected names among lstm, "),
        ({"factors": ()}, "--factors: expected a factor, or a model of --models, to judge, "
                          "received none"),
    ],
)  # fmt: skip
def test_a_python_caller_s_signals_plan_is_checked_as_the_options_are(given, fragment):
    """`SignalsPlan(horizons=(1, 2.5))`, `bins=2.5` or `horizons=5` were TypeErrors, a string
    of factor or feature names was judged letter by letter ("received 'r'"), and no signal
    at all a KeyError 'signal'; `buffer=0` was refused in words that offered 0."""
    from stockcaster.errors import StockcasterError
    from stockcaster.jobs.signals import SignalsPlan

    SignalsPlan(buffer=0).check()  # no buffered book, as --buffer 0 is
    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        SignalsPlan(**given).check()
