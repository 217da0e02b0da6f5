"""`stockcaster universe` end to end on a toy universe: outputs, bad input, resume, Ray."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ohlcv, tiny_global, write_kaggle
from stockcaster.cli import app
from stockcaster.engines import EngineConfig
from stockcaster.jobs.universe import universe as universe_job
from stockcaster.jobs.universe_plan import PanelSource, UniverseConfig
from stockcaster.store.results import ResultsStore

HERE = Path(__file__).parent


def toy_file(folder: Path, broken: bool = False) -> Path:
    """Five 160-day symbols, one with 30 days (too short), optionally one with a bad cell."""
    tables = [ohlcv(160, name, seed) for seed, name in enumerate(["AA", "BB", "CC", "DD", "EE"])]
    tables.append(ohlcv(160, "NEW", 9).iloc[-30:])
    if broken:
        bad = ohlcv(160, "ZZ", 7)
        tables.append(bad)
    path = write_kaggle(folder / "universe.csv", pd.concat(tables, ignore_index=True))
    if broken:
        lines = path.read_text().splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("2015-03-02,ZZ"))
        parts = lines[at].split(",")
        parts[3] = "n/a?"  # the close
        lines[at] = ",".join(parts)
        path.write_text("\n".join(lines) + "\n")
    return path


def universe(data, config, symbols=None, *, workers=None, engine="local", **options):
    """The job, called the way these tests read best."""
    runner = EngineConfig(engine, workers)
    return universe_job(PanelSource(data, symbols), config, engine=runner, **options)


def tiny_config(mode: str = "global") -> UniverseConfig:
    model = tiny_global()
    return UniverseConfig(
        mode=mode, models=("naive", "drift", "ma", "arima", "lstm"), top_k=2, global_model=model
    )


def stored(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Everything a run stored but timings: symbols, metrics, forecasts."""
    with ResultsStore(folder) as store:
        return store.symbols().drop(columns="seconds"), store.metrics(), store.forecasts()


