"""`stockcaster tune`: trials scored on the training years only, resumable after SIGKILL."""

from __future__ import annotations

import html
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ohlcv, one_line, write_kaggle
from stockcaster.cli import app
from stockcaster.features.pipeline import FeatureConfig, min_fit_rows
from stockcaster.models.presets import load_preset

# Tiny networks, one epoch: the search's mechanics, not its models, are under test.
SPACE = """
[lookback]
low = 5
high = 10
[units]
low = 4
high = 8
[layers]
low = 1
high = 1
[epochs]
low = 1
high = 1
[batch_size]
choices = [64]
"""
ENV = {**os.environ, "KERAS_BACKEND": "jax"}  # traces networks far faster than TensorFlow


def command(data: Path, out: Path, space: Path, trials: int, *more: str) -> list[str]:
    return [sys.executable, "-m", "stockcaster", "tune", "--data", str(data), "--out", str(out),
            "--space", str(space), "--trials", str(trials), "--sampler", "random",
            "--pruner", "none", "--seed", "3", "--folds", "2", "--json", *more]  # fmt: skip


def files_for(tmp_path: Path, test_factor: float = 1.0) -> tuple[Path, Path]:
    """A 400-day symbol (its last quarter the test period, scaled by `test_factor`)."""
    table = ohlcv(400, "AA", 5)
    test = table.index >= 300
    for column in ("open", "close", "low", "high"):
        table.loc[test, column] *= test_factor
    data = write_kaggle(tmp_path / f"prices-{test_factor}.csv", table)
    space = tmp_path / "space.toml"
    space.write_text(SPACE)
    return data, space


def trials_table(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "trials.csv").drop(columns="seconds")


def test_changing_the_test_period_changes_no_trial(tmp_path):
    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.tune import TuneConfig, tune

    results = []
    for factor in (1.0, 1.3):
        data, space = files_for(tmp_path, factor)
        out = tmp_path / f"search-{factor}"
        config = TuneConfig(trials=2, space=space, sampler="random", pruner="none", seed=3,
                            folds=2)  # fmt: skip
        results.append((tune(Source(data), config, out), trials_table(out)))
    (summary, first), (changed, second) = results
    pd.testing.assert_frame_equal(first, second)  # parameters, fold scores, ratios
    assert summary["best"]["params"] == changed["best"]["params"]
    assert summary["verdict"]["spa_pvalue"] == changed["verdict"]["spa_pvalue"]
    assert summary["best"]["test_ratio"] != changed["best"]["test_ratio"]  # it was read after
    assert set(first["state"]) == {"complete"} and len(first) == 2
    tuned = load_preset(str(tmp_path / "search-1.3" / "best.toml"))  # usable as --preset
    assert tuned.features.lookback == changed["best"]["params"]["lookback"]
    # The best refit is a bundle that `predict` forecasts from.
    bundle = tmp_path / "search-1.3" / changed["bundle"]
    forecast = CliRunner().invoke(app, ["predict", "--bundle", str(bundle), "--data", str(data),
                                        "--horizon", "2", "--json",
                                        "--out", str(tmp_path / "forecast")])  # fmt: skip
    assert forecast.exit_code == 0, forecast.output
    assert len(json.loads(forecast.stdout)["forecast"]) == 2
    assert (tmp_path / "search-1.3" / "report.html").is_file()
    assert changed["notes"] == [] == json.loads((bundle / "bundle.json").read_text())["notes"]
    # The search's folder given for its bundle says where the bundle is.
    mistaken = CliRunner().invoke(app, ["predict", "--bundle", str(tmp_path / "search-1.3")])
    one_line(mistaken, f"received a search's results, whose best refit is the bundle {bundle}")


