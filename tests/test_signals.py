"""Signals and two commands at once: exit 130 or 143 in one line, nothing unfinished kept, a
search or universe resumed as if it had never stopped, one command at a time per folder."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ohlcv, write_kaggle
from stockcaster.cli import app
from stockcaster.errors import Interrupted


def _stockcaster(*args: str) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "stockcaster"), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_as_from_a_terminal)  # fmt: skip


def _as_from_a_terminal() -> None:
    """Ctrl-C's default disposition in the child: a shell that starts the suite in the
    background (`make test &`) leaves SIGINT ignored, and a child inherits that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _finished(study: Path) -> int:
    if not study.exists():
        return 0
    try:
        with sqlite3.connect(f"{study.as_uri()}?mode=ro", uri=True, timeout=1) as db:
            query = "SELECT COUNT(*) FROM trials WHERE state IN ('COMPLETE', 'PRUNED')"
            return db.execute(query).fetchone()[0]
    except sqlite3.OperationalError:  # the tables are being made
        return 0


def _search(data: Path, out: Path, trials: int) -> list[str]:
    return ["tune", "--model", "linear", "--data", str(data), "--out", str(out),
            "--trials", str(trials), "--sampler", "random", "--folds", "2", "--seed", "5",
            "--quiet"]  # fmt: skip


def test_a_search_stopped_by_ctrl_c_resumes_to_the_uninterrupted_search(tmp_path):
    data = write_kaggle(tmp_path / "prices.csv", ohlcv(300, "AA", 6))
    out = tmp_path / "search"
    both = [_stockcaster(*_search(data, out, 12)) for _ in range(2)]
    deadline = time.monotonic() + 120
    # Two searches into one folder at once: one is refused in one line, the other runs.
    while all(p.poll() is None for p in both) and time.monotonic() < deadline:
        time.sleep(0.02)
    (loser,) = [p for p in both if p.poll() is not None]
    (runner,) = [p for p in both if p is not loser]
    _, refused = loser.communicate(timeout=60)
    assert loser.returncode == 2, refused
    assert refused.count("\n") == 1 and "Traceback" not in refused, refused
    assert "another stockcaster command is using" in refused or "holds a search" in refused
    while _finished(out / "study.sqlite3") < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert runner.poll() is None, "the search ended before Ctrl-C"
    runner.send_signal(signal.SIGINT)
    _, stopped = runner.communicate(timeout=60)
    assert runner.returncode == 130, stopped
    assert stopped == f"interrupted: finished trials are kept in {out}; add --resume to continue\n"
    assert not (out / "trials.csv").exists()  # nothing of a finished search was written
    # Resumed, it ends with the trials of a search never stopped.
    resumed = CliRunner().invoke(app, [*_search(data, out, 12), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    whole = CliRunner().invoke(app, _search(data, tmp_path / "whole", 12))
    assert whole.exit_code == 0, whole.output
    a, b = (pd.read_csv(f / "trials.csv").drop(columns=["trial", "seconds"])
            for f in (out, tmp_path / "whole"))  # fmt: skip
    pd.testing.assert_frame_equal(a, b)


class _RecordingInterrupted:
    """A study whose trial loop is interrupted while it records a trial, as Optuna's can be:
    its `finally` reads a name the interrupted line never set."""

    def __init__(self, stop: BaseException):
        self.stop = stop

    def get_trials(self, deepcopy: bool = False) -> list:
        return []

    def record(self) -> str:
        raise self.stop

    def optimize(self, objective, **options) -> None:
        try:
            state = self.record()
        finally:
            if state == "complete":  # unset when `record` was stopped: UnboundLocalError
                pass


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), Interrupted("SIGTERM", 143)])
def test_an_interrupt_that_optuna_turns_into_another_error_is_raised_as_itself(stop):
    from stockcaster.tuning.search import run_trials

    options = {"trials": 3, "timeout_s": None}
    with pytest.raises(type(stop)) as raised:
        run_trials(_RecordingInterrupted(stop), lambda trial: 0.0, options)
    assert raised.value is stop
    with pytest.raises(UnboundLocalError):  # over any other error, the error stays as it is
        run_trials(_RecordingInterrupted(ZeroDivisionError()), lambda trial: 0.0, options)


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("command", ["tune", "universe"])
def test_a_signal_while_starting_ends_in_one_line_and_writes_nothing(tmp_path, command, name):
    out = tmp_path / "out"
    process = _stockcaster(command, "--data", str(tmp_path / "x.csv"), "--out", str(out))
    time.sleep(0.3)  # importing
    assert process.poll() is None
    number = getattr(signal, name)
    process.send_signal(number)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + number, stderr
    assert stderr.startswith(f"interrupted by {name}") and stderr.count("\n") == 1, stderr
    assert not out.exists()