def test_universe_cli_end_to_end(tmp_path):
    data = toy_file(tmp_path, broken=True)
    out = tmp_path / "run"
    args = ["universe", "--data", str(data), "--out", str(out), "--epochs", "1",
            "--lookback", "5", "--top-k", "2", "--workers", "1", "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["symbols"] == {"done": 5, "skipped": 2, "failed": 0}
    assert "universe.csv line" in summary["skipped"]["ZZ"]
    assert "expected a number in column 'close', received 'n/a?'" in summary["skipped"]["ZZ"]
    assert summary["skipped"]["NEW"].startswith("too little history")
    models = {row["model"] for row in summary["scores"]}
    assert models == {"naive", "drift", "ma", "arima", "lstm"}
    lstm = summary["cross_section"]["lstm"]
    assert lstm["ic"]["days"] > 30 and lstm["portfolio"]["k"] == 2
    assert summary["global_model"]["symbols"] == 5
    # The tear sheet judges the same forecasts by the day they were made: the same rank IC.
    sheet = {row["signal"]: row for row in summary["tear_sheet"]}
    assert sheet["lstm"]["mean_rank_ic"] == pytest.approx(lstm["ic"]["mean_rank_ic"], abs=1e-12)
    assert sheet["lstm"]["days"] == lstm["ic"]["days"]
    assert {"reversal_1", "reversal_5", "low_volatility"} <= set(sheet)
    names = {p.name for p in out.iterdir()}
    expected = {"results.sqlite", "universe.json", "symbols.csv", "report.html", "ratios.png",
                "ic.png", "portfolio.png", "ic_daily.csv", "portfolio_daily.csv",
                "global_lstm.fit0.keras"}  # fmt: skip
    assert names == expected
    per_symbol = pd.read_csv(out / "symbols.csv")
    assert len(per_symbol) == 5 * 5
    page = (out / "report.html").read_text()
    assert "information coefficient" in page and "ZZ" in page
    assert page.index("Tear sheet") < page.index("Leaderboard")  # the report leads with it
    # The terminal ends the leaderboard with its verdict in words (a rank IC of 0.03 at t 1.7
    # read as a finding)
    import io

    from rich.console import Console

    from stockcaster.reporting.tables import print_scores

    printed = io.StringIO()
    print_scores(Console(file=printed, width=300), summary)
    said = [x for x in printed.getvalue().splitlines() if x.startswith("verdict: ")]
    rows = [r for r in summary["leaderboard"] if r["model"] != "naive"]
    best = max(rows, key=lambda r: r["mean_rank_ic"])
    ic, t = best["mean_rank_ic"], best["rank_ic_t"]
    assert said[-1].startswith(f"verdict: highest rank IC, {best['model']}: {ic:.4f} (t {t:.2f}")
    assert len(said) == 1 + max(1, sum(r["dm_wins_bh"] > 0 for r in rows)), said


@pytest.mark.parametrize(
    ("wins", "t", "says"),
    [
        ((0, 0), 1.7, ["no model's MSE is significantly below naive's on any symbol (after "
                       "Benjamini-Hochberg)", "highest rank IC, lstm: 0.0335 (t 1.70, within "
                       "chance)"]),
        ((3, 0), 2.5, ["lstm: an MSE significantly below naive's on 3 of 8 symbols (after "
                        "Benjamini-Hochberg)", "highest rank IC, lstm: 0.0335 (t 2.50)"]),
        ((0, 0), None, ["no model's MSE is significantly below naive's on any symbol (after "
                        "Benjamini-Hochberg)", "highest rank IC, lstm: 0.0335 (no t-statistic: "
                        "too few days)"]),
    ],
)  # fmt: skip
def test_a_universe_verdict_counts_significant_symbols_and_says_when_an_ic_is_chance(wins, t, says):
    from stockcaster.reporting.verdicts import universe_lines

    rows = [{"model": "naive", "dm_wins_bh": None, "mean_rank_ic": None},
            {"model": "lstm", "dm_wins_bh": wins[0], "mean_rank_ic": 0.0335, "rank_ic_t": t},
            {"model": "drift", "dm_wins_bh": wins[1], "mean_rank_ic": -0.02,
             "rank_ic_t": 1.0}]  # fmt: skip
    assert universe_lines(rows, 8) == says


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--symbols", "AA,QQQ,BBX"], "received 2 unknown: QQQ, BBX (did you mean BB?)"),
        (["--symbols", "aax"], "received 1 unknown: aax (did you mean AA?)"),
        (["--symbols", ","], "--symbols: expected at least one symbol of"),  # not "among 0"
        (["--strict"], "line"),
        (["--mode", "both"], "--mode: expected one of per-symbol, global, received 'both'"),
        (["--engine", "spark"], "--engine: expected one of local, ray, received 'spark'"),
        (["--backend", "mxnet"], "--backend: expected one of tensorflow, jax, torch"),
        (["--workers", "0"], "--workers: expected at least 1, received 0"),  # not "cores"
        # 100,000 processes were started, each to train a model on a core it shares.
        (["--workers", "100000"], "--workers: expected at most the "),
        # A preset no model trained on (global models, or baselines only) was ignored.
        *(
            (
                [*mode, "--models", models, "--preset", "seed"],
                "--preset: expected --mode per-symbol and a model that trains on it among --models "
                "(global models take --global-preset's), received seed",
            )
            for mode, models in (([], "naive,linear"), (["--mode", "per-symbol"], "naive,drift"))
        ),
        # One symbol's z-score among itself raised an IndexError at fit, its rank was the
        # same every day, and its inputs z-scored among themselves were all 0.
        *(
            (
                ["--symbols", "AA", "--models", "linear", *option.split()],
                f"{option}: expected 2 symbols or more to compare each day's values across, "
                "received 1 (AA)",
            )
            for option in ("--target rank", "--target zscore", "--normalise cross-section")
        ),
        (["--engine", "ray", "--workers", "100000"], "CPUs of this machine (a worker trains on"),
        (
            ["--cost-bps", "-1"],
            "error: --cost-bps: expected 0 to 10000 bp (all of a trade), received -1.0\n",
        ),
        (
            ["--cost-bps", "1e5"],
            "error: --cost-bps: expected 0 to 10000 bp (all of a trade), received 100000.0\n",
        ),
        # One level gave an interval "+0.02% .. +0.02%" called the quantile head's, and
        # 0.1,0.9 forecast the 10% quantile as the point (the level nearest 0.5).
        *(
            (
                ["--models", "lstm", "--quantiles", levels],
                "--quantiles: expected increasing quantiles in (0, 1), 0.5 among them (the point "
                f"forecast) and one on each side of it (the interval), received quantiles={shown}",
            )
            for levels, shown in (
                ("0.5", "[0.5]"),
                ("0.1,0.9", "[0.1, 0.9]"),
                ("0.5,0.9", "[0.5, 0.9]"),
            )
        ),
        (["--batch-size", "0", "--models", "lstm"], "error: --batch-size: expected batch_size"),
        (["--epochs", "0", "--models", "lstm"], "error: --epochs: expected epochs >= 1"),
        (["--global-preset", "nope"], "error: --global-preset: expected one of default"),
        (["--symbols", "AA", "--all"], "received both"),
        (["--symbols", "NEW"], "expected at least one symbol with 60 closes up to the cutoff"),
        (["--engine", "ray", "--ray-address", "127.0.0.1:1"], "expected a reachable Ray cluster"),
        (["--engine", "ray", "--ray-address", "nowhere"], "expected host:port or ray://host:port"),
        # the global models' options, with no global model to read them: ignored, silently
        (
            ["--mode", "per-symbol", "--models", "naive,lstm", "--epochs", "1"],
            "--epochs: expected a global model among --models with it (per-symbol networks take "
            "--preset's settings), received 1",
        ),
        (["--models", "naive,drift", "--lookback", "5"], "--lookback: expected a global model"),
        (["--models", "naive", "--window", "sliding"], "--window: expected a global model"),
        (
            ["--models", "naive,linear", "--window", "sliding"],
            "--window sliding: expected --retrain-every of 1 or more",
        ),  # the default, 0: one fit, as an expanding window
        (["--models", "naive,linear", "--epochs", "3"], "received linear, which train for no"),
    ],
)
def test_bad_universe_input_is_one_line_exit_2_and_writes_nothing(tmp_path, extra, message):
    data = toy_file(tmp_path, broken=True)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["universe", "--data", str(data), "--out", str(out), *extra])
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("models", "fragment"),
    [
        ("naive", "--models: expected names among lstm, gru, "),
        (("naive", "foo"), "--models: expected names among lstm, gru, "),
    ],
)
def test_the_python_api_refuses_models_it_does_not_know(tmp_path, models, fragment):
    """`universe(..., UniverseConfig(models="naive"))` (docs/python-api.md) raised KeyError
    'n', a string's letters read as models, and an unknown name KeyError 'foo'; so did
    `backtest`'s plan."""
    from stockcaster.errors import StockcasterError
    from stockcaster.jobs.backtest import BacktestPlan, backtest
    from stockcaster.jobs.envelope import Source

    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        backtest(tiny_config().global_model, BacktestPlan(models=models),
                 Source(toy_file(tmp_path), "AA"), out=tmp_path / "bt")  # fmt: skip
    assert not (tmp_path / "bt").exists()
    config = dataclasses.replace(tiny_config(), models=models)
    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        universe_job(PanelSource(toy_file(tmp_path)), config, out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        ({"top_k": 2.5}, "--top-k: expected a whole number, at least 1, received 2.5"),
        ({"ma_window": 2.5}, "--ma-window: expected a whole number, at least 1, received 2.5"),
        ({"retrain_every": 2.5}, "--retrain-every: expected a whole number, 0 or more, "
                                 "received 2.5"),
        ({"test_fraction": "0.3"}, "--test-fraction: expected a share in (0, 1), received "
                                   "'0.3'"),
        ({"features": "returns"}, "--features: expected a tuple of names, received 'returns'"),
        ({"global_model": "universe"}, "--global-preset: expected a RunConfig, received "
                                       "'universe'"),
    ],
)  # fmt: skip
def test_the_python_api_checks_a_universe_s_settings_as_its_options(tmp_path, given, fragment):
    """`UniverseConfig(top_k=2.5)` or `ma_window=2.5` ran (a book of 2.5 names), a string of
    feature sets was read letter by letter ("received 'r'"), `retrain_every=2.5` and a
    test fraction "0.3" were TypeErrors, a preset's name an AttributeError."""
    from stockcaster.errors import StockcasterError

    config = dataclasses.replace(tiny_config(), models=("naive", "ma"), **given)
    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        universe_job(PanelSource(toy_file(tmp_path)), config, out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_finished_run_is_not_overwritten_and_resume_checks_its_settings(tmp_path):
    data = toy_file(tmp_path)
    out = tmp_path / "run"
    config = dataclasses.replace(tiny_config(), models=("naive", "drift"))
    universe(data, config, ["AA", "BB", "CC", "DD"], out=out, workers=1)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix == ".sqlite"}
    args = ["universe", "--data", str(data), "--out", str(out), "--symbols", "AA,BB,CC,DD"]
    again = CliRunner().invoke(app, [*args, "--models", "naive,drift"])
    assert again.exit_code == 2 and "add --resume" in again.output
    other = CliRunner().invoke(app, [*args, "--models", "naive,ma", "--resume"])
    assert other.exit_code == 2 and "a different 'config'" in other.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.suffix == ".sqlite"} == before


