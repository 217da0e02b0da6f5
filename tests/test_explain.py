"""`stockcaster explain`: permutation importance drawn as scikit-learn draws it, SHAP values
equal to the `shap` package's, and on a universe run, the features its global models used."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_feature_sets import random_ohlcv
from typer.testing import CliRunner

from conftest import one_line
from stockcaster.cli import app
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.explain import linear_shap, permutation_importance, tree_shap


def _linear_data(rows: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4))
    y = 0.8 * x[:, 0] - 0.3 * x[:, 2] + rng.normal(0, 0.5, rows)
    return x, y


def test_permutation_importance_of_one_column_features_is_scikit_learn_s():
    from sklearn.inspection import permutation_importance as reference
    from sklearn.linear_model import Ridge

    x, y = _linear_data()
    model = Ridge().fit(x, y)
    mine = permutation_importance(model.predict, x, y, [np.array([j]) for j in range(4)], 5, 7)
    theirs = reference(model, x, y, scoring="neg_mean_squared_error", n_repeats=5,
                       random_state=7)  # fmt: skip
    np.testing.assert_allclose(mine, theirs.importances, rtol=1e-10, atol=1e-12)
    assert np.argmax(mine.mean(axis=1)) == 0


def test_shap_values_are_the_shap_package_s():
    shap = pytest.importorskip("shap")
    from lightgbm import LGBMRegressor
    from sklearn.linear_model import Ridge

    x, y = _linear_data(400, 1)
    trees = LGBMRegressor(n_estimators=40, num_leaves=8, verbose=-1, random_state=0).fit(x, y)
    np.testing.assert_allclose(tree_shap(trees, x), shap.TreeExplainer(trees).shap_values(x),
                               rtol=1e-6, atol=1e-9)  # fmt: skip
    ridge = Ridge().fit(x, y)
    every_row = shap.maskers.Independent(x, max_samples=len(x))  # its background: all rows
    theirs = shap.LinearExplainer(ridge, every_row).shap_values(x)
    np.testing.assert_allclose(linear_shap(ridge.coef_, x, x), theirs, rtol=1e-8, atol=1e-10)


def _panel_file(tmp_path: Path) -> Path:
    table = pd.concat([random_ohlcv(320, s, i) for i, s in enumerate(("AA", "BB", "CC"))])
    path = tmp_path / "panel.csv"
    table.to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def test_explain_names_a_lightgbm_run_s_technical_features_with_shap_s_own_values(tmp_path):
    """A LightGBM global model on the technical set: explain ranks its features (every one
    a technical feature), with the caveat when it does not beat naive, writes
    explain.json and a report section, and its SHAP values are `shap`'s for the same model
    and windows."""
    shap = pytest.importorskip("shap")
    from stockcaster.features.technical import TECHNICAL_FEATURES
    from stockcaster.jobs.explain import explain

    out = tmp_path / "run"
    ran = CliRunner().invoke(app, ["universe", "--data", str(_panel_file(tmp_path)), "--models",
                                   "lightgbm", "--features", "technical", "--out", str(out),
                                   "--quiet", "--workers", "1"])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    (done,) = explain(out, repeats=2)
    assert done.name == "lightgbm:technical"
    assert set(done.features["feature"]) == set(TECHNICAL_FEATURES)
    assert done.features["importance"].is_monotonic_decreasing
    theirs = shap.TreeExplainer(done.view.regressor).shap_values(done.view.flat())
    np.testing.assert_allclose(done.shap, theirs, rtol=1e-6, atol=1e-9)
    record = json.loads((out / "explain.json").read_text())["models"]["lightgbm:technical"]
    (row,) = [r for r in json.loads((out / "universe.json").read_text())["leaderboard"]
              if r["model"] == "lightgbm:technical"]  # fmt: skip
    assert record["test_median_mse_ratio"] == row["median_mse_ratio"]
    skill = row["median_mse_ratio"] < 1 and row["dm_wins_bh"] > row["dm_losses_bh"]
    assert (record["caveat"] is None) == skill
    assert "What the global models looked at" in (out / "report.html").read_text()
    shown = CliRunner().invoke(app, ["explain", str(out), "--repeats", "1"])
    assert shown.exit_code == 0 and "lightgbm:technical" in shown.output
    assert "of MSE" in shown.output  # what the share is of (the column read "share")
    # one shuffle has no spread: its sd was written 0.0000, as if every shuffle agreed
    assert done.features["std"].notna().all()  # of two
    once = json.loads((out / "explain.json").read_text())["models"]["lightgbm:technical"]
    assert all(r["std"] is None for r in once["features"]), once["features"][0]
    # a run of a DataFrame in memory: nothing on disk to read again, said so
    summary = json.loads((out / "universe.json").read_text())
    summary["settings"]["data"]["source"] = "DataFrame"
    (out / "universe.json").write_text(json.dumps(summary))
    said = "(explain reads them again), received a run of a DataFrame in memory"
    one_line(CliRunner().invoke(app, ["explain", str(out)]), said)


@pytest.mark.parametrize(
    ("scores", "caveat"),
    [
        ({"median_mse_ratio": 0.99, "dm_wins_bh": 0, "dm_losses_bh": 0}, True),  # chance
        ({"median_mse_ratio": 0.99, "dm_wins_bh": 1, "dm_losses_bh": 2}, True),
        ({"median_mse_ratio": 1.01, "dm_wins_bh": 3, "dm_losses_bh": 1}, True),
        ({"median_mse_ratio": 0.99, "dm_wins_bh": 3, "dm_losses_bh": 1}, False),
        ({}, True),  # not in the leaderboard
    ],
)
def test_explain_drops_its_caveat_only_for_a_model_that_beats_naive_beyond_chance(scores, caveat):
    """A median MSE ratio below 1 dropped the caveat, at no significant win on any symbol."""
    from stockcaster.jobs.explain import _caveat

    said = _caveat("lstm", scores)
    assert (said is not None) == caveat
    if said:
        assert said.startswith("lstm does not beat naive on the test period (median MSE ratio ")


def test_explain_of_a_path_that_is_not_there_says_so_whatever_else_is_given(tmp_path):
    """`explain gone --data F` said "--data: expected a universe bundle with it ...,
    received F for the run gone", of a run that does not exist."""
    gone = tmp_path / "gone"
    for given in (["--data", str(tmp_path / "p.csv")], ["--covariates", "A", "--data", "p.csv"]):
        one_line(CliRunner().invoke(app, ["explain", str(gone), *given]),
                 f"{gone}: expected a universe run folder (with universe.json), a universe "
                 "bundle or a network's run (with metrics.json), received a path that does "
                 "not exist")  # fmt: skip


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["explain", "."], "expected a universe run folder (with universe.json)"),
        (
            ["explain", "RUN", "--model", "lstm"],
            "--model: expected a global model of the run (linear), received 'lstm'",
        ),
        # a run reads its own panel: --data was ignored
        (["explain", "RUN", "--data", "RUN"], "--data: expected a universe bundle with it"),
    ],
)
def test_bad_explanations_are_refused_in_one_line(tmp_path, args, fragment):
    out = tmp_path / "run"
    ran = CliRunner().invoke(app, ["universe", "--data", str(_panel_file(tmp_path)), "--models",
                                   "linear", "--out", str(out), "--quiet"])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    asked = [str(tmp_path) if a == "." else str(out) if a == "RUN" else a for a in args]
    one_line(CliRunner().invoke(app, asked), fragment)
    assert not (out / "explain.json").exists()