def test_a_search_of_a_split_notes_it_in_the_terminal_its_summary_report_and_bundle(tmp_path):
    """`tune` said nothing of an unadjusted split in its prices, where `run`, `backtest`,
    `train` and `universe` note it; the clean search above notes nothing (the control)."""
    table = ohlcv(400, "AA", 5)
    table.loc[200:, ["open", "high", "low", "close"]] /= 7
    data = write_kaggle(tmp_path / "split.csv", table)
    space = tmp_path / "space.toml"
    space.write_text(SPACE)
    out = tmp_path / "search"
    args = command(data, out, space, 1)[3:-1]  # in this process, and its terminal's words
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "note: AA's close moved -8" in " ".join(done.output.split()), done.output
    (note,) = json.loads((out / "tune.json").read_text())["notes"]
    assert "as a 7-for-1 split would" in note
    assert html.escape(note) in (out / "report.html").read_text()
    assert json.loads((out / "bundle" / "bundle.json").read_text())["notes"] == [note]


def test_a_search_killed_and_resumed_ends_with_distinct_trials(tmp_path):
    data, _ = files_for(tmp_path)
    out = tmp_path / "search"
    # The linear family: trials of a fraction of a second, the search's mechanics the same.
    args = ["tune", "--model", "linear", "--data", str(data), "--out", str(out), "--trials",
            "12", "--sampler", "random", "--seed", "3", "--folds", "2", "--quiet"]  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "stockcaster", *args], env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and _complete(out) < 3:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 3 <= _complete(out) < 12, "the kill came too late"
    again = CliRunner().invoke(app, [*args, "--resume"])
    assert again.exit_code == 0, again.output
    table = trials_table(out)
    assert len(table) == 12 and table["trial"].is_unique
    assert not table["alpha"].duplicated().any()  # no parameter set drawn twice
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and "add --resume" in refused.stderr


def test_the_grid_sampler_visits_each_point_of_its_grid_once(tmp_path):
    """The grid sampler, made anew for every trial with a new seed, shuffled the grid anew:
    3 trials over a range's 3 points drew its top end twice and never its middle."""
    data, _ = files_for(tmp_path)
    space = tmp_path / "alpha.toml"
    space.write_text("[alpha]\nlow = 0.01\nhigh = 100.0\nlog = true\n")
    out = tmp_path / "grid"
    args = ["tune", "--model", "linear", "--data", str(data), "--out", str(out), "--space",
            str(space), "--trials", "5", "--sampler", "grid", "--folds", "2"]  # fmt: skip
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    assert sorted(trials_table(out)["alpha"]) == pytest.approx([0.01, 1.0, 100.0])
    # 3 of the 5 asked, without a word (stop 53): the grid's end is said.
    said = "note: the grid holds 3 configurations (every choice, each range at its ends and "
    assert said in " ".join(done.output.split()), done.output


