"""The variance target: every family keeps the contract on log variance and reads no later
day, the volatility models find planted volatility, and `backtest --target variance` writes
its leaderboard and VaR backtests or refuses bad input in one line."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_forecasters import tiny_options
from typer.testing import CliRunner

from conftest import ohlcv, one_line
from stockcaster.cli import app
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.risk import qlike
from stockcaster.features.volatility import daily_variance, log_returns, variance_ahead
from stockcaster.models.presets import load_preset, to_toml
from stockcaster.models.registry import MODELS
from stockcaster.models.variance import FAMILIES, FamilyWalk, walk_variance
from stockcaster.models.volatility import MIN_NU, Shape, training_residuals, value_at_risk

FIRST = 200  # the last training day of the walks below


def garch_prices(n: int = 260, seed: int = 0, symbol: str = "MSFT") -> pd.DataFrame:
    """A price table whose daily volatility follows a known GJR-GARCH(1,1,1) (a falling
    day raises tomorrow's variance more): each day's open, high and low drawn around its
    close-to-close move with that day's deviation."""
    rng = np.random.default_rng(seed)
    sigma2, close, rows = 1e-4, 50.0, []
    for _ in range(n):
        r = np.sqrt(sigma2) * rng.standard_normal()
        sigma = np.sqrt(sigma2)
        open_ = close * np.exp(0.2 * sigma * rng.standard_normal())
        new = close * np.exp(r)
        high = max(open_, new) * np.exp(abs(rng.standard_normal()) * sigma * 0.6)
        low = min(open_, new) * np.exp(-abs(rng.standard_normal()) * sigma * 0.6)
        rows.append((open_, high, low, new))
        sigma2 = 2e-6 + (0.05 + 0.10 * (r < 0)) * r**2 + 0.88 * sigma2
        close = new
    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close"])
    frame.insert(0, "symbol", symbol)
    frame.insert(0, "date", pd.bdate_range("2015-01-02", periods=n))
    frame["volume"] = 1000
    return frame


def _later_days_changed(table: pd.DataFrame, day: int) -> pd.DataFrame:
    """The same prices to `day`; every later day's moves and ranges three times as large."""
    changed = table.copy()
    for column in ("open", "high", "low", "close"):
        values = changed[column].to_numpy().copy()
        base = np.log(values[day])
        values[day + 1 :] = np.exp(base + 3 * (np.log(values[day + 1 :]) - base))
        changed[column] = values
    return changed


def _entries():
    return [pytest.param(n, marks=pytest.mark.skipif(not MODELS[n].installed(), reason="extra"))
            for n in FAMILIES]  # fmt: skip


@pytest.mark.parametrize("name", _entries())
def test_every_family_on_log_variance_keeps_the_contract_and_reads_no_later_day(name):
    """One fit through day FIRST; forecasts of 1 and 2 days ahead from 12 origins are
    finite and positive; with every day after 205 changed, no forecast, VaR or training
    residual made at or before 205 changes (the same fitted model reads the new prices)."""
    table = garch_prices()
    v, r = daily_variance(table)[0], log_returns(table)
    walk = FamilyWalk(name, tiny_options())
    residuals = training_residuals(walk, v, r, FIRST)
    origins = np.arange(FIRST, 212)
    before = walk_variance(walk, v, r, origins, (1, 2), every=0)
    assert before.shape == (12, 2) and np.isfinite(before).all() and (before > 0).all()
    assert np.isfinite(residuals).sum() >= 60
    changed = _later_days_changed(table, 205)
    v2, r2 = daily_variance(changed)[0], log_returns(changed)
    after = walk_variance(walk, v2, r2, origins, (1, 2), every=0)
    np.testing.assert_array_equal(before[:6], after[:6])  # origins 200 .. 205
    assert not np.allclose(before[8:], after[8:])
    np.testing.assert_array_equal(residuals, training_residuals(walk, v2, r2, FIRST))
    shape = Shape.fit("t", residuals)
    var = value_at_risk(before[:, 0], 0.01, shape)[0]
    np.testing.assert_array_equal(var[:6], value_at_risk(after[:, 0], 0.01, shape)[0][:6])


def test_a_refitted_family_reads_no_later_day():
    """Fresh walks refitted every 10 origins (at 200, 210, 220, 230): with every day after
    215 changed, the forecasts from origins up to 215 are the same."""
    table = garch_prices()
    changed = _later_days_changed(table, 215)
    origins = np.arange(FIRST, 240)
    got = []
    for prices in (table, changed):
        v, r = daily_variance(prices)[0], log_returns(prices)
        got.append(walk_variance(FamilyWalk("linear", tiny_options()), v, r, origins, (1,), 10))
    np.testing.assert_array_equal(got[0][:16], got[1][:16])
    assert not np.allclose(got[0][20:], got[1][20:])


def test_on_planted_volatility_a_family_and_har_beat_the_random_walk():
    """A positive control: where tomorrow's variance is forecastable (GARCH), the family
    on log variance (ridge on the window) and HAR both beat the random walk's QLIKE."""
    from stockcaster.models.volatility import forecast

    table = garch_prices(900, 4)
    v, r = daily_variance(table)[0], log_returns(table)
    origins = np.arange(600, 899)
    proxy = variance_ahead(v, origins, 1)
    walked = walk_variance(FamilyWalk("linear", tiny_options()), v, r, origins, (1,))[:, 0]
    loss = {"linear": qlike(proxy, walked).mean()}
    for name in ("har", "random_walk"):
        loss[name] = qlike(proxy, forecast(name, v, r, origins)[:, 0]).mean()
    assert loss["linear"] < 0.85 * loss["random_walk"] and loss["har"] < 0.85 * loss["random_walk"]


def _write(tmp_path: Path, table: pd.DataFrame, name: str = "prices.csv") -> Path:
    path = tmp_path / name
    table.to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def _backtest(tmp_path: Path, *args: str):
    return CliRunner().invoke(app, ["backtest", "--target", "variance", "--out",
                                    str(tmp_path / "runs"), "--json", *args])  # fmt: skip


def test_backtest_on_the_variance_target_scores_every_model_and_its_var(tmp_path):
    data = _write(tmp_path, garch_prices(700, 2))
    models = "random_walk,ewma,garch,har,linear"
    result = _backtest(tmp_path, "--data", str(data), "--models", models, "--horizon", "3",
                       "--report")  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    folder = Path(summary["folder"])
    for name in ("leaderboard.csv", "var.csv", "distribution.csv", "forecasts.csv",
                 "leaderboard.json", "risk.png", "report.html"):  # fmt: skip
        assert (folder / name).stat().st_size > 0, name
    board = pd.DataFrame(summary["leaderboard"])
    assert sorted(map(tuple, board[["model", "horizon"]].to_numpy())) == sorted(
        (m, h) for m in models.split(",") for h in (1, 3)
    )
    one = board[board["horizon"] == 1].set_index("model")
    assert one.loc["random_walk", "qlike_x_random_walk"] == pytest.approx(1.0)
    assert one.loc["har", "qlike_x_ewma"] == pytest.approx(
        one.loc["har", "qlike"] / one.loc["ewma", "qlike"]
    )
    assert one.loc["har", "qlike"] < one.loc["random_walk", "qlike"]  # planted volatility
    var = pd.DataFrame(summary["var"])
    assert len(var) == 5 * 3 * 2 and var["rate"].between(0, 1).all()
    assert set(var["traffic_light"]) <= {"green", "yellow", "red"}
    rows = pd.read_csv(folder / "forecasts.csv")
    assert (rows["variance"] > 0).all() and summary["estimator"] == "garman_klass"
    pit = rows.loc[rows["horizon"] == 1, "pit"]
    assert pit.between(0, 1).all() and 0.3 < pit.mean() < 0.7
    page = (folder / "report.html").read_text()
    assert "tomorrow&#x27;s variance" in page and "has the lowest QLIKE" in page
    # The terminal says each horizon's star in words, with its test and the confidence set
    import io

    from rich.console import Console

    from stockcaster.reporting.risk_tables import risk_table

    printed = io.StringIO()
    risk_table(Console(file=printed, width=300), board, var, "t")
    for h, rows in board.groupby("horizon"):
        best = rows.loc[rows["qlike"].idxmin(), "model"]
        (line,) = [x for x in printed.getvalue().splitlines() if x.startswith(f"h = {h}: ")]
        said = ("no model's QLIKE is below the random walk's" if best == "random_walk"
                else f"lowest QLIKE, {best}: ")  # fmt: skip
        kept = ", ".join(rows.loc[rows["in_mcs_90"], "model"]) or "none"
        assert said in line and line.endswith(f"; the 90% model confidence set: {kept}"), line
    rebuilt = CliRunner().invoke(app, ["report", str(folder)])
    assert rebuilt.exit_code == 0, rebuilt.output


def test_a_variance_verdict_says_the_best_model_against_the_random_walk_in_words():
    from stockcaster.reporting.verdicts import best_against_naive

    assert best_against_naive("har", 0.571, 0.0001, "QLIKE", "random_walk") == (
        "lowest QLIKE, har: the model beats the random walk: 42.9% below the random walk's "
        "QLIKE, Diebold-Mariano p < 0.001"
    )
    assert best_against_naive("random_walk", 1.0, None, "QLIKE", "random_walk") == (
        "no model's QLIKE is below the random walk's"
    )
    assert best_against_naive("har", None, None, "QLIKE", "random_walk") is None  # not run


def test_a_model_that_cannot_fit_the_log_variance_is_one_line(tmp_path, monkeypatch):
    """A family too large for the machine's memory (as `--set mlp.width=1000000000` was): one
    line naming it, nothing written; it was a traceback."""
    from stockcaster.models.neural import NetworkForecaster

    def too_large(self, history):
        raise MemoryError("Unable to allocate 80.0 GiB for an array")

    monkeypatch.setattr(NetworkForecaster, "fit", too_large)
    data = _write(tmp_path, garch_prices(400, 5))
    result = _backtest(tmp_path, "--data", str(data), "--models", "ewma,mlp")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith("error: --models: expected mlp to fit the log variance, "
                                    "received an error at its walk: MemoryError")  # fmt: skip
    assert not (tmp_path / "runs").exists()


def test_a_file_of_closes_only_falls_back_to_close_to_close_and_says_so(tmp_path):
    data = _write(tmp_path, garch_prices(400, 5)[["date", "symbol", "close"]])
    result = _backtest(tmp_path, "--data", str(data), "--models", "random_walk,ewma")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["estimator"] == "close_to_close"
    assert "fell back to close_to_close" in summary["notes"][0]


def test_a_universe_on_the_variance_target_says_which_symbols_it_left_out(tmp_path):
    """A symbol whose variance cannot be measured (its prices never move) is left out, and
    the terminal now says so beside the count of the rest; so is one whose training days are
    mostly unchanged closes, where no Student-t VaR fits (it ended the whole run)."""
    flat = garch_prices(420, 7, "FLAT").assign(open=10.0, high=10.0, low=10.0, close=10.0)
    stale = _stale(garch_prices(420, 8, "STALE"), slice(60, 330))
    table = pd.concat([garch_prices(420, 30 + i, f"S{i}") for i in range(2)] + [flat, stale])
    data = _write(tmp_path, table.reset_index(drop=True), "stale.csv")
    result = _universe(tmp_path, "--data", str(data), "--models", "random_walk,ewma")
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())
    assert "2 symbols · tomorrow's variance" in shown
    assert "FLAT (expected 30 test days whose variance it measures)" in shown
    assert "STALE (expected training days whose close moves on at least 1 in 3" in shown