def test_explain_and_report_of_another_folder_say_what_it_holds(tmp_path):
    """A backtest's folder, or the `runs/` folder above the runs, were "received neither"
    (and, to `report`, "one without universe_risk.json, var.csv, ...")."""
    for name, marker in (("b", "leaderboard.json"), ("u", "universe.json")):
        (tmp_path / "runs" / name).mkdir(parents=True)
        (tmp_path / "runs" / name / marker).write_text("{}")
    runs, backtest = tmp_path / "runs", tmp_path / "runs" / "b"
    explained = (
        "expected a universe run folder (with universe.json), a universe bundle or a network's "
        "run (with metrics.json), received"
    )
    one_line(CliRunner().invoke(app, ["explain", str(backtest)]),
             f"{explained} the results of stockcaster backtest (explain reads a universe's "
             "global network or a run's network)")  # fmt: skip
    one_line(
        CliRunner().invoke(app, ["explain", str(runs)]),
        f"{explained} a folder of 1 universe or run folder (name one, such as {runs / 'u'})",
    )
    one_line(
        CliRunner().invoke(app, ["report", str(runs)]),
        f"received a folder of 2 command folders (name one, such as {backtest})",
    )
    (runs / "u" / "universe.json").unlink()
    one_line(
        CliRunner().invoke(app, ["explain", str(runs)]),
        f"{explained} a folder of command folders, none of them a universe run or a run",
    )


