"""Covariates: a file's own columns beside the prices (`--covariates`), read by every family
through the `columns` feature set; validated as prices are, scaled on training rows only,
never read after their day; and a positive control: where tomorrow's return is half of a
covariate today plus noise, the families given it beat naive, and without it none does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_feature_sets import random_ohlcv
from test_forecasters import tiny_options
from typer.testing import CliRunner

from conftest import one_line
from stockcaster.cli import app


def covariate_panel(symbols: int = 6, days: int = 1200, seed: int = 0, sigma: float = 0.015):
    """Symbols whose next-day log-return is half of today's `signal` plus noise: the signal
    explains 10% of the return's variance (0.25 * 0.4 of 0.25 * 0.4 + 0.9)."""
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(symbols):
        signal = rng.normal(0, np.sqrt(0.4) * sigma, days)
        noise = rng.normal(0, np.sqrt(0.9) * sigma, days)
        close = 50 * np.exp(np.cumsum(np.concatenate([[0.0], 0.5 * signal[:-1] + noise[1:]])))
        frames.append(pd.DataFrame({
            "date": pd.bdate_range("2012-01-02", periods=days), "symbol": f"S{k}",
            "open": close, "high": close * 1.005, "low": close * 0.995, "close": close,
            "volume": 1000, "Signal": signal,
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def _write(tmp_path: Path, table: pd.DataFrame, name: str = "panel.csv") -> Path:
    path = tmp_path / name
    table.to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def _universe(data: Path, out: Path, *args: str):
    return CliRunner().invoke(app, ["universe", "--data", str(data), "--out", str(out), "--json",
                                    "--quiet", "--workers", "1", *args])  # fmt: skip


def test_given_the_covariate_the_families_beat_naive_and_without_it_none_does(tmp_path):
    """The positive control of the `columns` set: linear and LightGBM, one global model
    each, beat naive on every symbol by about the 10% the signal explains, significantly
    after Benjamini-Hochberg on most (600 test days each); on the returns alone, neither
    beats naive."""
    data = _write(tmp_path, covariate_panel())
    half = ["--models", "linear,lightgbm", "--test-fraction", "0.5"]
    given = _universe(data, tmp_path / "with", *half, "--features", "columns", "--covariates",
                      "Signal")  # fmt: skip
    assert given.exit_code == 0, given.output
    for row in json.loads(given.stdout)["leaderboard"]:
        assert row["median_mse_ratio"] < 0.95 and row["share_beating_naive"] == 1.0, row
        assert row["dm_wins_bh"] >= 5 and row["dm_losses_bh"] == 0, row
    from stockcaster.jobs.explain import explain

    for done in explain(json.loads(given.stdout)["folder"], repeats=2):  # what they looked at
        assert done.features["feature"].iloc[0] == "signal" and done.record["caveat"] is None
    alone = _universe(data, tmp_path / "without", *half)
    assert alone.exit_code == 0, alone.output
    for row in json.loads(alone.stdout)["leaderboard"]:
        assert row["median_mse_ratio"] > 0.98 and row["dm_wins_bh"] == 0, row


def test_changing_a_covariate_after_a_day_changes_no_forecast_at_or_before_it():
    """A symbol's backtest on the `columns` set: covariates after `day` changed, every
    forecast of a day up to `day` the same, later ones not."""
    from stockcaster.evaluation.backtest import BacktestConfig
    from stockcaster.jobs.backtest_features import feature_set_forecasts
    from stockcaster.jobs.envelope import Prices

    table = random_ohlcv(320, "AA", 2)
    table["covariate:signal"] = np.random.default_rng(3).normal(0, 1, len(table))
    changed = table.copy()
    day = table["date"].iloc[280]
    later = changed["date"] > day
    changed.loc[later, "covariate:signal"] *= 5.0
    walk = BacktestConfig(retrain_every=21)
    options = tiny_options()
    a, b = (feature_set_forecasts(Prices(t, "x"), ("columns",), ["linear"], options, walk)[0]
            for t in (table, changed))  # fmt: skip
    early = a["date"] <= day
    pd.testing.assert_frame_equal(a[early], b[early])
    assert not np.allclose(a.loc[~early, "yhat"], b.loc[~early, "yhat"])


def test_a_backtest_reads_the_covariates_it_is_given(tmp_path):
    table = covariate_panel(1, 1200)
    data = _write(tmp_path, table.drop(columns="symbol"), "s0.csv")
    result = CliRunner().invoke(app, ["backtest", "--data", str(data), "--models", "naive,linear",
                                      "--features", "returns,columns", "--covariates", "Signal",
                                      "--out", str(tmp_path / "b"), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    board = {r["model"]: r for r in json.loads(result.stdout)["leaderboard"]}
    assert board["linear:columns"]["mse_ratio"] < 0.97 < 0.99 < board["linear"]["mse_ratio"]


@pytest.mark.parametrize(
    "change, args, fragment",
    [
        ("bad", ["--features", "columns", "--covariates", "Signal", "--strict"],
         "line 5: expected a number in covariate 'signal'"),  # not its column 'covariate:signal'
        (None, ["--features", "columns", "--covariates", "Nope"],
         "expected a column 'Nope' for covariate 'nope' (from --covariates)"),
        (None, ["--covariates", "Signal"], "--covariates: expected --features columns"),
        (None, ["--features", "columns"], "--features columns: expected covariates"),
        (None, ["--features", "columns", "--covariates", "Signal,Signal"], "'Signal' twice"),
        (None, ["--features", "columns", "--covariates", "close"],
         "--covariates: expected columns other than the prices, received 'close'"),
    ],
)  # fmt: skip
def test_bad_covariates_are_refused_in_one_line(tmp_path, change, args, fragment):
    table = covariate_panel(2, 300).astype({"Signal": object})
    if change == "bad":
        table.loc[3, "Signal"] = "n/a?"
    result = _universe(_write(tmp_path, table), tmp_path / "u", "--models", "linear", *args)
    one_line(result, fragment)
    assert not (tmp_path / "u").exists()


def test_covariates_from_a_file_of_their_own_give_what_the_same_columns_give(tmp_path):
    """The signal in a long file of its own (date, symbol, signal), joined onto the prices:
    the same leaderboard as the same signal in the price file; a day the file lacks is
    refused in one line, or carried forward with --fill ffill."""
    table = covariate_panel(3, 500)
    inline = _write(tmp_path, table, "inline.csv")
    prices = _write(tmp_path, table.drop(columns="Signal"), "prices.csv")
    signal = table[["date", "symbol", "Signal"]]
    apart = _write(tmp_path, signal, "signal.csv")
    ask = ["--models", "linear", "--features", "columns", "--test-fraction", "0.5"]
    same = _universe(inline, tmp_path / "a", *ask, "--covariates", "Signal")
    joined = _universe(prices, tmp_path / "b", *ask, "--covariates", str(apart))
    assert same.exit_code == 0 and joined.exit_code == 0, joined.output
    boards = [json.loads(r.stdout)["leaderboard"] for r in (same, joined)]
    assert [{k: v for k, v in row.items() if k != "train_seconds"} for row in boards[0]] == [
        {k: v for k, v in row.items() if k != "train_seconds"} for row in boards[1]
    ]
    gap = _write(tmp_path, signal.drop(index=[10]), "gap.csv")
    one_line(_universe(prices, tmp_path / "c", *ask, "--covariates", str(gap), "--strict"),
             "expected covariates for every price row, received none for S0 on")  # fmt: skip
    carried = _universe(prices, tmp_path / "d", *ask, "--covariates", str(gap), "--fill", "ffill")
    assert carried.exit_code == 0, carried.output
    bad = _write(tmp_path, signal.astype({"Signal": object}).assign(
        Signal=lambda f: f["Signal"].where(f.index != 4, "high")), "bad.csv")  # fmt: skip
    one_line(_universe(prices, tmp_path / "e", *ask, "--covariates", str(bad)),
             "bad.csv line 6: expected a number in covariate 'signal'")  # fmt: skip


@pytest.mark.parametrize("fill", ["ffill", "drop"])
def test_a_symbol_without_a_covariate_on_any_day_is_set_aside_with_why(tmp_path, fill):
    """A covariate file of some symbols only, read with --fill: every row of the others
    was dropped, and the universe said "2 symbols run, 0 skipped" of 4."""
    from stockcaster import columns as C
    from stockcaster.data.panel import load_panel

    prices = pd.concat([random_ohlcv(60, "AA", 1), random_ohlcv(60, "BB", 2)], ignore_index=True)
    data = _write(tmp_path, prices)
    covariates = tmp_path / "sentiment.csv"
    mine = prices[prices["symbol"] == "AA"][["date", "symbol"]].assign(sentiment=0.5)
    mine.iloc[5:].to_csv(covariates, index=False, date_format="%Y-%m-%d")  # from its 6th day
    panel = load_panel(data, {C.COVARIATE_FILE: str(covariates)}, fill)
    assert panel.symbols == ["AA"] and len(panel.prices) == 55  # no value before its 6th day
    said = f"{covariates}: expected covariates on some of its days, received none (--fill {fill})"
    assert panel.broken == {"BB": said}


def test_a_bundle_of_covariates_is_trained_tuned_explained_and_predicts_from_them(tmp_path):
    """`train --universe --features columns` and `tune --universe --features columns` were
    offered without `--covariates` (every run refused: "expected covariates in the
    prices"), and `predict` and `explain` could not give a bundle its covariates. Now each
    reads them; the bundle records their names, so covariates given in another order are
    put in its order (the same forecasts), and a missing or unlearned one is refused."""
    from conftest import tiny_global
    from stockcaster.models.presets import to_toml

    table = covariate_panel(symbols=4, days=260)
    table = table.assign(Other=table["Signal"] * -2 + 1, Extra=table["Signal"] * 3)
    data = str(_write(tmp_path, table))
    preset = tmp_path / "tiny.toml"
    preset.write_text(to_toml(tiny_global()))
    bundle = str(tmp_path / "bundle")
    trained = CliRunner().invoke(app, ["train", "--universe", "--data", data, "--global-preset",
                                       str(preset), "--features", "columns", "--covariates",
                                       "Signal,Other", "--save", bundle])  # fmt: skip
    assert trained.exit_code == 0, trained.output
    assert json.loads((Path(bundle) / "scales.json").read_text())["features"] == [
        "log_return", "signal", "other"
    ]  # fmt: skip

    def predicted(*covariates: str):
        ask = ["predict", "--bundle", bundle, "--data", data, "--out", str(tmp_path / "runs")]
        return CliRunner().invoke(app, [*ask, "--json", *covariates])

    given = [predicted("--covariates", c) for c in ("Signal,Other", "Other,Signal")]
    assert given[0].exit_code == 0, given[0].output
    picks = [json.loads(g.stdout)["picks"] for g in given]
    assert picks[0] == picks[1] and len(picks[0]) == 4
    one_line(predicted(), "--bundle " + bundle + ": expected the features it learned (log_return"
             ", signal, other; a covariate by --covariates), received log_return")  # fmt: skip
    one_line(predicted("--covariates", "Signal"), "received log_return, signal")
    # a covariate of a later session is unknown: one step only (named as the user named it)
    one_line(
        predicted("--covariates", "Signal,Other", "--horizon", "2"),
        "(it reads close, covariate 'signal', covariate 'other', unknown on later days)",
    )
    unlearned = f"--bundle {bundle} learned (signal, other), received signal, other, extra"
    one_line(predicted("--covariates", "Signal,Other,Extra"), unlearned)
    resumed = CliRunner().invoke(
        app, ["train", "--resume", bundle, "--data", data, "--save", str(tmp_path / "again")]
    )  # without its covariates
    one_line(resumed, f"--resume {bundle}: expected the features it learned (log_return, signal")
    explained = CliRunner().invoke(app, ["explain", bundle, "--data", data, "--covariates",
                                         "Other,Signal", "--json", "--repeats", "1"])  # fmt: skip
    assert explained.exit_code == 0, explained.output
    record = json.loads(explained.stdout)
    (name,) = [k for k in record if k != "folder"]
    assert {r["feature"] for r in record[name]["features"]} == {"log_return", "signal", "other"}
    searched = CliRunner().invoke(app, ["tune", "--universe", "--data", data, "--model", "linear",
                                        "--features", "columns", "--covariates", "Signal",
                                        "--trials", "1", "--folds", "2", "--out",
                                        str(tmp_path / "tune")])  # fmt: skip
    assert searched.exit_code == 0, searched.output


def test_a_bundle_of_factors_given_prices_without_volume_is_refused_in_one_line():
    """A `factors` bundle learned st_momentum from volume; prices without volume gave it one
    feature fewer, and `predict` ended in Keras' traceback ("size 7 is different from 6")."""
    from stockcaster.errors import StockcasterError
    from stockcaster.features.feature_sets import FEATURE_SETS
    from stockcaster.models.global_files import check_features

    prices = random_ohlcv(300, "AA", 1)
    learned = list(FEATURE_SETS["factors"].feature_names(prices))
    assert "st_momentum" in learned
    kept = check_features({"features": learned}, "factors", prices, "--bundle B")
    pd.testing.assert_frame_equal(kept, prices)  # the control: its own features, as they were
    with pytest.raises(StockcasterError, match=r"--bundle B: expected the features it learned "
                       r"\(log_return, .*st_momentum.*; each read from a column\), received "
                       r"log_return, reversal_1"):  # fmt: skip
        check_features({"features": learned}, "factors", prices.drop(columns="volume"),
                       "--bundle B")  # fmt: skip