def test_prices_outside_their_day_s_range_are_told_where_the_range_estimators_read_them(
    tmp_path,
):
    """A high below the low, or a close above the high (scraped files have them), went into
    the range estimators of a day's variance without a word; a split went in as one day's
    variance. `backtest --target variance` and its universe now note both; clean prices get
    no note (the control)."""
    clean = garch_prices(400, 5)
    result = _backtest(tmp_path, "--data", str(_write(tmp_path, clean)), "--models", "ewma")
    assert result.exit_code == 0 and json.loads(result.stdout)["notes"] == [], result.output
    bad = clean.copy()
    bad.loc[50, ["high", "low"]] = bad.loc[50, ["low", "high"]].to_numpy()
    bad.loc[90, "close"] = bad.loc[90, "high"] * 1.05
    bad.loc[300:, ["open", "high", "low", "close"]] /= 4  # a 4-for-1 split, not adjusted
    data = _write(tmp_path, bad, "bad.csv")
    result = _backtest(tmp_path, "--data", str(data), "--models", "ewma")
    assert result.exit_code == 0, result.output
    day = f"{bad['date'].iloc[50]:%Y-%m-%d}"
    notes = json.loads(result.stdout)["notes"]
    assert f"on {bad['date'].iloc[300]:%Y-%m-%d}, as a 4-for-1 split would" in notes[0], notes
    assert f"prices do not fit their day's range on 2 days (the first {day}: high " in notes[1]
    panel = pd.concat([bad, garch_prices(400, 6, "OK")], ignore_index=True)
    result = _universe(tmp_path, "--data", str(_write(tmp_path, panel, "panel.csv")),
                       "--models", "ewma")  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())
    assert "note: MSFT's prices do not fit their day's range on 2 days" in shown, shown
    assert "note: OK" not in shown
    folder = tmp_path / "runs" / next(p.name for p in (tmp_path / "runs").iterdir()
                                      if p.name.startswith("universe"))  # fmt: skip
    assert "prices do not fit their day" in (folder / "report.html").read_text()


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--models", "naive"], "--models: expected names among random_walk"),
        (["--window", "sliding"], "expected an expanding window and step 1"),
        (["--features", "technical"], "--features: expected returns for --target variance"),
        (["--estimator", "nope"], "--estimator"),
        # options of price forecasts, ignored here without a word
        (["--cost-bps", "10"], "--cost-bps: expected it for price forecasts only"),
        (["--ma-window", "9"], "--ma-window: expected it for price forecasts only"),
        (["--covariates", "vix"], "--covariates: expected it for price forecasts only"),
    ],
)
def test_bad_variance_backtests_are_refused_in_one_line(tmp_path, args, fragment):
    one_line(_backtest(tmp_path, *args), fragment)
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("command", ["run", "train"])
def test_a_price_model_for_the_variance_target_names_the_option_typed(tmp_path, command):
    """`--model naive` was refused as `--models`, an option run and train do not have."""
    where = ["--save", str(tmp_path / "b")] if command == "train" else ["--out", str(tmp_path)]
    result = CliRunner().invoke(app, [command, "--target", "variance", "--model", "naive", *where])
    one_line(result, "error: --model: expected")
    assert not (tmp_path / "b").exists()