KILL_SCRIPT = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from test_universe import tiny_config, universe
seen = []
def stop(record):
    seen.append(record.symbol)
    if len(seen) == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # kill -9, between two symbols
universe({data!r}, tiny_config(), out={out!r}, workers=1, on_symbol=stop)
"""


def test_a_run_killed_midway_and_resumed_ends_as_an_uninterrupted_run(tmp_path):
    data = toy_file(tmp_path, broken=True)
    killed = tmp_path / "killed"
    script = KILL_SCRIPT.format(tests=str(HERE), data=str(data), out=str(killed))
    import keras  # the killed run must train on the backend this process resumes with

    env = {**os.environ, "KERAS_BACKEND": keras.backend.backend()}
    process = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True)
    assert process.returncode == -9, process.stderr.decode()[-2000:]
    with ResultsStore(killed) as store:
        done = store.symbols().query("status == 'done'")["symbol"].tolist()
        assert len(done) == 2 and store.stage("global_model:lstm:0") is not None
    assert not (killed / "universe.json").exists()

    finished = []
    universe(data, tiny_config(), out=killed, resume=True, workers=1,
             on_symbol=lambda r: finished.append(r.symbol))  # fmt: skip
    assert sorted(finished) == ["CC", "DD", "EE", "NEW"]  # only the rest was run
    whole = tmp_path / "whole"
    universe(data, tiny_config(), out=whole, workers=1)
    for resumed, uninterrupted in zip(stored(killed), stored(whole), strict=True):
        pd.testing.assert_frame_equal(resumed, uninterrupted)
    a = json.loads((killed / "universe.json").read_text())
    b = json.loads((whole / "universe.json").read_text())
    assert a["scores"] == b["scores"] and a["cross_section"] == b["cross_section"]


def test_per_symbol_mode_fits_one_lstm_per_symbol(tmp_path):
    from test_forecasters import tiny_preset

    from stockcaster.models.presets import to_toml

    preset = tmp_path / "tiny.toml"
    preset.write_text(to_toml(tiny_preset()))
    data = toy_file(tmp_path)
    result = CliRunner().invoke(
        app,
        ["universe", "--data", str(data), "--symbols", "AA,BB", "--mode", "per-symbol",
         "--models", "naive,lstm", "--preset", str(preset), "--top-k", "1", "--workers", "1",
         "--out", str(tmp_path / "run"), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["global_model"] is None  # no global model in per-symbol mode
    metrics = pd.read_csv(tmp_path / "run" / "symbols.csv")
    lstm = metrics[metrics["model"] == "lstm"]
    assert sorted(lstm["symbol"]) == ["AA", "BB"] and (lstm["n"] == 40).all()


def test_universe_options_come_from_a_config_file(tmp_path):
    data = toy_file(tmp_path)
    config = tmp_path / "stockcaster.toml"
    config.write_text(
        f'[universe]\ndata = "{data}"\nmodels = "naive,drift"\nmode = "per-symbol"\n'
        f'symbols = "AA,BB,CC"\ntop_k = 1\nworkers = 1\nout = "{tmp_path / "run"}"\n'
    )
    result = CliRunner().invoke(app, ["universe", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["settings"]["symbols"] == ["AA", "BB", "CC"]
    assert {row["model"] for row in summary["scores"]} == {"naive", "drift"}


def test_the_summary_is_strict_json(tmp_path):
    data = toy_file(tmp_path)
    config = dataclasses.replace(tiny_config("per-symbol"), models=("naive", "drift"))
    universe(data, config, ["AA", "BB", "CC"], out=tmp_path / "run", workers=1)
    text = (tmp_path / "run" / "universe.json").read_text()
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in universe.json"))


def test_a_failing_symbol_is_recorded_and_tried_again_on_resume(tmp_path, monkeypatch):
    import stockcaster.jobs.universe as module

    data = toy_file(tmp_path)
    config = dataclasses.replace(tiny_config("per-symbol"), models=("naive", "drift"))
    real, real_batch = module.evaluate_symbol_task, module.evaluate_symbols

    def broken_for_bb(shared, job, symbol):
        if symbol == "BB":
            raise RuntimeError("disk on fire")
        return real(shared, job, symbol)

    def batch_broken_by_bb(shared, job, symbols):
        if "BB" in symbols:  # closed forms are scored in batches: the batch fails first
            raise RuntimeError("disk on fire")
        return real_batch(shared, job, symbols)

    monkeypatch.setattr(module, "evaluate_symbol_task", broken_for_bb)
    monkeypatch.setattr(module, "evaluate_symbols", batch_broken_by_bb)
    run = universe(data, config, ["AA", "BB", "CC"], out=tmp_path / "run", workers=1)
    assert run.summary["symbols"] == {"done": 2, "skipped": 0, "failed": 1}
    assert run.summary["failed"] == {"BB": "RuntimeError: disk on fire"}
    assert run.symbols.set_index("symbol").loc["BB", "attempts"] == 2  # tried once more
    assert "disk on fire" in (tmp_path / "run" / "report.html").read_text()

    monkeypatch.setattr(module, "evaluate_symbol_task", real)
    monkeypatch.setattr(module, "evaluate_symbols", real_batch)
    again = universe(data, config, ["AA", "BB", "CC"], out=tmp_path / "run", workers=1,
                     resume=True)  # fmt: skip
    assert again.summary["symbols"] == {"done": 3, "skipped": 0, "failed": 0}


def test_a_global_model_that_cannot_fit_is_one_line(tmp_path, monkeypatch):
    """A global network too large for the machine's memory (as `--set mlp.width=1000000000`
    was) stops the run in one line that says where it stands, not with a traceback."""
    from stockcaster.models.global_model import GlobalNetwork

    def too_large(self, prices, cutoff):
        raise MemoryError("Unable to allocate 80.0 GiB for an array")

    monkeypatch.setattr(GlobalNetwork, "fit", too_large)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["universe", "--data", str(toy_file(tmp_path)), "--models",
                                      "naive,lstm", "--epochs", "1", "--lookback", "5",
                                      "--workers", "1", "--out", str(out), "--quiet"])  # fmt: skip
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith("error: --models: expected global model lstm to fit the "
                                    "panel, received an error at fit 1 of ")  # fmt: skip
    assert "MemoryError: Unable to allocate 80.0 GiB" in result.stderr
    assert f"{out} keeps the run so far (--resume continues it" in result.stderr


def test_the_global_model_alone_is_scored(tmp_path):
    config = dataclasses.replace(tiny_config(), models=("lstm",))
    run = universe(toy_file(tmp_path), config, out=tmp_path / "run", workers=1)
    assert run.summary["symbols"] == {"done": 5, "skipped": 1, "failed": 0}
    assert set(run.metrics["model"]) == {"lstm"}
    assert (run.metrics["mse_ratio"] > 0).all()


def test_a_run_whose_every_symbol_fails_still_completes_with_its_report(tmp_path, monkeypatch):
    import stockcaster.jobs.universe as module

    def broken(shared, job, symbol):
        raise RuntimeError(f"{symbol} unreadable")

    monkeypatch.setattr(module, "evaluate_symbol_task", broken)
    monkeypatch.setattr(
        module, "evaluate_symbols", lambda shared, job, symbols: broken(shared, job, symbols[0])
    )
    config = dataclasses.replace(tiny_config("per-symbol"), models=("naive",))
    run = universe(toy_file(tmp_path), config, ["AA", "BB"], out=tmp_path / "run", workers=1)
    assert run.summary["symbols"] == {"done": 0, "skipped": 0, "failed": 2}
    assert "BB unreadable" in (tmp_path / "run" / "report.html").read_text()
    assert pd.read_csv(tmp_path / "run" / "symbols.csv").empty


class NeverFits:
    name = "ma"

    def fit(self, history):
        raise ValueError("SVD did not converge")

    def predict(self, history, horizon):
        raise AssertionError("never fitted")


@pytest.mark.parametrize("models", ["naive,ma", "ma"])
def test_a_model_failing_on_every_symbol_is_said_so(tmp_path, monkeypatch, models):
    """Per symbol, a model whose every fit failed vanished from the leaderboard under "0
    failed"; with no other model the run printed an empty table and exit 0."""
    from stockcaster.models.registry import MODELS

    monkeypatch.setitem(MODELS, "ma", dataclasses.replace(MODELS["ma"], make=lambda o: NeverFits()))
    args = ["universe", "--data", str(toy_file(tmp_path)), "--mode", "per-symbol", "--models",
            models, "--symbols", "AA,BB", "--workers", "1"]  # fmt: skip
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "run"), "--json"])
    if models == "ma":
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
        assert result.stderr.strip() == (
            "error: --models: expected a model that fits and forecasts a symbol of "
            f"{tmp_path / 'universe.csv'}, received an error on every window of each: ma: AA: "
            "ValueError: SVD did not converge"
        )
        return
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["model_failures"] == {
        "ma": {"symbols": 2, "no_forecast": 2, "first": "AA: ValueError: SVD did not converge"}
    }
    assert "AA: ValueError: SVD did not converge" in (tmp_path / "run" / "report.html").read_text()
    shown = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "again")])
    assert "ma failed on windows of 2 symbols, with no forecast at all on 2: AA: ValueError" in (
        " ".join(shown.output.split())
    )


