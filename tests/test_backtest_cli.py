"""`stockcaster backtest` end to end on a short series, and its bad input."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stockcaster.cli import app

REQUIRED = [
    "model", "horizon", "mse", "rmse", "mae", "mape", "mase", "theil_u", "directional_accuracy",
    "mse_ratio", "dm_pvalue", "lag_flag", "long_flat_total_return", "long_flat_sharpe",
    "long_short_max_drawdown", "long_short_turnover", "long_short_hit_rate",
]  # fmt: skip
OUTPUTS = {
    "leaderboard.csv",
    "leaderboard.json",
    "forecasts.csv",
    "forecasts.png",
    "errors.png",
    "equity.png",
    "equity.csv",
}


def test_backtest_end_to_end(tmp_path, small_csv):
    out = tmp_path / "runs"
    args = ["backtest", "--data", str(small_csv), "--models", "lstm,naive,drift,ma,arima"]
    result = CliRunner().invoke(app, [*args, "--horizon", "2", "--epochs", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    assert {p.name for p in folder.iterdir()} == OUTPUTS
    board = pd.read_csv(folder / "leaderboard.csv")
    assert set(REQUIRED) <= set(board.columns)
    assert sorted(board["model"].unique()) == ["arima", "drift", "lstm", "ma", "naive"]
    assert sorted(board["horizon"].unique()) == [1, 2]
    naive = board[board["model"] == "naive"]
    assert (naive["mse_ratio"] == 1).all() and naive["lag_flag"].all()
    summary = json.loads((folder / "leaderboard.json").read_text())
    assert len(summary["leaderboard"]) == len(board) == 10
    assert summary["failures"] == []
    forecasts = pd.read_csv(folder / "forecasts.csv")
    assert list(forecasts.columns) == [
        "date", "symbol", "model", "origin", "horizon", "yhat", "actual", "lo", "hi"
    ]  # fmt: skip
    test_days = 260 - int(0.75 * 260)
    one_step = forecasts[forecasts["horizon"] == 1]
    assert (one_step.groupby("model").size() == test_days).all()
    assert (pd.to_datetime(forecasts["origin"]) < pd.to_datetime(forecasts["date"])).all()
    assert "naive =" in result.output and " *" in result.output  # baseline and best marked
    # each row says how many forecasts it is scored on: the one-step rows, every test day
    naive_row = next(line for line in result.output.splitlines() if "naive =" in line)
    assert f"│ 1 │ {test_days} │" in naive_row, naive_row
    # The star in words: each horizon's lowest MSE against naive, with its test
    said = " ".join(result.output.split())  # lines may wrap
    for h, rows in board.groupby("horizon"):
        best = rows.loc[rows["mse"].idxmin()]["model"]
        line = "no model's MSE is below naive's" if best == "naive" else f"lowest MSE, {best}: "
        assert f"h = {h}: {line}" in said, said


def test_a_backtest_says_its_best_model_against_naive_in_words():
    """A star beside drift's 0.9989 at p = 0.49 (the NYSE file) read as a winner."""
    import io

    from rich.console import Console

    from stockcaster.reporting.tables import leaderboard_table

    board = pd.DataFrame({"model": ["naive", "ma", "naive", "drift"], "horizon": [1, 1, 2, 2],
                          "n": 9, "mse": [1.0, 2.0, 1.0, 0.99], "mse_ratio": [1.0, 2.0, 1.0, 0.99],
                          "dm_pvalue": [None, 0.01, None, 0.49], "error": None})  # fmt: skip
    for key in ("mase", "theil_u", "directional_accuracy", "lag_flag", "long_flat_sharpe",
                "long_short_sharpe", "coverage"):  # fmt: skip
        board[key] = None
    printed = io.StringIO()
    hold = {"total_return": 0.1, "sharpe": 1.0, "max_drawdown": -0.1}
    leaderboard_table(Console(file=printed, width=200), board, hold, "t")
    lines = printed.getvalue().splitlines()
    assert "h = 1: no model's MSE is below naive's" in lines
    assert ("h = 2: lowest MSE, drift: 1.0% below naive's MSE: could well be chance, "
            "Diebold-Mariano p = 0.490") in lines  # fmt: skip