def test_run_on_the_variance_target_fits_once_beside_the_random_walk_and_ewma(tmp_path):
    """`run --target variance`, and a preset whose target is variance: the model fitted
    once on the training part; the job's price run refuses such a preset in one line."""
    from stockcaster.errors import StockcasterError
    from stockcaster.jobs.run import run as run_job

    data = _write(tmp_path, garch_prices(400, 3))
    preset = load_preset("default")
    features = dataclasses.replace(preset.features, target="variance")
    preset = dataclasses.replace(preset, features=features)
    path = tmp_path / "risk.toml"
    path.write_text(to_toml(preset))
    common = ["run", "--data", str(data), "--model", "linear", "--out", str(tmp_path / "r")]
    for ask in (["--target", "variance"], ["--preset", str(path)]):
        result = CliRunner().invoke(app, [*common, "--json", *ask])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        board = pd.DataFrame(summary["leaderboard"])
        assert set(board["model"]) == {"random_walk", "ewma", "linear"}
        assert summary["backtest"]["retrain_every"] == 0
    with pytest.raises(StockcasterError, match="stockcaster backtest --target variance"):
        run_job(preset, out=tmp_path / "x")


def _panel(symbols: int = 12, days: int = 600, cutoff: int = 450, seed: int = 10) -> dict:
    from stockcaster.models.variance_panel import SymbolVariance

    tables = {f"S{i}": garch_prices(days, seed + i, f"S{i}") for i in range(symbols)}
    return {s: SymbolVariance(daily_variance(t)[0], log_returns(t), cutoff)
            for s, t in tables.items()}  # fmt: skip


