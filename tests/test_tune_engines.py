"""`stockcaster tune` beyond one symbol on one machine: a universe, Ray Tune, MLflow tracking."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ohlcv, write_kaggle
from stockcaster.jobs.requests import global_model
from stockcaster.jobs.tune import TuneConfig, tune
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.models.presets import load_preset

NAMES = ["AA", "BB", "CC", "DD", "EE", "FF"]


def panel_file(folder: Path, test_factor: float = 1.0) -> Path:
    """Six 320-day symbols; every close after the universe's cutoff scaled by `test_factor`."""
    table = pd.concat([ohlcv(320, name, seed) for seed, name in enumerate(NAMES)])
    days = np.sort(table["date"].unique())
    later = table["date"] > days[int(0.75 * len(days)) - 1]  # the test period
    for column in ("open", "close", "low", "high"):
        table.loc[later, column] *= test_factor
    return write_kaggle(folder / f"panel-{test_factor}.csv", table.reset_index(drop=True))


def searched(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "trials.csv").drop(columns="seconds")


def test_a_universe_search_never_reads_the_test_period_and_scores_rank_ic(tmp_path):
    config = TuneConfig(family="linear", trials=3, sampler="random", pruner="none", seed=1)
    runs = []
    for factor in (1.0, 1.4):
        source = PanelSource(panel_file(tmp_path, factor))
        runs.append(tune(source, config, tmp_path / f"search-{factor}"))
    first, second = searched(tmp_path / "search-1.0"), searched(tmp_path / "search-1.4")
    pd.testing.assert_frame_equal(first, second)  # every trial, fold and IC the same
    assert runs[0]["verdict"] == runs[1]["verdict"]
    assert runs[0]["best"]["test_ratio"] != runs[1]["best"]["test_ratio"]  # read once, after
    assert {"fold_1_ic", "fold_3_ic", "validation_ic"} <= set(first.columns)
    assert first["validation_ic"].between(-1, 1).all() and first["alpha"].is_unique
    assert runs[0]["settings"]["symbol"] == "6 symbols"
    best = load_preset(str(tmp_path / "search-1.0" / "best.toml"))
    assert best.tabular.alpha == runs[0]["best"]["params"]["alpha"]  # the universe's model
    assert global_model(preset_name=str(tmp_path / "search-1.0" / "best.toml")) == best
    page = (tmp_path / "search-1.0" / "report.html").read_text()
    assert "Optimisation history" in page and "data:image/png;base64" in page


def cli(*args: str):
    """The command in this process (what is tested is the command, not a process)."""
    from typer.testing import CliRunner

    from stockcaster.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mlflow_server(tmp_path):
    """A real MLflow tracking server (SQLite backend, artifacts proxied) on a free port."""
    pytest.importorskip("mlflow")
    port = free_port()
    command = [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1",
               "--port", str(port), "--workers", "1",
               "--backend-store-uri", f"sqlite:///{tmp_path / 'server.db'}",
               "--artifacts-destination", str(tmp_path / "artifacts")]  # fmt: skip
    # Without MLflow's job runner: stockcaster submits no server-side jobs, and its eight
    # consumer processes, each importing MLflow, took more CPU than the server itself.
    quiet = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True, env=quiet)  # fmt: skip
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{uri}/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        os.killpg(server.pid, signal.SIGKILL)
        pytest.fail("the MLflow server did not answer within 120 s")
    yield uri
    # The whole server, its workers too, at once: its graceful stop waits seconds for nothing.
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)


def test_a_search_is_tracked_on_a_real_mlflow_server(tmp_path, mlflow_server):
    from mlflow.tracking import MlflowClient

    out = tmp_path / "search"
    data = write_kaggle(tmp_path / "msft.csv", ohlcv(400, "MSFT", 3))
    tracked = ["--track", "mlflow", "--tracking-uri", mlflow_server]
    done = cli("tune", "--model", "linear", "--trials", "3", "--pruner", "none", "--data", data,
               "--out", out, "--json", *tracked)  # fmt: skip
    assert done.exit_code == 0, done.output[-2000:]
    summary = json.loads(done.stdout)  # nothing but the JSON on stdout
    client = MlflowClient(mlflow_server)
    experiment = client.get_experiment_by_name("stockcaster")
    runs = client.search_runs([experiment.experiment_id])
    parent = next(r for r in runs if r.info.run_id == summary["tracked"]["run_id"])
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    assert len(runs) == 4 and len(children) == 3
    assert parent.data.metrics["best.test_ratio"] == pytest.approx(summary["best"]["test_ratio"])
    trials = pd.read_csv(out / "trials.csv").set_index("trial")
    for child in children:
        number = int(child.info.run_name.removeprefix("trial "))
        assert float(child.data.params["alpha"]) == pytest.approx(trials.loc[number, "alpha"])
        ratio = trials.loc[number, "validation_ratio"]
        assert child.data.metrics["validation_ratio"] == pytest.approx(ratio)
        config = client.download_artifacts(child.info.run_id, "config.toml", str(tmp_path))
        assert "[tabular]" in Path(config).read_text()
    shown = {a.path for a in client.list_artifacts(parent.info.run_id)}
    assert {"best.toml", "report.html", "trials.csv", "tune.json"} <= shown


@pytest.mark.parametrize("command", ["backtest", "universe"])
def test_backtest_and_universe_are_tracked_too(tmp_path, command, monkeypatch):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'track.db'}"
    data = panel_file(tmp_path) if command == "universe" else None
    args = [command, "--models", "naive,drift", "--out", tmp_path / "out", "--json",
            "--track", "mlflow", "--tracking-uri", uri]  # fmt: skip
    if data is not None:
        args += ["--mode", "per-symbol", "--quiet", "--data", data]
    done = cli(*args)
    assert done.exit_code == 0, done.output[-2000:]
    where = json.loads(done.stdout)["tracked"]
    run = MlflowClient(uri).get_run(where["run_id"])
    assert run.data.params["models"] == "naive,drift" and run.info.run_name == command
    assert any(name.endswith("mse_ratio") or "ratio" in name for name in run.data.metrics)
    refused = cli(*args[:3], "--track", "wandb", "--out", "x")
    assert refused.exit_code == 2 and "--track: expected one of mlflow" in refused.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--universe"], "--universe: expected --data FILE"),
        (["--symbols", "AA,BB"], "--symbols: expected --universe with it"),
        (["--features", "technical"], "--features: expected --universe with it"),  # ignored
        (["--covariates", "A"], "--covariates: expected --universe with it"),
        (["--universe", "--data", "PANEL", "--features", "astrology"], "astrology"),
        (["--universe", "--data", "PANEL", "--symbol", "AA"], "not --symbol"),
        (["--model", "naive"], "--model: expected one of lstm, gru"),
        (["--sampler", "cmaes"], "--sampler: expected one of tpe, random, grid"),
        (["--trials", "4294967296"], "--trials: expected a whole number between 1 and 10000"),
        (["--track", "mlflow", "--tracking-uri", "ftp://x", "--data", "PANEL"], "error:"),
    ],
)
def test_bad_search_options_are_one_line_exit_2_and_write_nothing(tmp_path, args, message):
    panel = str(panel_file(tmp_path))
    out = tmp_path / "search"
    done = cli("tune", *[panel if a == "PANEL" else a for a in args], "--out", out)
    assert done.exit_code == 2, done.output[-2000:]
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()