def test_explain_of_a_symbol_s_run_ranks_the_days_of_its_window(tmp_path):
    """`explain` read universe runs only ("expected a universe run folder"). Of a network's
    run it shuffles each day of the window on the validation days. The positive control:
    returns that follow yesterday's (AR(1), 0.6) and a network that reads the last return
    alone (a hand-set Dense layer): shuffling lag 1 grows its error by about 2 x 0.6^2 and
    shuffling any other day by exactly nothing; the run's report gains the section. Prices
    other than the run's, and a run of a model without a network, are refused."""
    import keras

    rng = np.random.default_rng(0)
    returns = np.zeros(400)
    for t in range(1, 400):
        returns[t] = 0.6 * returns[t - 1] + rng.normal(0, 0.01)
    days = pd.bdate_range("2014-01-02", periods=400)
    data = tmp_path / "ar.csv"
    pd.DataFrame({"date": days, "close": 50 * np.exp(returns.cumsum())}).to_csv(data, index=False)
    ran = CliRunner().invoke(app, ["run", "--data", str(data), "--epochs", "1", "--report",
                                   "--out", str(tmp_path / "runs"), "--quiet"])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    (folder,) = (tmp_path / "runs").iterdir()
    lags = 20  # the default preset's lookback; the window's last row is lag 1
    network = keras.Sequential([keras.Input((lags, 1)), keras.layers.Flatten(),
                                keras.layers.Dense(1)])  # fmt: skip
    weights = np.zeros((lags, 1), "float32")
    weights[-1] = 0.6
    network.set_weights([weights, np.zeros(1, "float32")])
    network.save(folder / "model.keras")
    done = CliRunner().invoke(app, ["explain", str(folder), "--json"])
    assert done.exit_code == 0, done.output
    (record,) = [v for k, v in json.loads(done.stdout).items() if k != "folder"]
    grown = {f["feature"]: f["importance"] for f in record["features"]}
    assert set(grown) == {f"lag {k}" for k in range(1, lags + 1)}
    assert 0.4 < grown["lag 1"] < 1.1, grown
    assert all(v == 0 for k, v in grown.items() if k != "lag 1"), grown
    assert record["windows"] == "validation" and record["groups"][0]["group"] == "lags 1-5"
    assert "What the network looked at" in (folder / "report.html").read_text()
    other = tmp_path / "other.csv"
    pd.DataFrame({"date": days, "close": 50 + np.arange(400.0)}).to_csv(other, index=False)
    one_line(
        CliRunner().invoke(app, ["explain", str(folder), "--data", str(other)]),
        f"expected the prices the run {folder} read (400 rows to {days[-1]:%Y-%m-%d}), received",
    )
    # a run of prices given as a DataFrame: nothing on disk to read again, said so
    metrics = json.loads((folder / "metrics.json").read_text())
    (folder / "metrics.json").write_text(json.dumps({**metrics, "source": "DataFrame"}))
    one_line(CliRunner().invoke(app, ["explain", str(folder)]), "--data: expected the file of "
             "the prices it read, received none (it read a DataFrame in memory")  # fmt: skip
    naive = CliRunner().invoke(app, ["run", "--data", str(data), "--model", "naive", "--out",
                                     str(tmp_path / "naive")])  # fmt: skip
    assert naive.exit_code == 0, naive.output
    (kept,) = (tmp_path / "naive").iterdir()
    one_line(
        CliRunner().invoke(app, ["explain", str(kept)]),
        "expected the run of a network (its model.keras), received a run of naive",
    )