def _pooled_ratio(model, panel: dict) -> float:
    """The global model's QLIKE pooled over every symbol's test days, over the random walk's."""
    from stockcaster.models.volatility import forecast

    ours, walk = [], []
    for symbol, days in panel.items():
        origins, variance = model.forecast(symbol)
        origins, variance = origins[:-1], variance[:-1]  # the last: tomorrow, not yet known
        proxy = variance_ahead(days.v, origins, 1)
        ours.append(qlike(proxy, variance))
        walk.append(qlike(proxy, forecast("random_walk", days.v, days.r, origins)[:, 0]))
    return float(np.mean(np.concatenate(ours)) / np.mean(np.concatenate(walk)))


def test_on_a_simulated_garch_panel_the_global_lstm_beats_the_random_walk():
    """The issue's positive control for the global form: one LSTM over 8 symbols whose
    volatility follows a known GJR-GARCH, fitted up to day 300, beats the random walk's pooled QLIKE
    on the 100 days after it by a wide margin."""
    from conftest import tiny_global
    from stockcaster.models.options import ModelOptions
    from stockcaster.models.variance_panel import PanelVariance

    panel = _panel(8, 400, 300)
    model = PanelVariance("lstm", ModelOptions(global_model=tiny_global(epochs=2)))
    model.fit(panel)
    assert _pooled_ratio(model, panel) < 0.6 and model.spread > 0


def test_a_global_model_reads_nothing_after_its_cutoff_and_no_later_day():
    """Every day after 500 changed on every symbol: the model fitted to day 450 forecasts
    the same from every origin up to 500, and differently after."""
    from conftest import tiny_global
    from stockcaster.models.options import ModelOptions
    from stockcaster.models.variance_panel import PanelVariance, SymbolVariance

    panel = _panel(4)
    changed = {}
    for i, symbol in enumerate(panel):
        table = _later_days_changed(garch_prices(600, 10 + i, symbol), 500)
        changed[symbol] = SymbolVariance(daily_variance(table)[0], log_returns(table), 450)
    options = ModelOptions(global_model=tiny_global())
    got = []
    for prices in (panel, changed):
        model = PanelVariance("linear", options, horizon=2)
        model.fit(prices)
        got.append(model.forecast("S1")[1])
    np.testing.assert_array_equal(got[0][:51], got[1][:51])  # origins 450 .. 500
    assert not np.allclose(got[0][55:], got[1][55:])


def _panel_file(tmp_path: Path, symbols: int = 5, days: int = 420) -> Path:
    tables = [garch_prices(days, 30 + i, f"S{i}") for i in range(symbols)]
    return _write(tmp_path, pd.concat(tables, ignore_index=True), "panel.csv")


