"""The last unsafe corners: values checked, not only bytes; `tune` as safe as the rest;
folders read back defensively; tracking where the user said; the new user's papercuts."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from conftest import ohlcv, one_line, write_kaggle
from stockcaster.cli import app


def _everything(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def prices(tmp_path_factory) -> Path:
    """300 days of one symbol, enough for every command's split."""
    return write_kaggle(tmp_path_factory.mktemp("prices") / "prices.csv", ohlcv(300, "AA", 4))


# -- values, not only bytes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "line", "fragment"),
    [
        ("backtest", "cost_bps = nan", "cost_bps: expected a finite number, received nan"),
        ("backtest", "cost_bps = inf", "cost_bps: expected a finite number, received inf"),
        ("tune", "timeout = -inf", "[tune] timeout: expected a finite number, received -inf"),
    ],
)  # fmt: skip
def test_a_setting_that_is_not_finite_is_refused_before_any_work(tmp_path, prices, table, line,
                                                                fragment):  # fmt: skip
    config = tmp_path / "c.toml"
    config.write_text(f"[{table}]\n{line}\n")
    out = tmp_path / "out"
    args = [table, "--data", str(prices), "--out", str(out), "--config", str(config)]
    one_line(CliRunner().invoke(app, args), fragment)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["backtest", "--models", "naive", "--cost-bps", "nan"],
         "--cost-bps: expected a finite number, received nan"),
        (["tune", "--timeout", "nan"], "--timeout: expected a finite number, received nan"),
        (["tune", "--timeout", "0"], "--timeout: expected a positive finite number, received 0"),
        (["tune", "--seed", "-5"], "--seed: expected a whole number between 0 and 4294967295"),
        (["tune", "--seed", str(2**32)],
         "--seed: expected a whole number between 0 and 4294967295"),
        (["tune", "--engine", "ray", "--trial-cpus", "-1"],
         "--trial-cpus: expected a positive finite number, received -1.0"),
        (["tune", "--engine", "ray", "--trial-gpus", "-1"],
         "--trial-gpus: expected a number at least 0"),
        (["tune", "--trial-gpus", "1"], "--trial-gpus: expected --engine ray with it"),
        (["tune", "--workers", "2"], "--workers: expected --engine ray with it"),
    ],
)  # fmt: skip
def test_options_out_of_range_are_refused_before_any_work(tmp_path, prices, args, fragment):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [*args, "--data", str(prices), "--out", str(out)])
    one_line(result, fragment)
    assert not out.exists()


def test_trial_gpus_the_machine_lacks_are_refused_and_ray_is_stopped(tmp_path, prices):
    pytest.importorskip("ray")
    out = tmp_path / "out"
    args = ["tune", "--model", "linear", "--engine", "ray", "--trial-gpus", "5", "--trials", "1",
            "--data", str(prices), "--out", str(out)]  # fmt: skip
    one_line(CliRunner().invoke(app, args), "--trial-gpus: expected at most the 0 GPUs Ray has")
    import ray

    assert not out.exists() and not ray.is_initialized()  # the instance started here is gone


# -- tune: folders it may write, one search at a time, progress ------------------------------


def _tune(prices: Path, out: Path, *more: str) -> list[str]:
    return ["tune", "--model", "linear", "--data", str(prices), "--out", str(out), "--trials",
            "3", "--sampler", "random", "--folds", "2", "--quiet", *more]  # fmt: skip


def _garbage_study(out: Path) -> None:
    (out / "study.sqlite3").write_bytes(b"not a database" * 50)
    (out / "search.json").write_text("{}")


def _unrelated_sqlite(out: Path) -> None:
    with sqlite3.connect(out / "study.sqlite3") as db:
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('mine')")
    (out / "search.json").write_text("{}")


def _universe_folder(out: Path) -> None:
    (out / "results.sqlite").write_bytes(b"a universe run's store")
    (out / "universe.json").write_text("{}")


@pytest.mark.parametrize("make", [_garbage_study, _unrelated_sqlite, _universe_folder])
def test_resume_accepts_only_a_search_tune_made_and_writes_nothing_else(tmp_path, prices, make):
    out = tmp_path / "search"
    out.mkdir()
    make(out)
    before = _everything(out)
    result = CliRunner().invoke(app, [*_tune(prices, out), "--resume"])
    one_line(result, "expected a search that stockcaster tune made")
    assert _everything(out) == before  # not a byte added: no Optuna table, no search.json


def test_a_new_search_refuses_a_folder_with_other_files(tmp_path, prices):
    out = tmp_path / "universe-run"
    out.mkdir()
    (out / "universe.json").write_text("{}")
    before = _everything(out)
    result = CliRunner().invoke(app, _tune(prices, out))
    one_line(result, "expected an empty or new folder for the search, received one with files")
    assert _everything(out) == before