def _interrupt(*args, **options):
    raise Interrupted("SIGTERM", 143)


@pytest.mark.parametrize("where", ["save", "predict"])
def test_a_universe_bundle_saved_or_read_when_sigterm_comes_leaves_nothing(
    tmp_path, monkeypatch, where
):
    import stockcaster.store.bundle_files as bundle
    from stockcaster.store import files

    data = write_kaggle(tmp_path / "panel.csv", pd.concat(
        [ohlcv(160, name, seed) for seed, name in enumerate(["AA", "BB", "CC"])]))  # fmt: skip
    model = tmp_path / "bundle"
    if where == "predict":
        trained = CliRunner().invoke(app, ["train", "--universe", "--data", str(data), "--epochs",
                                           "1", "--save", str(model)])  # fmt: skip
        assert trained.exit_code == 0, trained.output
        monkeypatch.setattr(files, "write_json", _interrupt)
        out = str(tmp_path / "o")
        args = ["predict", "--bundle", str(model), "--data", str(data), "--out", out]
    else:
        monkeypatch.setattr(bundle, "sha256", _interrupt)  # after the model is written
        args = ["universe", "--data", str(data), "--models", "naive,lstm", "--epochs", "1",
                "--out", str(tmp_path / "u"), "--save", str(model), "--quiet"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 143, result.output
    assert result.stderr.count("\n") == 1 and "interrupted" in result.stderr
    assert (not model.exists()) == (where == "save")
    leftovers = [p for p in tmp_path.rglob("*") if ".partial" in p.name]
    assert leftovers == [] and not (tmp_path / "o").exists()


def test_a_tracked_run_stopped_while_logging_marks_its_mlflow_run_killed(tmp_path, monkeypatch):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    import stockcaster.reporting.tracking as tracking

    monkeypatch.setattr(tracking, "_log", _interrupt)  # once the run is made
    data = write_kaggle(tmp_path / "prices.csv", ohlcv(260))
    uri = f"sqlite:///{tmp_path / 'm' / 'mlflow.db'}"
    result = CliRunner().invoke(app, ["backtest", "--models", "naive", "--data", str(data),
                                      "--out", str(tmp_path / "o"), "--track", "mlflow",
                                      "--tracking-uri", uri, "--quiet"])  # fmt: skip
    assert result.exit_code == 143, result.output
    client = MlflowClient(tracking_uri=uri)
    (run,) = client.search_runs([client.get_experiment_by_name("stockcaster").experiment_id])
    assert run.info.status == "KILLED"


def test_a_ctrl_c_that_python_swallowed_stops_the_search_after_its_trial(monkeypatch, kaggle_csv):
    """The command's Ctrl-C handler remembers its KeyboardInterrupt, as SIGTERM's does: one
    that lands where Python ignores exceptions (a garbage-collector callback) is raised again
    once the trial it came in is recorded, so the search stops (exit 130, its one line)."""
    import optuna

    from stockcaster import errors
    from stockcaster.tuning.search import run_trials

    monkeypatch.setattr(errors, "_PENDING", [])
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # Python's own, at start
    try:
        assert CliRunner().invoke(app, ["inspect", str(kaggle_csv)]).exit_code == 0
        handler = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, before)

    def objective(trial) -> float:
        if trial.number == 1:
            # Swallowed, as Python does with an exception raised in a collector's callback.
            with contextlib.suppress(KeyboardInterrupt):
                handler(signal.SIGINT, None)
        return 0.0

    study = optuna.create_study()
    with pytest.raises(KeyboardInterrupt):
        run_trials(study, objective, {"trials": 5, "timeout_s": None})
    assert len(study.trials) == 2  # the trial it came in was recorded, no later one ran