def _universe(tmp_path: Path, *args: str):
    return CliRunner().invoke(app, ["universe", "--target", "variance", "--out",
                                    str(tmp_path / "runs"), "--workers", "1", *args])  # fmt: skip


def test_universe_on_the_variance_target_pools_every_symbol_s_scores(tmp_path):
    data = _panel_file(tmp_path)
    models = "random_walk,ewma,har,linear"
    result = _universe(tmp_path, "--data", str(data), "--models", models, "--horizon", "2",
                       "--retrain-every", "21", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["symbols"] == 5 and summary["global_models"] == ["linear"]
    board = pd.DataFrame(summary["leaderboard"])
    names = ["random_walk", "ewma", "har", "global_linear"]
    assert sorted(map(tuple, board[["model", "horizon"]].to_numpy())) == sorted(
        (m, h) for m in names for h in (1, 2)
    )
    one = board[board["horizon"] == 1].set_index("model")
    assert one.loc["har", "qlike_x_random_walk"] < 1  # planted volatility, pooled
    assert 0 <= one.loc["har", "dm_better_after_bh"] <= 5
    assert one["in_mcs_90"].isin([True, False]).all() and not one.loc["random_walk", "in_mcs_90"]
    assert 0 < one.loc["har", "mz_r2"] < 1 and one["mz_slope"].notna().all()
    from stockcaster.reporting.risk_tables import pooled_verdict

    for _, rows in board.groupby("horizon"):  # the terminal's star in words
        best = rows.loc[rows["qlike"].idxmin()]
        said = pooled_verdict(rows)
        if rows["in_mcs_90"].isna().all():  # tomorrow's set only
            assert "confidence set" not in said, said
        else:
            kept = ", ".join(rows.loc[rows["in_mcs_90"].astype(bool), "model"]) or "none"
            assert said.endswith(f"; the 90% model confidence set: {kept}"), said
        if best["model"] != "random_walk":
            gap = 1 - best["qlike_x_random_walk"]
            assert said.startswith(f"lowest pooled QLIKE, {best['model']}: {abs(gap):.1%} "), said
            assert f"better than it on {int(best['dm_better_after_bh'])} of 5 symbols" in said
    var = pd.DataFrame(summary["var"])
    assert len(var) == 4 * 3 and var["rate_0.01"].between(0, 1).all()
    assert (Path(summary["folder"]) / "universe_risk.json").exists()
    page = (Path(summary["folder"]) / "report.html").read_text()
    assert "5 symbols: tomorrow&#x27;s variance" in page and "global_linear" in page
    days = pd.read_csv(Path(summary["folder"]) / "risk_daily.csv")
    assert set(days["model"]) == set(names) and days["exceeded"].between(0, 1).all()
    assert (Path(summary["folder"]) / "risk.png").stat().st_size > 0 and "image/png" in page


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--resume"], "expected neither with --target variance"),
        (["--models", "naive"], "--models: expected names among random_walk"),
        # Each symbol's walk raised a ValueError ("need at least one array to stack"), or a
        # model's "expected at least 30 days ... received 0", and the run said "expected a
        # symbol whose models ran, received none".
        (["--horizon", "0"], "--horizon: expected a whole number, at least 1, received 0"),
        (
            ["--horizon", "80"],
            "expected a symbol with 150 days before the cutoff 2015-11-12 and "
            "81 after it (--horizon 80), received none",
        ),
        *(
            (
                [option, given],
                f"{option}: expected it for price forecasts only (--target variance "
                f"does not read it), received {given}",
            )
            for option, given in (
                ("--top-k", "3"),
                ("--cost-bps", "10.0"),
                ("--weights", "inverse-vol"),
                ("--window", "sliding"),
                ("--min-history", "30"),
                ("--ma-window", "9"),
                ("--features", "technical"),
                ("--normalise", "cross-section"),
                ("--quantiles", "0.1,0.9"),
                ("--embedding-dim", "4"),
            )
        ),
    ],
)
def test_bad_universe_variance_runs_are_refused_in_one_line(tmp_path, args, fragment):
    one_line(_universe(tmp_path, "--data", str(_panel_file(tmp_path, 2, 300)), *args), fragment)
    assert not (tmp_path / "runs").exists()


def test_a_horizon_without_the_variance_target_is_refused(tmp_path):
    data = _panel_file(tmp_path, 2, 300)
    result = CliRunner().invoke(app, ["universe", "--data", str(data), "--horizon", "3",
                                      "--out", str(tmp_path / "runs")])  # fmt: skip
    one_line(result, "--horizon: expected 1 without --target variance")


