"""Model families as global models: every feature set, rolling refits, resume, one leaderboard."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from test_feature_sets import random_ohlcv
from test_forecasters import tiny_options

from conftest import tiny_global
from stockcaster.errors import Interrupted
from stockcaster.evaluation.cross_section import benjamini_hochberg, score_summary
from stockcaster.jobs.universe import universe
from stockcaster.jobs.universe_panel import retrain_cutoffs
from stockcaster.jobs.universe_plan import PanelSource, UniverseConfig
from stockcaster.models.config import ModelConfig
from stockcaster.models.families import TCNSettings, family_model
from stockcaster.models.global_model import GlobalNetwork
from stockcaster.models.registry import MODELS
from stockcaster.store.results import ResultsStore


def panel(n: int = 180, symbols: int = 4) -> pd.DataFrame:
    tables = [random_ohlcv(n, f"S{i}", i) for i in range(symbols)]
    return pd.concat(tables, ignore_index=True)


@pytest.mark.parametrize("name", ["lstm", "linear", "lightgbm"])
def test_families_learn_from_technical_features(name):
    # The other networks read the same windows as lstm (`test_panel_form_contract` runs each).
    table = panel()
    days = np.sort(table["date"].unique())
    options = tiny_options()
    options = dataclasses.replace(
        options, global_model=options.global_model.with_inputs("technical")
    )
    model = MODELS[name].make_panel(options)
    model.fit(table, days[150])
    forecasts = model.predict_after(table)
    assert len(forecasts) == 4 * 29 and np.isfinite(forecasts["yhat"]).all()


def test_a_tcn_dilation_past_the_window_is_kept_at_it_and_computes_the_same():
    # A dilation of the window's length or more reads the day itself and zeros: `--set
    # tcn.blocks=16` on 20 days padded every window with 65,536 zeros. Kept at the
    # window's length, the network is the one asked for: its outputs equal the network built
    # with every block's dilation doubled, on the same weights.
    # Delayed import: Keras picks its backend on import, and test_backends' JAX process
    # imports this module (its `panel`) before choosing JAX.
    import keras

    from stockcaster.models.networks import build_network

    steps, own = 5, TCNSettings(width=3, blocks=5, kernel=2)
    network = build_network(family_model("tcn", ModelConfig(), own), (steps, 2))
    config = network.get_config()
    convolutions = [
        layer["config"] for layer in config["layers"]
        if layer["class_name"] == "Conv1D" and layer["config"]["kernel_size"] != (1,)
    ]  # fmt: skip
    assert [c["dilation_rate"][0] for c in convolutions] == [1, 1, 2, 2, 4, 4, 5, 5, 5, 5]
    for position, convolution in enumerate(convolutions):
        convolution["dilation_rate"] = (2 ** (position // 2),)  # up to 16, as asked
    asked = keras.Model.from_config(config)
    asked.set_weights(network.get_weights())
    windows = np.random.default_rng(0).normal(size=(7, steps, 2)).astype("float32")
    np.testing.assert_allclose(
        network.predict(windows, verbose=0), asked.predict(windows, verbose=0), rtol=1e-6
    )


def test_refit_cutoffs_every_k_trading_days():
    days = pd.bdate_range("2020-01-01", periods=30).to_numpy()
    cutoffs = retrain_cutoffs(days, days[9], 5)
    assert cutoffs == [days[9], days[14], days[19], days[24]]
    assert retrain_cutoffs(days, days[9], 0) == [days[9]]
    assert retrain_cutoffs(days, days[9], 25) == [days[9]]


def test_a_refit_continues_from_the_weights_before():
    table = panel()
    days = np.sort(table["date"].unique())
    config = tiny_options().global_model
    config = dataclasses.replace(
        config, training=dataclasses.replace(config.training, epochs=6, warm_epochs=2)
    )
    model = GlobalNetwork(config)
    model.fit(table, days[120])
    first = model.fitted.network
    weights = [w.copy() for w in first.get_weights()]
    model.fit(table, days[140])
    assert model.fitted.network is first  # the same network, trained further
    assert len(model.fitted.history["loss"]) <= 2
    assert any(not np.array_equal(a, b) for a, b in zip(weights, first.get_weights(), strict=True))


def _csv(tmp_path, table) -> str:
    path = tmp_path / "panel.csv"
    table.to_csv(path, index=False)
    return str(path)


def _config(window: str = "expanding") -> UniverseConfig:
    return UniverseConfig(
        models=("naive", "lstm", "linear"),
        min_history=60,
        retrain_every=15,
        top_k=1,
        global_model=tiny_options().global_model,
        features=("returns", "technical"),
        window=window,
    )


def test_each_fit_forecasts_only_the_days_up_to_the_next_one(tmp_path):
    run = universe(PanelSource(_csv(tmp_path, panel())), _config("sliding"), out=tmp_path / "u")
    fits = run.summary["global_models"]
    assert set(fits) == {"lstm", "lstm:technical", "linear", "linear:technical"}
    with ResultsStore(run.folder) as store:
        for name, records in fits.items():
            assert len(records) == 3
            for record in records:
                owned = store.stage_forecasts(f"global_model:{name}:{record['fit']}")
                assert (owned["date"] > pd.Timestamp(record["cutoff"])).all()
                assert (owned["date"] <= pd.Timestamp(record["until"])).all()
    board = {row["model"]: row for row in run.summary["leaderboard"]}
    assert set(board) == {"naive", *fits}
    assert all(board[name]["train_seconds"] > 0 for name in fits)
    assert board["lstm"]["rank_ic_t"] == pytest.approx(
        board["lstm"]["rank_icir"] * np.sqrt(run.summary["cross_section"]["lstm"]["ic"]["days"])
    )


def test_a_run_stopped_between_refits_and_resumed_ends_as_an_uninterrupted_run(
    tmp_path, monkeypatch
):
    data = _csv(tmp_path, panel())
    config = dataclasses.replace(_config(), features=("technical",))  # a network, a tabular
    whole = universe(PanelSource(data), config, out=tmp_path / "whole")
    calls = {"n": 0}
    fit = GlobalNetwork.fit

    def stop_at_the_third_fit(self, prices, cutoff):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Interrupted("SIGTERM", 143)
        fit(self, prices, cutoff)

    monkeypatch.setattr(GlobalNetwork, "fit", stop_at_the_third_fit)
    with pytest.raises(Interrupted):
        universe(PanelSource(data), config, out=tmp_path / "cut")
    monkeypatch.setattr(GlobalNetwork, "fit", fit)
    resumed = universe(PanelSource(data), config, out=tmp_path / "cut", resume=True)
    with ResultsStore(whole.folder) as a, ResultsStore(resumed.folder) as b:
        pd.testing.assert_frame_equal(a.forecasts(), b.forecasts())
    assert whole.summary["leaderboard"] == resumed.summary["leaderboard"] or _same_but_seconds(
        whole.summary["leaderboard"], resumed.summary["leaderboard"]
    )


def _same_but_seconds(a: list[dict], b: list[dict]) -> bool:
    strip = [{k: v for k, v in row.items() if k != "train_seconds"} for row in a]
    return strip == [{k: v for k, v in row.items() if k != "train_seconds"} for row in b]


def test_benjamini_hochberg_keeps_what_the_step_up_rule_keeps():
    p = np.array([0.01, 0.5, 0.02, 0.03, np.nan, 0.2])
    # Sorted: .01 .02 .03 .2 .5 against 5% x i/5 = .01 .02 .03 .04 .05: the first three.
    assert benjamini_hochberg(p).tolist() == [True, False, True, True, False, False]
    metrics = pd.DataFrame(
        {
            "model": "m",
            "mse_ratio": [0.9, 1.1, 0.95, 0.97, 1.0, 1.2],
            "dm_pvalue": p,
            "dm_statistic": [-2.5, 0.5, 2.3, -2.2, np.nan, 1.2],
            "directional_accuracy": 0.5,
        }
    )
    row = score_summary(metrics).iloc[0]
    assert (row["dm_wins"], row["dm_losses"]) == (2, 1)
    assert (row["dm_wins_bh"], row["dm_losses_bh"]) == (2, 1)
    assert benjamini_hochberg(np.array([0.04, 0.3, 0.6, 0.9])).tolist() == [False] * 4


def test_an_unknown_feature_set_is_refused_in_one_line(tmp_path):
    data = _csv(tmp_path, panel())
    from typer.testing import CliRunner

    from stockcaster.cli import app

    run = CliRunner().invoke(app, ["universe", "--data", str(data), "--features",
                                   "returns,alpha", "--out", str(tmp_path / "u")])  # fmt: skip
    assert run.exit_code == 2
    assert run.stderr.strip().splitlines() == [
        "error: --features: expected names among returns, ohlcv, technical, market, columns, "
        "factors, "
        "received 'alpha'"
    ]
    assert not (tmp_path / "u").exists()


def test_cross_sectional_targets_rank_and_standardise_each_day_s_returns():
    from stockcaster.features.panel import panel_features

    table = panel(120, 5)
    days = np.sort(table["date"].unique())
    ranked = panel_features(table, days[90], "returns", target="rank")
    scored = panel_features(table, days[90], "returns", target="zscore")
    logs = table.assign(r=np.log(table["close"]))
    returns = logs.pivot(index="date", columns="symbol", values="r").diff()
    day = days[50]  # the rows of the day before are labelled with this day's returns
    rows = np.flatnonzero(ranked.dates == days[49])
    expected = (returns.loc[day].rank(pct=True) - 0.5) * np.sqrt(12)
    np.testing.assert_allclose(ranked.target[rows], expected.to_numpy(), rtol=1e-6)
    z = (returns.loc[day] - returns.loc[day].mean()) / returns.loc[day].std()
    np.testing.assert_allclose(scored.target[rows], z.to_numpy(), rtol=1e-5)


def test_a_ranking_model_is_scored_by_what_ranks_only(tmp_path):
    config = dataclasses.replace(
        _config(),
        models=("naive", "linear"),
        retrain_every=0,
        features=("returns",),
        global_model=tiny_global(target="rank"),
    )
    run = universe(PanelSource(_csv(tmp_path, panel())), config, out=tmp_path / "u")
    board = {row["model"]: row for row in run.summary["leaderboard"]}
    ranker = board["linear:returns:rank"]
    assert ranker["median_mse_ratio"] is None and ranker["dm_wins_bh"] is None
    assert ranker["mean_rank_ic"] is not None and ranker["annual_return"] is not None
    assert board["naive"]["median_mse_ratio"] == 1.0


def _backtest_csv(tmp_path, table: pd.DataFrame, name: str = "one.csv") -> str:
    path = tmp_path / name
    table.to_csv(path, index=False)
    return str(path)


def _backtest(data: str, out, extra: list[str]):
    from typer.testing import CliRunner

    from stockcaster.cli import app

    return CliRunner().invoke(
        app,
        ["backtest", "--data", data, "--models", "naive,linear", "--out", str(out),
         "--quiet", "--json", *extra],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("features", "rows"),
    [
        ("returns,technical", {"naive", "linear", "linear:technical"}),
        # linear runs on technical alone: it had a row of its own as well, with n = 0 and
        # every score empty, as if it had failed without an error.
        ("technical", {"naive", "linear:technical"}),
    ],
)
def test_backtest_scores_each_family_on_each_feature_set(tmp_path, features, rows):
    data = _backtest_csv(tmp_path, random_ohlcv(320, "AA", 2))
    result = _backtest(data, tmp_path / "b", ["--features", features])
    assert result.exit_code == 0, result.output
    board = {row["model"]: row for row in json.loads(result.output)["leaderboard"]}
    assert set(board) == rows
    assert board["linear:technical"]["n"] == board["naive"]["n"] == 80


def test_backtest_feature_set_forecasts_never_read_a_later_day(tmp_path):
    from stockcaster.evaluation.backtest import BacktestConfig
    from stockcaster.jobs.backtest_features import feature_set_forecasts
    from stockcaster.jobs.envelope import Prices

    table = random_ohlcv(320, "AA", 2)
    changed = table.copy()
    day = table["date"].iloc[280]
    later = changed["date"] > day
    changed.loc[later, ["open", "high", "low", "close"]] *= 1.3
    walk = BacktestConfig(retrain_every=21)
    options = tiny_options()
    a = feature_set_forecasts(Prices(table, "a"), ("technical",), ["linear"], options, walk)[0]
    b = feature_set_forecasts(Prices(changed, "b"), ("technical",), ["linear"], options, walk)[0]
    early = a["date"] <= day
    pd.testing.assert_frame_equal(a[early], b[early])
    assert not np.allclose(a.loc[~early, "yhat"], b.loc[~early, "yhat"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--features", "market"], "--features: expected sets that one symbol has"),
        (["--features", "technical", "--horizon", "3"], "expected --horizon 1 and --step 1"),
        (["--features", "techncal"], "--features: expected names among returns"),
    ],
)
def test_backtest_refuses_feature_sets_it_cannot_run_in_one_line(tmp_path, extra, message):
    data = _backtest_csv(tmp_path, random_ohlcv(320, "AA", 2))
    result = _backtest(data, tmp_path / "b", extra)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


def test_a_family_trains_saves_and_predicts_through_a_preset(tmp_path, small_csv):
    from typer.testing import CliRunner

    from stockcaster.cli import app

    preset = tmp_path / "attention.toml"
    preset.write_text(
        'name = "attention"\n[features]\nlookback = 10\n'
        '[model]\nfamily = "transformer"\nwidth = 8\nblocks = 1\nheads = 2\n'
        "[training]\nepochs = 1\n"
    )
    runner = CliRunner()
    bundle = tmp_path / "bundle"
    saved = runner.invoke(
        app, ["train", "--data", str(small_csv), "--preset", str(preset), "--save", str(bundle)]
    )
    assert saved.exit_code == 0, saved.output
    predicted = runner.invoke(
        app, ["predict", "--bundle", str(bundle), "--data", str(small_csv), "--json",
              "--out", str(tmp_path / "p")],
    )  # fmt: skip
    assert predicted.exit_code == 0, predicted.output  # loaded with safe_mode
    assert '"yhat"' in predicted.output
