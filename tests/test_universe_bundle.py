"""Universe bundles: `universe --save`, `train --universe`, `predict` on a whole universe."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_universe import tiny_config, universe
from typer.testing import CliRunner

from conftest import ohlcv, write_kaggle
from stockcaster.cli import app
from stockcaster.errors import StockcasterError
from stockcaster.jobs.predict_universe import predict_universe
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.store.results import ResultsStore

NAMES = ["AA", "BB", "CC", "DD", "EE"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A global LSTM's universe run over five symbols, saved as a bundle."""
    folder = tmp_path_factory.mktemp("universe-bundle")
    table = pd.concat([ohlcv(200, name, seed) for seed, name in enumerate(NAMES)])
    data = write_kaggle(folder / "panel.csv", table.reset_index(drop=True))
    config = dataclasses.replace(tiny_config(), models=("naive", "lstm"))
    run = universe(data, config, out=folder / "run", save=folder / "bundle")
    return folder, data, table, run


def cut(table: pd.DataFrame, last, path: Path) -> Path:
    return write_kaggle(path, table[table["date"] <= last].reset_index(drop=True))


def test_predict_from_the_saved_bundle_is_the_walk_forwards_last_forecast(saved, tmp_path):
    folder, _, table, run = saved
    with ResultsStore(run.folder) as store:
        walked = store.forecasts()
    walked = walked[walked["model"] == "lstm"]
    last_day = walked["date"].max()
    origin = np.sort(table["date"].unique())[-2]  # the last test origin
    data = cut(table, origin, tmp_path / "cut.csv")
    found = predict_universe(folder / "bundle", PanelSource(data), top_k=2, out=tmp_path / "p")
    expected = walked[walked["date"] == last_day].set_index("symbol")["yhat"]
    got = found.forecast.set_index("symbol")
    assert sorted(got.index) == NAMES and (got["date"] == pd.Timestamp(last_day)).all()
    np.testing.assert_allclose(got["yhat"].loc[expected.index], expected, rtol=1e-5)
    assert len(found.picks) == 4 and set(found.picks["side"]) == {"long", "short"}
    closes = table[table["date"] == origin].set_index("symbol")["close"]
    returns = got["yhat"] / closes.loc[got.index] - 1
    assert found.picks["symbol"].iloc[0] == returns.idxmax()  # long first: the highest
    assert found.picks["symbol"].iloc[-1] == returns.nsmallest(2).index[-1]
    written = {p.name for p in found.folder.iterdir()}
    assert {"forecast.csv", "picks.csv", "universe_prediction.json"} <= written


def test_symbols_missing_unknown_or_ending_early_are_listed_and_skipped(saved, tmp_path):
    folder, _, table, _ = saved
    table = table[table["symbol"] != "EE"]
    early = (table["symbol"] == "DD") & (table["date"] > table["date"].iloc[120])
    stranger = ohlcv(200, "ZZ", 11)
    data = write_kaggle(tmp_path / "mixed.csv",
                        pd.concat([table[~early], stranger]).reset_index(drop=True))  # fmt: skip
    found = predict_universe(folder / "bundle", PanelSource(data), top_k=1, out=tmp_path / "p")
    aside = found.meta["set_aside"]
    assert aside["EE"] == "in the bundle, not in the data" and aside["ZZ"] == "not in the bundle"
    assert "before the bundle's training" in aside["DD"]
    assert sorted(found.forecast["symbol"]) == ["AA", "BB", "CC"]


def _edit_json(bundle: Path, name: str, change) -> None:
    path = bundle / name
    value = json.loads(path.read_text())
    change(value)
    path.write_text(json.dumps(value))
    if name != "bundle.json":
        _rehash(bundle, name)


def _rehash(bundle: Path, name: str) -> None:
    meta = json.loads((bundle / "bundle.json").read_text())
    meta["files"][name] = hashlib.sha256((bundle / name).read_bytes()).hexdigest()
    (bundle / "bundle.json").write_text(json.dumps(meta))


def _replace_model(bundle: Path, lambda_layer: bool) -> None:
    import keras

    layers = [keras.Input((5, 1))]
    layers += [keras.layers.Lambda(lambda x: x * 2)] if lambda_layer else []
    layers += [keras.layers.LSTM(2), keras.layers.Dense(1)]
    keras.Sequential(layers if lambda_layer else [keras.Input((7, 1)), *layers[1:]]).save(
        bundle / "model.keras"
    )
    _rehash(bundle, "model.keras")


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        (lambda b: (b / "scales.json").unlink(), "expected scales.json in the bundle"),
        (lambda b: (b / "model.keras").write_bytes((b / "model.keras").read_bytes()[:400]),
         "checksum differs"),
        (lambda b: _edit_json(b, "bundle.json",
                              lambda m: m["versions"].update(stockcaster="9.9")),
         "received one from stockcaster 9.9"),
        (lambda b: _replace_model(b, lambda_layer=True), "safe mode"),
        (lambda b: _replace_model(b, lambda_layer=False), "expected a model taking windows"),
        (lambda b: _edit_json(b, "scales.json", lambda s: s.update(mean=[[0.0, 1.0]] * 5)),
         "expected statistics of 1 features per symbol"),
    ],
)  # fmt: skip
def test_a_damaged_universe_bundle_is_refused_in_one_line_with_nothing_written(
    saved, tmp_path, damage, fragment
):
    copy = tmp_path / "copy"
    shutil.copytree(saved[0] / "bundle", copy)
    damage(copy)
    out = tmp_path / "o"
    result = CliRunner().invoke(
        app, ["predict", "--model", str(copy), "--data", str(saved[1]), "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message and fragment in message, message
    assert not out.exists()


def test_train_universe_saves_a_bundle_predict_reads_and_symbol_bundles_refuse_it(saved, tmp_path):
    from stockcaster.store.bundle import load_bundle

    folder, data, _, _ = saved
    bundle = tmp_path / "all"
    result = CliRunner().invoke(app, ["train", "--universe", "--data", str(data), "--epochs", "1",
                                      "--save", str(bundle)])  # fmt: skip
    assert result.exit_code == 0, result.output
    meta = json.loads((bundle / "bundle.json").read_text())
    assert meta["kind"] == "universe" and meta["trained_until"] == meta["data"]["end"]
    with pytest.raises(StockcasterError, match="expected a bundle of one symbol"):
        load_bundle(bundle)
    ask = ["predict", "--model", str(bundle), "--data", str(data), "--top-k", "2", "--json",
           "--out", str(tmp_path / "p")]  # fmt: skip
    done = CliRunner().invoke(app, ask)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["symbols"] == {"forecast": 5, "set_aside": 0}
    again = CliRunner().invoke(app, ["train", "--universe", "--data", str(data),
                                     "--save", str(bundle)])  # fmt: skip
    assert again.exit_code == 2 and "which exists" in again.stderr