@pytest.mark.parametrize(
    ("command", "fragment"),
    [
        (["backtest", "--models", "naive"], "--estimator: expected --target variance with it "
         "(it measures a day's variance), received the target log_return"),
        (["tune", "--model", "linear", "--trials", "1"], "received the target log_return"),
        (["train", "--save", "BUNDLE"], "received the target log_return"),
        (["universe", "--data", "PANEL", "--models", "naive"], "--estimator: expected --target "
         "variance with it (it measures a day's variance), received the target log_return"),
        (["universe", "--data", "PANEL", "--target", "rank"], "received the target rank"),
    ],
)  # fmt: skip
def test_an_estimator_without_the_variance_target_is_refused(tmp_path, command, fragment):
    """A day's variance estimator is the variance target's: with a price target it was read
    by nothing, and the command ran as if it were not there."""
    swap = {"BUNDLE": str(tmp_path / "b"), "PANEL": str(_panel_file(tmp_path, 2, 300))}
    args = [swap.get(a, a) for a in command] + ["--estimator", "parkinson"]
    out = [] if command[0] == "train" else ["--out", str(tmp_path / "runs")]
    one_line(CliRunner().invoke(app, [*args, *out]), fragment)
    assert not (tmp_path / "runs").exists() and not (tmp_path / "b").exists()


def test_a_point_bundle_s_forecast_carries_the_interval_of_its_volatility(tmp_path):
    """A network saved without a quantile head: predict gives lo and hi from the symbol's
    volatility (the 80% interval of HAR on its log range), around the forecast path."""
    from stockcaster.models.variance import band_of, sigma_ahead

    table = garch_prices(300, 8)
    data = _write(tmp_path, table)
    runner = CliRunner()
    point = ["train", "--data", str(data), "--preset", "default", "--epochs", "1"]
    trained = runner.invoke(app, [*point, "--save", str(tmp_path / "b")])
    assert trained.exit_code == 0, trained.output
    ask = ["predict", "--bundle", str(tmp_path / "b"), "--data", str(data), "--horizon", "3"]
    told = runner.invoke(app, [*ask, "--out", str(tmp_path / "p"), "--json"])
    assert told.exit_code == 0, told.output
    payload = json.loads(told.stdout)
    rows = pd.DataFrame(payload["forecast"])
    band = band_of(sigma_ahead(table, 3))
    np.testing.assert_allclose(np.log(rows["hi"] / rows["yhat"]), band[:, 2], rtol=1e-9)
    np.testing.assert_allclose(np.log(rows["lo"] / rows["yhat"]), band[:, 1], rtol=1e-9)
    meta = json.loads((Path(payload["folder"]) / "prediction.json").read_text())
    assert "volatility" in meta["interval"]
    # The terminal says what lo and hi are, and when there is no volatility to give them.
    shown = runner.invoke(app, [*ask, "--out", str(tmp_path / "p")])
    assert "lo, hi: the 80% interval from the volatility (HAR on the log range)" in shown.stdout
    short = _write(tmp_path, table.tail(40).reset_index(drop=True), "short.csv")
    ask[ask.index(str(data))] = str(short)
    shown = runner.invoke(app, [*ask, "--out", str(tmp_path / "p")])
    assert shown.exit_code == 0, shown.output
    assert "lo, hi: no interval (too short a history" in shown.stdout
    risk = pd.DataFrame(payload["risk"])
    assert risk["horizon"].tolist() == [1, 2, 3] == pd.DataFrame(meta["risk"])["horizon"].tolist()
    np.testing.assert_allclose(risk["sigma"], band[:, 0], rtol=1e-9)
    assert (risk["es_0.01"] < risk["var_0.01"]).all() and (
        risk["var_0.01"] < risk["var_0.05"]
    ).all()


def test_too_short_a_history_gives_no_volatility_interval():
    from stockcaster.models.variance import BAND_HISTORY, sigma_ahead

    assert sigma_ahead(garch_prices(BAND_HISTORY - 1), 2) is None
    assert sigma_ahead(garch_prices(BAND_HISTORY), 2).shape == (2,)


def test_a_test_period_whose_prices_never_move_is_refused_in_one_line(tmp_path):
    table = garch_prices(400, 2)
    for column in ("open", "high", "low", "close"):
        table.loc[300:, column] = table["close"].iloc[300]
    result = _backtest(tmp_path, "--data", str(_write(tmp_path, table)), "--models", "ewma")
    one_line(result, "expected at least 30 test days whose variance garman_klass measures above")
    assert "close_to_close" not in result.stderr  # the closes do not move either
    assert not (tmp_path / "runs").exists()