def test_explain_reads_a_universe_bundle_on_its_own_panel(tmp_path):
    """A universe bundle's network (ohlcv features): its five features ranked on its
    validation days of the panel given, with the bundle's caveat; without the panel, one
    line; nothing written into the bundle."""
    data = _panel_file(tmp_path)
    bundle = tmp_path / "book"
    ask = ["train", "--universe", "--data", str(data), "--features", "ohlcv", "--epochs", "1"]
    trained = CliRunner().invoke(app, [*ask, "--save", str(bundle)])
    assert trained.exit_code == 0, trained.output
    before = sorted(p.name for p in bundle.iterdir())
    told = CliRunner().invoke(app, ["explain", str(bundle), "--data", str(data), "--repeats", "2",
                                    "--json"])  # fmt: skip
    assert told.exit_code == 0, told.output
    (record,) = [v for k, v in json.loads(told.stdout).items() if k != "folder"]
    names = [f["feature"] for f in record["features"]]
    assert sorted(names) == sorted(["log_return", "gap", "range", "body", "log_volume_change"])
    assert all(np.isfinite(f["importance"]) for f in record["features"])
    assert "is a bundle" in record["caveat"]
    assert sorted(p.name for p in bundle.iterdir()) == before
    one_line(CliRunner().invoke(app, ["explain", str(bundle)]), "--data: expected the panel")
    # a bundle holds one network: --model chose nothing, and was ignored
    chose = CliRunner().invoke(app, ["explain", str(bundle), "--data", str(data), "--model", "gru"])
    one_line(chose, "--model: expected a universe run's folder")


def test_explain_writes_no_share_of_the_error_as_zero(monkeypatch, tmp_path):
    """A feature whose shuffling grew the error by 0.03% of it read "0.0%" in the terminal,
    as one that changed nothing does: it reads 0.03%."""
    from types import SimpleNamespace

    from stockcaster.cli import explain as command

    features = pd.DataFrame({"feature": ["lag 1", "lag 2", "lag 3"], "group": "lags 1-5",
                             "importance": [0.5, 2e-4, 0.0], "share": [0.78, 3e-4, 0.0],
                             "std": [0.01, 1e-4, 0.0]})  # fmt: skip
    found = SimpleNamespace(name="lstm", features=features,
                            record={"validation_windows": 10, "caveat": None})  # fmt: skip
    monkeypatch.setattr(command, "explain_job", lambda *args: [found])
    shown = CliRunner().invoke(app, ["explain", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    rows = {line.split()[1] + line.split()[2]: line for line in shown.stdout.splitlines()
            if line.startswith("│ lag")}  # fmt: skip
    assert "0.03%" in rows["lag2"] and "0.0%" in rows["lag3"] and "78.0%" in rows["lag1"], rows


@pytest.mark.parametrize("repeats", [0, 2.5, "3"])
def test_a_python_caller_s_repeats_are_a_whole_number(tmp_path, repeats):
    """`explain(folder, repeats=0)` gave every importance as NaN (the mean of no shuffle),
    2.5 and "3" were TypeErrors."""
    from stockcaster.jobs.explain import explain

    with pytest.raises(StockcasterError, match=re.escape(
            f"--repeats: expected a whole number, at least 1, received {repeats!r}")):  # fmt: skip
        explain(tmp_path / "nothing", repeats=repeats)