def test_failed_trials_are_said_kept_with_their_error_and_judged_by_no_figure(
    tmp_path, monkeypatch
):
    """3 of 6 trials failed and the search said "best of 3 trials" and nothing else: no
    word of the failures, none in trials.csv (whose docstring promised them), the verdict's
    count silent. And a search stopped by --timeout said as little of the trials it left."""
    from stockcaster.models.tabular import TabularForecaster

    fit, calls = TabularForecaster.fit, []

    def every_other(self, history):
        calls.append(1)
        if len(calls) % 2 == 0:  # each trial fits once a fold: trials fail in turn
            raise MemoryError("Unable to allocate 3.2 TiB")
        return fit(self, history)

    monkeypatch.setattr(TabularForecaster, "fit", every_other)
    data, _ = files_for(tmp_path)
    out = tmp_path / "search"
    args = ["tune", "--model", "linear", "--data", str(data), "--out", str(out), "--trials",
            "4", "--sampler", "random", "--pruner", "none", "--folds", "1"]  # fmt: skip
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    table = pd.read_csv(out / "trials.csv")
    failed = table[table["state"] == "failed"]
    assert len(failed) == 2 and failed["validation_ratio"].isna().all()
    assert failed["error"].str.endswith("MemoryError: Unable to allocate 3.2 TiB").all()
    summary = json.loads((out / "tune.json").read_text())
    assert summary["trials"] == {"finished": 2, "scored": 2, "failed": 2}
    shown = " ".join(done.output.split())
    assert shown.startswith("best of 2 trials") and "best of 2 configurations" in shown
    said = f"note: 2 of the 4 trials failed and are not judged (trial {failed['trial'].iloc[0]}: "
    assert said in shown and "MemoryError" in shown, shown
    page = html.unescape((out / "report.html").read_text())
    assert "2 of the 4 trials failed" in page and "Trials (2 finished, 2 failed)" in page

    def slow(self, history):
        time.sleep(0.2)  # past the --timeout below: one trial starts
        return fit(self, history)

    monkeypatch.setattr(TabularForecaster, "fit", slow)
    timed = CliRunner().invoke(app, [*args[:-7], "3", "--timeout", "0.001", "--out",
                                     str(tmp_path / "timed")])  # fmt: skip
    assert timed.exit_code == 0, timed.output
    said = "note: --timeout 0.001 minutes passed after 1 of the 3 trials asked; --resume"
    assert said in " ".join(timed.output.split()), timed.output
    # A --timeout gone before the first trial: "every trial failed (no reason kept)".
    none = CliRunner().invoke(app, [*args[:-7], "3", "--timeout", "1e-9", "--out",
                                    str(tmp_path / "none")])  # fmt: skip
    one_line(none, "error: --timeout: expected time for a trial, received 1e-09 minutes, gone")


def _complete(folder: Path) -> int:
    study = folder / "study.sqlite3"
    if not study.exists():
        return 0
    try:
        with sqlite3.connect(study, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'").fetchone()[0]
    except sqlite3.OperationalError:  # the tables are being created
        return 0


@pytest.mark.parametrize("lookback", [200])
def test_a_space_longer_than_the_history_is_refused_before_any_trial(tmp_path, lookback):
    data, space = files_for(tmp_path)
    space.write_text(f"[lookback]\nlow = 5\nhigh = {lookback}\n")
    out = tmp_path / "search"
    done = CliRunner().invoke(app, command(data, out, space, 2)[3:])  # in this process
    assert done.exit_code == 2
    assert f"received lookback {lookback}" in done.stderr and str(space) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not out.exists()
    # the data it is too long for is named (it said "the data"): the default space's 60 is
    # too long for 70 closes
    short = write_kaggle(tmp_path / "short.csv", ohlcv(70))
    done = CliRunner().invoke(app, ["tune", "--data", str(short), "--out", str(out)])
    one_line(done, f"the default space: expected a longest lookback that {short} symbol MSFT can "
                   "fit (its first fold has ")  # fmt: skip
    assert "received lookback 60, which needs 190 (lookbacks up to " in done.stderr
    assert not out.exists()
    # the way out it names: the longest lookback the first fold's closes fit, by the one
    # history rule, and one more is refused
    fits = int(done.stderr.split("lookbacks up to ")[1].split()[0])
    rows = int(done.stderr.split("its first fold has ")[1].split()[0])
    assert min_fit_rows(FeatureConfig(lookback=fits)) <= rows
    assert min_fit_rows(FeatureConfig(lookback=fits + 1)) > rows
    space.write_text(SPACE.replace("low = 5\nhigh = 10", f"choices = [{fits + 1}]", 1))
    done = CliRunner().invoke(app, command(short, out / "longer", space, 1)[3:])
    assert done.exit_code == 2 and f"received lookback {fits + 1}" in done.stderr


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[units]\nchoices = [0]\n", "[units] 0: expected units >= 1, received units=0"),
        ("[dropout]\nchoices = [2.0]\n", "[dropout] 2.0: expected dropout in [0, 1)"),
        ("[lookback]\nchoices = [-5]\n", "[lookback] -5: expected lookback >= 1"),
    ],
)
def test_a_space_value_the_model_refuses_stops_the_search_before_any_trial(tmp_path, text, said):
    """Each end of the space is built as a trial's model first: a unit count of 0 was taken
    as the preset's own (trials.csv said 0), a dropout of 2 failed every trial, a lookback
    of -5 was refused without naming the file."""
    data, space = files_for(tmp_path)
    space.write_text(text)
    out = tmp_path / "search"
    done = CliRunner().invoke(app, command(data, out, space, 2)[3:])
    assert done.exit_code == 2, done.output
    line = done.stderr.strip()
    assert line.startswith(f"error: {space}: {said}") and "\n" not in line, line
    assert not out.exists()