def test_a_file_whose_range_never_moves_is_told_of_the_close_to_close_estimator(tmp_path):
    """Open, high and low equal to the close: the closes move, the range measures nothing.
    It said "expected at least 30 test days whose prices moved", and they had."""
    table = garch_prices(400, 2)
    table[["open", "high", "low"]] = table[["close", "close", "close"]].to_numpy()
    result = _backtest(tmp_path, "--data", str(_write(tmp_path, table)), "--models", "ewma")
    one_line(result, "received 0; --estimator close_to_close measures it from the closes alone")
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("where", ["universe", "train"])
def test_a_model_that_cannot_fit_a_universe_s_or_a_bundle_s_variance_is_one_line(
    tmp_path, monkeypatch, where
):
    """The global family of `universe --target variance`, and the family `train --target
    variance` saves: a fit the machine cannot do is one line, nothing written."""
    from stockcaster.models.neural import NetworkForecaster
    from stockcaster.models.variance_panel import PanelVariance

    def too_large(*args, **kwargs):
        raise MemoryError("Unable to allocate 80.0 GiB for an array")

    monkeypatch.setattr(PanelVariance if where == "universe" else NetworkForecaster, "fit",
                        too_large)  # fmt: skip
    if where == "universe":
        result = _universe(tmp_path, "--data", str(_panel_file(tmp_path)), "--models", "ewma,mlp")
        said = "error: --models: expected global mlp to fit the panel's log variance, received"
    else:
        data = _write(tmp_path, garch_prices(400, 5))
        asked = ["train", "--target", "variance", "--data", str(data), "--model", "mlp"]
        result = CliRunner().invoke(app, [*asked, "--save", str(tmp_path / "runs")])
        said = "error: --model mlp: expected a model that fits"
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith(said) and "MemoryError: Unable to allocate" in result.stderr
    assert not (tmp_path / "runs").exists()


def _stale(table: pd.DataFrame, rows: slice) -> pd.DataFrame:
    """`table` whose prices on `rows` (`iloc`'s) are all the close before them: a halt, or
    prices carried forward."""
    table = table.copy()
    for column in ("open", "high", "low", "close"):
        table.iloc[rows, table.columns.get_loc(column)] = table["close"].iloc[rows.start - 1]
    return table


def test_a_stretch_of_unchanged_closes_in_the_training_days_leaves_the_var_its_depth(tmp_path):
    """150 training days at the close before them (a third of the days a VaR's shape is
    fitted on): the Student-t's fit ran its degrees of freedom and its scale to 0, every
    model's 1% VaR read -1e-28 and was breached on every falling test day (about half),
    "red". The t is now held to a finite variance (at least `MIN_NU` degrees), and the
    stretch is noted."""
    table = _stale(garch_prices(700, 2), slice(200, 350))
    result = _backtest(tmp_path, "--data", str(_write(tmp_path, table)), "--models",
                       "random_walk,ewma,har")  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    var = pd.DataFrame(summary["var"])
    t = var[(var["shape"] == "t") & (var["level"] == 0.01)]
    assert len(t) == 3 and (t["rate"] < 0.05).all(), t
    rows = pd.read_csv(Path(summary["folder"]) / "forecasts.csv")
    assert (rows["var_0.01"].dropna() < -1e-3).all()  # a day's 1% VaR: a loss, not 0
    v, r = daily_variance(table, "garman_klass")[0], log_returns(table)
    residuals = training_residuals("ewma", v, r, 520)
    free = stats.t.fit(residuals[np.isfinite(residuals)], floc=0)[0]  # scipy's, unbounded
    assert free < MIN_NU and Shape.fit("t", residuals).nu == MIN_NU
    assert any("close is" in n and "on 151 rows in a row" in n for n in summary["notes"])


def test_training_days_of_mostly_unchanged_closes_are_refused_in_one_line(tmp_path):
    """Past 2 in 3 training days unchanged a t has no best fit at all: a backtest says so in
    one line, naming the file and symbol, and writes nothing (a universe leaves the symbol
    out: above)."""
    stale = _stale(garch_prices(420, 7, "STALE"), slice(60, 330))
    result = _backtest(tmp_path, "--data", str(_write(tmp_path, stale)), "--models", "ewma")
    one_line(result, "prices.csv symbol STALE: expected training days whose close moves on "
                     "at least 1 in 3")  # fmt: skip
    assert not (tmp_path / "runs").exists()
    with pytest.raises(StockcasterError, match="close unchanged"):
        Shape.fit("t", np.r_[np.zeros(70), np.ones(30)])