@pytest.mark.parametrize("command", ["tune", "universe"])
def test_a_folder_in_use_by_another_command_is_refused(tmp_path, prices, command):
    from stockcaster.store.lock import folder_lock

    out = tmp_path / "search"
    out.mkdir()
    args = _tune(prices, out) if command == "tune" else [
        "universe", "--data", str(prices), "--models", "naive", "--mode", "per-symbol",
        "--min-history", "30", "--out", str(out)]  # fmt: skip
    with folder_lock(out):  # as a running search or universe run holds it
        result = CliRunner().invoke(app, args)
    one_line(result, "which another stockcaster command is using")
    assert not any(out.iterdir())


def test_a_search_tells_its_progress_and_resumes_where_it_stopped(tmp_path, prices):
    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.tune import TuneConfig, tune

    told = []
    config = TuneConfig(family="linear", trials=4, sampler="random", folds=2, seed=7)
    summary = tune(Source(prices), config, tmp_path / "whole", progress=lambda *a: told.append(a))
    assert [t[0] for t in told] == [0, 1, 2, 3, 4] and {t[1] for t in told} == {4}
    ratios = pd.read_csv(tmp_path / "whole" / "trials.csv")["validation_ratio"]
    assert told[-1][2] == pytest.approx(ratios.min())
    assert [t[2] for t in told[1:]] == pytest.approx(list(ratios.cummin()))
    # Two trials, then two more on --resume: the same trials as the search run at once.
    half = TuneConfig(family="linear", trials=2, sampler="random", folds=2, seed=7)
    tune(Source(prices), half, tmp_path / "halves")
    resumed = tune(Source(prices), config, tmp_path / "halves", resume=True)
    whole, halves = (pd.read_csv(tmp_path / f / "trials.csv").drop(columns="seconds")
                     for f in ("whole", "halves"))  # fmt: skip
    pd.testing.assert_frame_equal(whole, halves)
    assert resumed["best"] == summary["best"] and resumed["verdict"] == summary["verdict"]


# -- reading back ---------------------------------------------------------------------------


def _finished_universe(tmp_path, kaggle_csv) -> tuple[Path, list[str]]:
    """A finished per-symbol universe run of naive, and the command that made it."""
    out = tmp_path / "u"
    args = ["universe", "--data", str(kaggle_csv), "--models", "naive", "--mode", "per-symbol",
            "--out", str(out), "--quiet"]  # fmt: skip
    assert CliRunner().invoke(app, args).exit_code == 0
    return out, args


def test_resume_on_a_store_without_its_settings_is_refused(tmp_path, kaggle_csv):
    out, args = _finished_universe(tmp_path, kaggle_csv)
    with sqlite3.connect(out / "results.sqlite") as db:
        db.execute("DROP TABLE meta")
    before = _everything(out)
    wanted = "results.sqlite: expected a stockcaster results store with its run's settings"
    one_line(CliRunner().invoke(app, [*args, "--resume"]), wanted)
    after = _everything(out)
    assert after.keys() == before.keys()  # no meta table made again from today's flags
    with sqlite3.connect(out / "results.sqlite") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "meta" not in tables


def test_resume_on_a_store_whose_settings_hold_a_key_more_is_refused(tmp_path, kaggle_csv):
    out, args = _finished_universe(tmp_path, kaggle_csv)
    with sqlite3.connect(out / "results.sqlite") as db:
        (text,) = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
        forged = json.dumps({**json.loads(text), "aaa": 1})
        db.execute("UPDATE meta SET value = ? WHERE key = 'settings'", (forged,))
    result = CliRunner().invoke(app, [*args, "--resume"])
    one_line(result, "expected --resume with the settings of the stored run, received a "
              "different 'aaa'")  # fmt: skip


# -- a worker that cannot start ---------------------------------------------------------------


def test_a_worker_that_dies_while_starting_stops_the_run_with_the_reason(monkeypatch):
    from stockcaster.engines.local import LocalEngine, WorkerStartError

    got = []
    with pytest.raises(WorkerStartError, match='if __name__ == "__main__"'):
        LocalEngine(workers=2).run(_die_on_unpickling, None, None, ["A", "B"], got.append)
    assert got == []


class _Unpicklable:
    """Unpickled in the worker, where it exits: a worker that dies before it is ready."""

    def __reduce__(self):
        return os._exit, (3,)


_die_on_unpickling = _Unpicklable()