def test_a_symbol_whose_close_moved_as_a_split_would_is_noted(tmp_path):
    """A universe of Kaggle's unadjusted `prices.csv` trains across every split as if it were
    a crash: the run says which symbols moved so, in universe.json, the terminal and the
    report. The other symbols get no note (the control)."""
    tables = [ohlcv(160, name, seed) for seed, name in enumerate(["AA", "BB", "CC"])]
    tables[1].loc[100:, ["open", "high", "low", "close"]] /= 2  # BB: unadjusted from day 100
    data = write_kaggle(tmp_path / "raw.csv", pd.concat(tables, ignore_index=True))
    out = tmp_path / "run"
    args = ["universe", "--data", str(data), "--models", "naive,drift", "--workers", "1"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "universe.json").read_text())
    day = f"{tables[1]['date'].iloc[100]:%Y-%m-%d}"
    (note,) = summary["notes"]
    assert note.startswith("BB's close moved -5") and f"on {day}, as a 2-for-1 split" in note
    assert "note: BB's close moved" in " ".join(result.output.split())
    assert "Note: BB&#x27;s close moved" in (out / "report.html").read_text()


def test_a_symbol_whose_close_never_moved_before_the_cutoff_is_skipped(tmp_path):
    """A stale symbol (the same close every day, as a halted one filled forward) was run: the
    global model took its training returns' spread of 0 as 1, so each of its forecasts moved
    it by a z-score's worth of 100%. It is skipped as `run` refuses it; the bundles' symbols
    follow the same rule. A symbol still for part of its training days is run (the control)."""
    tables = [ohlcv(160, name, seed) for seed, name in enumerate(["AA", "BB", "CC", "FLAT"])]
    tables[3][["open", "high", "low", "close"]] = 10.0
    tables[2].loc[:60, ["open", "high", "low", "close"]] = 10.0  # CC: still until day 60
    table = pd.concat(tables, ignore_index=True)
    data = write_kaggle(tmp_path / "stale.csv", table)
    out = tmp_path / "run"
    args = ["universe", "--data", str(data), "--models", "naive,linear", "--lookback", "5",
            "--workers", "1", "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "universe.json").read_text())
    assert summary["skipped"]["FLAT"].startswith("the same close on all 120 days up to")
    assert summary["symbols"] == {"done": 3, "skipped": 1, "failed": 0}
    assert summary["global_models"]["linear"][0]["symbols"] == 3
    # The terminal says which symbol was skipped and why (it gave only the count), and that
    # the book of 3 symbols holds 1 long and 1 short, not the default --top-k's 10 (silent).
    shown = " ".join(result.stdout.split())
    assert "skipped: FLAT (the same close on all 120 days up to" in shown
    assert "book: 1 long and 1 short, the most 3 symbols allow (--top-k 10)" in shown
    # A lower MSE than naive's on a symbol is no win by itself: the column says "below naive"
    # and the title what it counts (it read "beats naive", beside the DM wins).
    assert "below naive: the share of symbols whose MSE is lower, by chance or not" in shown
    assert "L/S: the top-1 long/short book, net of 5 bp a half-turn" in shown  # net of what
    assert "beats naive" not in shown
    from stockcaster.jobs.universe_bundle import trainable

    assert trainable(table, 60) == ["AA", "BB", "CC"]
    # One symbol run is no cross-section: its book's figures are empty, and the terminal said
    # "book: 1 long and 1 short, the most 1 symbols allow"
    import io

    from rich.console import Console

    from stockcaster.reporting.tables import print_scores

    printed = io.StringIO()
    summary["symbols"]["done"] = 1
    print_scores(Console(file=printed, width=300), summary)
    assert "book: none, a long and a short need 2 symbols, and 1 was run" in printed.getvalue()
    assert "1 symbol run, 1 skipped, 0 failed" in printed.getvalue()  # "1 symbols run"


def test_the_python_api_s_symbols_are_a_list(tmp_path):
    """`PanelSource(path, "AA")` ran the symbols A and A: a string's letters."""
    from stockcaster.errors import StockcasterError

    with pytest.raises(StockcasterError, match=re.escape(
            "received 'AA', a string (in Python, a list of them)")):  # fmt: skip
        universe_job(PanelSource(toy_file(tmp_path), "AA"), tiny_config(), out=tmp_path / "run")
    assert not (tmp_path / "run").exists()