def test_a_symbol_whose_var_no_t_fits_once_walked_is_left_out_not_the_run(tmp_path, monkeypatch):
    """A symbol whose scores cannot be made once its models are walked (no Student-t fits
    its residuals: a global model's held-out days all unchanged closes, say) ended the whole
    universe in one line; it is left out, saying why, and the rest are scored."""
    from stockcaster.jobs import risk_universe as job

    real, calls = job.symbol_scores, []

    def first_fails(*args):
        calls.append(1)
        if len(calls) == 1:
            raise StockcasterError("expected training residuals a Student-t fits")
        return real(*args)

    monkeypatch.setattr(job, "symbol_scores", first_fails)
    result = _universe(tmp_path, "--data", str(_panel_file(tmp_path, 3)), "--models", "ewma",
                       "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["symbols"] == 2 and len(calls) == 3
    assert list(summary["left_out"].values()) == ["expected training residuals a Student-t fits"]


def test_a_universe_whose_every_symbol_fails_names_the_first_one_s_reason(tmp_path, monkeypatch):
    """It said "expected a symbol whose models ran, received none", and no reason."""
    from stockcaster.jobs import risk_universe as job

    def fails(*args):
        raise StockcasterError("expected training residuals a Student-t fits")

    monkeypatch.setattr(job, "symbol_scores", fails)
    result = _universe(tmp_path, "--data", str(_panel_file(tmp_path, 2, 300)), "--models", "ewma",
                       "--symbols", "S1,S0")  # fmt: skip
    one_line(result, "expected a symbol whose models ran, received none (S0: expected training "
                     "residuals a Student-t fits)")  # fmt: skip
    assert not (tmp_path / "runs").exists()


def test_a_universe_of_ranges_a_fixed_share_of_the_close_has_no_ratio_to_a_perfect_walk(
    tmp_path,
):
    """Where every day's high and low are a fixed share of its close, each day's range
    variance is the same and the random walk forecasts it exactly (QLIKE 0): `universe
    --target variance` ended in a ZeroDivisionError's traceback, where one symbol's backtest
    leaves the ratio empty. The pooled ratios to a reference with no loss are empty too."""
    table = pd.concat([ohlcv(300, f"S{i}", i) for i in range(3)], ignore_index=True)
    data = _write(tmp_path, table, "fixed.csv")
    result = _universe(tmp_path, "--data", str(data), "--models", "random_walk,ewma", "--json")
    assert result.exit_code == 0, result.output
    board = pd.DataFrame(json.loads(result.stdout)["leaderboard"]).set_index("model")
    assert board.loc["random_walk", "qlike"] == 0 and board["qlike_x_random_walk"].isna().all()
    assert board.loc["ewma", "qlike"] > 0 and board.loc["ewma", "qlike_x_ewma"] == 1


def test_a_backtest_of_a_fund_whose_every_return_is_the_same_runs(tmp_path):
    """Closes growing at a fixed rate: each day's close-to-close variance the same, the
    random walk's forecast constant. Its Mincer-Zarnowitz regression ended the backtest in
    numpy's "Singular matrix" traceback; its figures are now empty."""
    days = pd.bdate_range("2016-01-04", periods=300)
    table = pd.DataFrame({"date": days, "close": 100 * 1.001 ** np.arange(300)})
    data = _write(tmp_path, table, "fund.csv")
    done = _backtest(tmp_path, "--data", str(data), "--models", "random_walk,ewma")
    assert done.exit_code == 0, done.output
    board = pd.DataFrame(json.loads(done.stdout)["leaderboard"]).set_index("model")
    assert pd.isna(board.loc["random_walk", "mz_slope"]) and set(board.index) == {
        "random_walk",
        "ewma",
    }


def test_a_python_caller_s_volatility_models_are_a_tuple(tmp_path):
    """`risk_backtest(..., BacktestPlan(models="har"))` refused the model 'h': a string's
    letters."""
    from stockcaster.errors import StockcasterError
    from stockcaster.jobs.backtest import BacktestPlan
    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.requests import preset
    from stockcaster.jobs.risk import risk_backtest

    data = _panel_file(tmp_path, 1, 300)
    with pytest.raises(StockcasterError, match="--models: expected a tuple of names, "
                                               "received 'har'"):  # fmt: skip
        risk_backtest(preset("default"), BacktestPlan(models="har"), Source(data),
                      out=tmp_path / "runs")  # fmt: skip
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        ({"horizon": 2.5}, "--horizon: expected a whole number, at least 1, received 2.5"),
        ({"retrain_every": 2.5}, "--retrain-every: expected a whole number, 0 or more, "
                                 "received 2.5"),
        ({"test_fraction": "0.3"}, "--test-fraction: expected a share in (0, 1), received "
                                   "'0.3'"),
        ({"models": "har"}, "--models: expected a tuple of names, received 'har'"),
        ({"global_models": "lstm"}, "--global: expected a tuple of names, received 'lstm'"),
    ],
)  # fmt: skip
def test_a_python_caller_s_universe_variance_plan_is_checked(tmp_path, given, fragment):
    """`RiskUniversePlan(horizon=2.5)` or `retrain_every=2.5` failed every symbol ("AA:
    ValueError: horizon must be an integer"), a test fraction "0.3" was a TypeError, and a
    string of models was refused by its first letter ('h')."""
    from stockcaster.errors import StockcasterError
    from stockcaster.jobs.risk_universe import RiskUniversePlan, risk_universe
    from stockcaster.jobs.universe_plan import PanelSource

    plan = RiskUniversePlan(**{"global_models": (), **given})
    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        risk_universe(PanelSource(_panel_file(tmp_path, 2, 300)), plan, out=tmp_path / "runs")
    assert not (tmp_path / "runs").exists()