def test_origins_a_week_apart_trade_every_day_of_the_test_period(tmp_path, small_csv):
    """`--step 5`: buy-and-hold and the rules hold each position until the next origin."""
    out = tmp_path / "runs"
    args = ["backtest", "--data", str(small_csv), "--models", "naive,drift", "--step", "5"]
    result = CliRunner().invoke(app, [*args, "--cost-bps", "0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    summary = json.loads((folder / "leaderboard.json").read_text())
    closes = pd.read_csv(small_csv)["close"].to_numpy()
    whole = closes[-1] / closes[summary["train_size"] - 1] - 1  # every test day's return
    assert summary["buy_and_hold"]["total_return"] == pytest.approx(whole)
    curves = pd.read_csv(folder / "equity.csv")
    assert curves["buy_and_hold"].iloc[-1] == pytest.approx(1 + whole)
    assert summary["leaderboard"][0]["n"] == 13  # an origin every 5 of 65 days
    assert len(curves) == 65  # each marked every day it is held


class Broken:
    """A model that fails on every window after its first fit."""

    name = "ma"

    def __init__(self):
        self.fits = 0

    def fit(self, history):
        self.fits += 1
        if self.fits > 1:
            raise np.linalg.LinAlgError("SVD did not converge")

    def predict(self, history, horizon):
        return np.repeat(history.iloc[-1] * 1.001, horizon)


def _beside_broken_ma(monkeypatch, small_csv, out, models: str, first_fails: bool = False):
    """`backtest --models MODELS` with `ma` replaced by `Broken` (its first fit failing too
    with `first_fails`)."""
    from stockcaster.models.registry import MODELS

    broken = Broken()
    broken.fits = int(first_fails)
    monkeypatch.setitem(MODELS, "ma", dataclasses.replace(MODELS["ma"], make=lambda o: broken))
    args = ["backtest", "--data", str(small_csv), "--models", models, "--out", str(out)]
    return CliRunner().invoke(app, args)


def test_a_failing_model_is_reported_and_the_backtest_completes(tmp_path, small_csv, monkeypatch):
    out = tmp_path / "runs"
    result = _beside_broken_ma(monkeypatch, small_csv, out, "naive,ma")
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    summary = json.loads((folder / "leaderboard.json").read_text())
    assert {f["error"] for f in summary["failures"]} == {"LinAlgError: SVD did not converge"}
    rows = {r["model"]: r for r in summary["leaderboard"]}
    assert rows["ma"]["n"] == 21 and rows["naive"]["n"] == 65  # the first 21 origins only
    assert "ma failed on some windows: LinAlgError" in " ".join(result.output.split())


def test_a_model_failing_on_every_window_beside_one_that_forecasts_is_said_so(
    tmp_path, small_csv, monkeypatch
):
    """It was "failed on some windows", with an empty row: it had no forecast at all."""
    result = _beside_broken_ma(monkeypatch, small_csv, tmp_path / "runs", "naive,ma", True)
    assert result.exit_code == 0, result.output
    assert "ma failed on every window: LinAlgError" in " ".join(result.output.split())


def test_models_that_fail_on_every_window_are_one_line_and_nothing_written(
    tmp_path, small_csv, monkeypatch
):
    out = tmp_path / "runs"
    result = _beside_broken_ma(monkeypatch, small_csv, out, "ma", first_fails=True)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith("error: --models: expected a model that fits and forecasts")
    assert "every window of each: ma: LinAlgError: SVD did not converge" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "extra, fragment",
    [
        (["--models", "naive,lstn"], "--models: expected names among lstm, gru, seed"),
        (["--horizon", "500"], "--horizon: expected at most the 65 test days"),
        (["--horizon", "0"], "--horizon: expected a whole number, at least 1, received 0"),
        (["--window", "rolling"], "--window: expected one of expanding, sliding"),
        (["--retrain-every", "-1"], "--retrain-every: expected a whole number, 0 or more"),
        (
            ["--window", "sliding", "--retrain-every", "0"],
            "--window sliding: expected "
            "--retrain-every of 1 or more (the window moves at each refit), received "
            "--retrain-every 0",
        ),
        (
            ["--cost-bps", "-5"],
            "--cost-bps: expected 0 to 10000 bp (all of a trade), received -5.0",
        ),
        (["--cost-bps", "20000"], "--cost-bps: expected 0 to 10000 bp (all of a trade), received"),
        (["--test-rows", "60"], "expected at least 70 closes before the test period, received 45"),
    ],
)
def test_backtest_bad_input(tmp_path, small_csv, extra, fragment):
    if extra[0] == "--test-rows":  # a series too short for the LSTM's training window
        lines = small_csv.read_text().splitlines()
        small_csv.write_text("\n".join(lines[: int(extra[1]) + 1]) + "\n")
        extra = []
    out = tmp_path / "runs"
    result = CliRunner().invoke(
        app, ["backtest", "--data", str(small_csv), "--out", str(out), *extra]
    )
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message and fragment in message, message
    assert not out.exists()


def test_prophet_without_its_extra_says_how_to_get_it(tmp_path, small_csv, monkeypatch):
    from stockcaster.models.registry import MODELS, installed_models

    missing = dataclasses.replace(MODELS["prophet"], requires="no_such_module_here")
    monkeypatch.setitem(MODELS, "prophet", missing)
    assert "prophet" not in installed_models()
    result = CliRunner().invoke(
        app, ["backtest", "--data", str(small_csv), "--models", "prophet", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "pip install 'stockcaster[prophet]'" in result.stderr


def test_backtest_scores_the_intervals_of_a_quantile_model(tmp_path, small_csv):
    from conftest import tiny_forecast_preset

    out = tmp_path / "runs"
    args = ["backtest", "--data", str(small_csv), "--models", "lstm,naive", "--horizon", "2"]
    result = CliRunner().invoke(
        app, [*args, "--preset", tiny_forecast_preset(tmp_path), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    board = pd.read_csv(folder / "leaderboard.csv").set_index(["model", "horizon"])
    for step in (1, 2):
        assert 0 <= board.loc[("lstm", step), "coverage"] <= 1
        assert board.loc[("lstm", step), "interval_level"] == pytest.approx(0.8)
        assert board.loc[("lstm", step), "interval_score"] > 0
    assert board.loc[("naive", 1), ["coverage", "interval_score"]].isna().all()
    # One step ahead the lowest quantile is backtested as a 10% VaR of the close.
    forecasts = pd.read_csv(folder / "forecasts.csv")
    one = forecasts[(forecasts["model"] == "lstm") & (forecasts["horizon"] == 1)]
    assert board.loc[("lstm", 1), "var_level"] == pytest.approx(0.1)
    assert board.loc[("lstm", 1), "var_rate"] == pytest.approx((one["actual"] < one["lo"]).mean())
    assert 0 <= board.loc[("lstm", 1), "var_kupiec_p"] <= 1
    assert np.isnan(board.loc[("lstm", 2), "var_rate"])
    assert "cover" in result.output
    forecasts = pd.read_csv(folder / "forecasts.csv")
    lstm = forecasts[forecasts["model"] == "lstm"]
    assert (lstm["lo"] <= lstm["yhat"]).all() and (lstm["yhat"] <= lstm["hi"]).all()


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--model", "linear"],
        ["backtest", "--models", "naive,drift"],
        ["train", "--model", "linear"],
        ["backtest", "--target", "variance", "--models", "random_walk,har"],
    ],
)
def test_epochs_for_models_that_train_for_none_are_refused(tmp_path, small_csv, args):
    """`run --model linear --epochs 3` and `backtest --models naive,drift --epochs 3` ran as
    if --epochs were not there: no model they run trains for epochs."""
    out = tmp_path / "out"
    where = ["--save" if args[0] == "train" else "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--data", str(small_csv), "--epochs", "3", *where])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --epochs: expected a network among the models run")
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()


@pytest.mark.parametrize(
    ("plan", "fragment"),
    [
        ({"ma_window": 2.5}, "--ma-window: expected a whole number, at least 1, received 2.5"),
        ({"walk": {"horizon": 2.5}}, "--horizon: expected a whole number, at least 1, "
                                     "received 2.5"),
        ({"walk": {"step": 1.5}}, "--step: expected a whole number, at least 1, received 1.5"),
        ({"walk": {"retrain_every": 2.5}}, "--retrain-every: expected a whole number, 0 or "
                                           "more, received 2.5"),
        ({"walk": {"test_fraction": "0.3"}}, "test_fraction: expected a share in (0, 1), "
                                             "received '0.3'"),
        ({"features": "returns"}, "--features: expected a tuple of names, received 'returns'"),
        ({"cost_bps": "5"}, "--cost-bps: expected 0 to 10000 bp (all of a trade), "
                            "received '5'"),
        ({"symbol": 5}, "--symbol: expected a symbol's name, received 5"),
    ],
)  # fmt: skip
def test_a_python_caller_s_backtest_plan_is_checked_as_the_options_are(tmp_path, small_csv,
                                                                       plan, fragment):  # fmt: skip
    """`BacktestPlan(ma_window=2.5)`, a walk's horizon 2.5 or step 1.5, a cost "5" or a
    test fraction "0.3" were TypeErrors, a string of feature sets was read letter by letter,
    `Source(path, 5)` an AttributeError."""
    from stockcaster.errors import StockcasterError
    from stockcaster.evaluation.backtest import BacktestConfig
    from stockcaster.jobs.backtest import BacktestPlan, backtest
    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.requests import preset

    plan = dict(plan)
    symbol = plan.pop("symbol", None)
    walk = BacktestConfig(**plan.pop("walk", {}))
    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        backtest(preset("default"), BacktestPlan(models=("naive", "ma"), walk=walk, **plan),
                 Source(small_csv, symbol), out=tmp_path / "runs")  # fmt: skip
    assert not (tmp_path / "runs").exists()