# -- tracking goes where the user said ---------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "fragment"),
    [
        ("http://127.0.0.1:9", "expected a tracking server answering within 5 s"),
        ("http://", "expected http(s)://HOST:PORT"),
        ("http://host:notaport", "expected http(s)://HOST:PORT"),
        ("file:///tmp/mlruns", "MLflow 3 no longer writes its plain-file store"),
        ("mlruns", "MLflow 3 no longer writes its plain-file store"),
        ("sqlite://", "expected sqlite:///PATH"),
        ("bogus://x", "expected http(s)://HOST:PORT"),  # was MLflow's traceback, after the run
        ("mysql+nodriver://u@h/db", "expected a database URI whose driver is installed"),
    ],
)
def test_a_tracking_uri_that_cannot_be_written_is_refused_before_any_work(tmp_path, prices, uri,
                                                                         fragment):  # fmt: skip
    pytest.importorskip("mlflow")
    out = tmp_path / "out"
    for how in ({"--tracking-uri": uri}, {"env": uri}):
        env = {"MLFLOW_TRACKING_URI": uri} if "env" in how else {}
        flag = [] if env else ["--tracking-uri", uri]
        args = ["backtest", "--models", "naive", "--data", str(prices), "--out", str(out),
                "--track", "mlflow", *flag]  # fmt: skip
        result = CliRunner(env=env).invoke(app, args)
        one_line(result, fragment)
        assert ("MLFLOW_TRACKING_URI" if env else "--tracking-uri") in result.stderr
        assert not out.exists()