def test_a_model_that_cannot_fit_fails_its_trials_and_the_search_says_why(tmp_path, monkeypatch):
    """A trial whose model could not fit scored exactly naive's 1.0 (each missing forecast
    counted as naive's) and could be chosen best; its refit then ended in a traceback."""
    from stockcaster.models.tabular import TabularForecaster

    def cannot(self, history):
        raise MemoryError("Unable to allocate 3.2 TiB")

    monkeypatch.setattr(TabularForecaster, "fit", cannot)
    data, space = files_for(tmp_path)
    out = tmp_path / "search"
    args = command(data, out, space, 2, "--model", "linear")[3:]
    done = CliRunner().invoke(app, [a for a in args if a != str(space) and a != "--space"])
    assert done.exit_code == 2, done.output
    line = done.stderr.strip()
    assert line.startswith(f"error: {out}: every trial failed (linear: expected a model "), line
    assert line.endswith("received an error at fit: MemoryError: Unable to allocate 3.2 TiB)")
    assert "\n" not in line and "Traceback" not in done.output


def test_the_deflated_sharpe_ratio_is_said_as_a_probability_after_every_try_and_the_test_tested(
    tmp_path,
):
    """The Deflated Sharpe Ratio is a probability: the terminal printed "deflated Sharpe
    0.85", which reads as a Sharpe ratio. And the report counted the scored trials only,
    where the figure counts every try, pruned ones too."""
    from stockcaster.reporting.tune_report import tune_sections

    data, _ = files_for(tmp_path)
    out = tmp_path / "search"
    done = CliRunner().invoke(app, ["tune", "--model", "linear", "--data", str(data), "--out",
                                    str(out), "--trials", "3", "--pruner", "none", "--seed", "3",
                                    "--folds", "2"])  # fmt: skip
    assert done.exit_code == 0, done.output
    summary = json.loads((out / "tune.json").read_text())
    probability = summary["verdict"]["deflated_sharpe"]
    said = " ".join(done.stdout.split())
    # The test ratio comes with its Diebold-Mariano p-value: below 1 is no win by itself.
    best = summary["best"]
    assert 0 < best["test_dm_pvalue"] < 1
    assert (f"test ratio {best['test_ratio']:.4f} (Diebold-Mariano p = "
            f"{best['test_dm_pvalue']:.3f} against naive)") in said  # fmt: skip
    assert (f"deflated Sharpe ratio {probability:.2f}: the probability, after 3 tries, that the "
            "best trial's long/flat rule on the validation days has a true Sharpe ratio above "
            "0") in said  # fmt: skip
    # As the search would have written it had 5 more trials been pruned after one fold.
    trials = pd.read_csv(out / "trials.csv")
    pruned = pd.DataFrame({"trial": range(3, 8), "state": "pruned"})
    pd.concat([trials, pruned]).to_csv(out / "trials.csv", index=False)
    summary["trials"] = {"finished": 8, "scored": 3}
    (out / "tune.json").write_text(json.dumps(summary))
    verdict = dict(tune_sections(out)[1])["Verdict"]
    assert f"deflated Sharpe ratio {probability:.2f}: the probability, after 8 tries," in verdict