def test_tracking_follows_the_environment_and_stays_in_out_by_default(tmp_path, prices,
                                                                       monkeypatch):  # fmt: skip
    pytest.importorskip("mlflow")
    monkeypatch.chdir(tmp_path)
    named = tmp_path / "elsewhere" / "mlflow.db"
    named.parent.mkdir()
    args = ["backtest", "--models", "naive", "--data", str(prices), "--track", "mlflow", "--json"]
    env = {"MLFLOW_TRACKING_URI": f"sqlite:///{named}"}
    first = CliRunner(env=env).invoke(app, [*args, "--out", "a"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["tracked"]["uri"] == env["MLFLOW_TRACKING_URI"]
    assert named.is_file() and not (tmp_path / "mlruns").exists()
    second = CliRunner(env={"MLFLOW_TRACKING_URI": None}).invoke(app, [*args, "--out", "b"])
    assert second.exit_code == 0, second.output
    assert (tmp_path / "b" / "mlruns" / "mlflow.db").is_file()
    assert not (tmp_path / "mlruns").exists()  # nothing outside --out that nobody named


# -- the papercuts ---------------------------------------------------------------------------------


def test_help_shows_brackets_and_names_every_folder_a_report_reads():
    runner = CliRunner()
    assert "stockcaster[prophet]" in " ".join(
        runner.invoke(app, ["backtest", "--help"]).output.split()
    )
    assert "([run], [backtest], ...)" in " ".join(
        runner.invoke(app, ["run", "--help"]).output.split()
    )
    report = " ".join(runner.invoke(app, ["report", "--help"]).output.split())
    assert "universe" in report and "tune" in report


def test_init_writes_the_flags_names_and_they_load_back(tmp_path, prices):
    path = tmp_path / "c.toml"
    assert CliRunner().invoke(app, ["init", str(path)]).exit_code == 0
    text = path.read_text()
    assert "# json = false" in text and "json_output" not in text
    assert "# retrain_every = 21" in text
    path.write_text('[backtest]\njson = true\nmodels = "naive"\n')
    result = CliRunner().invoke(app, ["backtest", "--data", str(prices), "--config", str(path),
                                      "--out", str(tmp_path / "out")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["symbol"] == "AA"  # --json taken from the file


def test_predict_refuses_horizon_zero(tmp_path, prices):
    result = CliRunner().invoke(app, ["predict", "--bundle", str(tmp_path), "--horizon", "0"])
    assert result.exit_code == 2 and result.stderr.startswith("error: --horizon")


def test_train_and_predict_take_quiet():
    for command in ("train", "predict"):
        assert "--quiet" in CliRunner().invoke(app, [command, "--help"]).output


def test_the_backtest_table_stays_readable_at_80_columns():
    from stockcaster.reporting.tables import leaderboard_table

    names = ("naive", "drift", "moving average", "arima", "prophet", "lstm")
    board = pd.DataFrame(
        {"model": names, "horizon": 1, "n": 100, "mse": [0.5 + i / 10 for i in range(6)],
         "mse_ratio": 1.0, "mase": 1.8, "theil_u": 1.0, "directional_accuracy": 0.5,
         "dm_pvalue": 0.3, "lag_flag": True, "long_flat_sharpe": 0.8, "long_short_sharpe": -0.1,
         "coverage": None, "interval_score": None, "error": None}
    )  # fmt: skip
    hold = {"total_return": 0.1, "sharpe": 1.0, "max_drawdown": -0.1}
    for width in (80, 200):
        console = Console(width=width, record=True, force_terminal=False)
        leaderboard_table(console, board, hold, "AA · walk-forward backtest")
        text = console.export_text()
        table = [line for line in text.splitlines() if line[:1] in "┏┃┡│└"]
        assert max(len(line) for line in table) <= width
        header = table[1]
        for name in names:
            assert name in text  # never cut to "MA…" or "proph…"
        assert "MSE" in header and "xnaive" in header and "DM p" in header
        shown = [h for h in ("MASE", "U", "LF SR") if f" {h} " in header]
        assert ("not shown at 80 columns" in text) == (width == 80) and (len(shown) < 3) == (
            width == 80
        )


def test_counts_in_report_tables_are_whole_numbers():
    from stockcaster.reporting.html_parts import table_html

    page = table_html(pd.DataFrame({"symbols": [8.0, None], "ratio": [0.5, 1.25]}))
    assert "<td>8</td>" in page and "8.0000" not in page and "0.5000" in page


def test_no_figure_is_written_as_a_false_zero(tmp_path):
    """A coin at 0.000002 had prices of 0.00 and errors of 0.0000 in every table (its MSE is
    1e-14); a figure too small for its places now shows 3 significant digits, a price under 1
    four, and a true zero stays 0.0000 (the control)."""
    from stockcaster.reporting.html_parts import table_html
    from stockcaster.reporting.numbers import figure, price

    assert (figure(5.7649e-15), figure(-0.00004), figure(0.0), figure(0.5735)) == (
        "5.76e-15", "-4e-05", "0.0000", "0.5735")  # fmt: skip
    assert (figure(0.004, 2), figure(0.01, 2), figure(float("nan")), figure(None)) == (
        "0.004", "0.01", "", "")  # fmt: skip
    assert (price(2.5954e-6), price(0.07123), price(61.09), price(0.0)) == (
        "2.595e-06", "0.07123", "61.09", "0.00")  # fmt: skip
    page = table_html(pd.DataFrame({"mse": [5.7649e-15, 0.0]}))
    assert "<td>5.76e-15</td>" in page and "<td>0.0000</td>" in page
    from bokeh.models import HoverTool

    from stockcaster.reporting.interactive import Line, chart

    days = pd.date_range("2016-01-04", periods=3)
    drawn = chart("c", days, [Line("coin", pd.Series([2.6e-6, 2.7e-6, 2.5e-6])),
                              Line("stock", pd.Series([61.1, 61.3, 60.9]))], "price")  # fmt: skip
    (hover,) = drawn.select(type=HoverTool)
    assert dict(hover.tooltips) == {"date": "@x{%F}", "coin": "@y0{%.4g}", "stock": "@y1{0.0000}"}
    assert dict(hover.formatters) == {"@x": "datetime", "@y0": "printf"}
    table = ohlcv(300)
    table[["open", "high", "low", "close"]] *= 1e-7
    data = write_kaggle(tmp_path / "coin.csv", table)
    shown = CliRunner().invoke(app, ["inspect", str(data)])
    last = table["close"].iloc[-1]
    assert shown.exit_code == 0 and f" {price(last)} " in shown.output, shown.output
    ran = CliRunner().invoke(app, ["run", "--data", str(data), "--model", "drift", "--json",
                                   "--out", str(tmp_path / "runs")])  # fmt: skip
    mse = json.loads(ran.stdout)["model"]["mse"]
    assert 0 < mse < 1e-13
    ran = CliRunner().invoke(app, ["run", "--data", str(data), "--model", "drift",
                                   "--out", str(tmp_path / "runs")])  # fmt: skip
    assert f"│ {figure(mse)} │" in ran.output and "0.0000" not in ran.output, ran.output


def test_a_job_holds_back_native_log_lines_in_the_python_api(capfd):
    from stockcaster.jobs.envelope import job

    @job
    def noisy() -> int:
        os.write(2, b"E0000 00:00:1764912345.123456   123 cuda_dnn.cc:8310] Unable to register\n")
        os.write(2, b"a line of the user's\n")
        return 7

    assert noisy() == 7
    err = capfd.readouterr().err
    assert "cuda_dnn" not in err and "a line of the user's" in err


def test_a_job_holds_back_tensorflow_s_python_warnings_but_not_its_errors(caplog):
    """A process that builds many networks is warned by TensorFlow's logger that retracing
    is expensive; a job says nothing of it (it once came before `predict`'s one-line error
    in a long-lived process), and the logger's level is put back after the job."""
    import logging

    from stockcaster.jobs.envelope import job

    tensorflow = logging.getLogger("tensorflow")
    before = tensorflow.level

    @job
    def noisy() -> int:
        tensorflow.warning("6 out of the last 50 calls triggered tf.function retracing")
        tensorflow.error("a real error of TensorFlow's")
        return 7

    assert noisy() == 7
    said = [r.getMessage() for r in caplog.records if r.name == "tensorflow"]
    assert said == ["a real error of TensorFlow's"]
    assert tensorflow.level == before
