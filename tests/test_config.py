"""Presets load, round-trip through TOML, and bad configs name the file and key."""

from __future__ import annotations

import dataclasses
import re

import pytest

from stockcaster.errors import StockcasterError
from stockcaster.features import FeaturePipeline
from stockcaster.jobs.requests import global_model
from stockcaster.models.presets import load_preset, preset_names, to_toml


def test_shipped_presets():
    assert preset_names() == ["default", "forecast", "seed", "universe"]


def test_the_universe_preset_is_the_global_model_of_a_universe():
    """One settings type for a symbol's model and a universe's: the `universe` preset is
    what `universe`, `train --universe` and `tune --universe` build their global model from."""
    config = global_model()
    f, m, t = config.features, config.model, config.training
    assert config == load_preset("universe")
    assert (f.inputs, f.target, f.normalise, f.lookback, f.validation) == (
        "returns", "log_return", "symbol", 20, 0.15)  # fmt: skip
    assert ([r.units for r in m.recurrent], m.embedding_dim, m.horizon) == ([32], 0, 1)
    assert (t.epochs, t.batch_size, t.windows_per_epoch, t.warm_epochs) == (20, 512, 65536, 5)
    changed = global_model("technical", lookback=7, target="rank", embedding_dim=3, epochs=2)
    assert (changed.features.inputs, changed.features.lookback, changed.features.target) == (
        "technical", 7, "rank")  # fmt: skip
    assert (changed.model.embedding_dim, changed.training.epochs) == (3, 2)


@pytest.mark.parametrize(
    ("preset", "fragment"),
    [
        ("seed", "target: expected one of log_return, rank, zscore for a panel, received 'close'"),
        ("forecast", "model: expected a one-step head (horizon 1)"),
    ],
)
def test_a_preset_a_panel_cannot_take_is_refused_as_a_global_model(preset, fragment):
    with pytest.raises(StockcasterError, match=re.escape(f"--global-preset {preset} {fragment}")):
        global_model(preset_name=preset)


def test_a_panel_s_target_is_refused_for_one_series():
    ranked = dataclasses.replace(load_preset("default").features, target="rank")
    with pytest.raises(
        StockcasterError, match="target: expected one of close, log_return for a price forecast"
    ):
        FeaturePipeline(ranked)


def test_seed_preset_is_the_reference_notebook():
    seed = load_preset("seed")
    f, m, t = seed.features, seed.model, seed.training
    assert (f.target, f.scaler, f.lookback, f.layout, f.validation) == (
        "close",
        "none",
        2,
        "features",
        "test",
    )
    assert [(layer.cell, layer.units) for layer in m.recurrent] == [("gru", 256), ("lstm", 256)]
    assert (m.dropout, m.dense) == (0.25, (64,))
    assert (t.epochs, t.batch_size, t.learning_rate) == (70, 128, 0.0005)
    assert t.early_stopping is None and t.reduce_lr is None


@pytest.mark.parametrize("name", ["seed", "default", "forecast"])
def test_config_round_trips_through_toml(tmp_path, name):
    path = tmp_path / "config.toml"
    path.write_text(to_toml(load_preset(name)))
    assert load_preset(str(path)) == load_preset(name)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[features]\nlookbak = 3\n", "received 'lookbak'"),
        (
            "[features]\nlookback = 'three'\n",
            "[features] lookback: expected an integer, received 'three'",
        ),
        ("[features]\ntarget = 'volume'\n", "expected one of close, log_return"),
        ("[features]\nlookback = 0\n", "lookback=0"),
        ("[model]\nrecurrent = [{ cell = 'rnn', units = 4 }]\n", "expected one of lstm, gru"),
        ("[training]\nepochs = 0\n", "epochs=0"),
        ("[training\n", "expected valid TOML"),
        # each was taken, then failed inside Keras' fit or ran as nonsense (a patience of -1)
        ("[model]\nrecurrent = [{ cell = 'lstm', units = 0 }]\n", "expected units >= 1"),
        ("[model]\ndense = [0]\n", "[model]: expected dense widths >= 1, received dense=[0]"),
        ("[training]\nseed = -1\n", "[training]: expected seed in 0 to 2**32-1, received seed=-1"),
        ("[training]\nreduce_lr = { patience = -1 }\n", "[reduce_lr]: expected patience >= 0"),
        ("[training]\nreduce_lr = { factor = 2.0 }\n", "expected factor in (0, 1), received"),
        ("[training]\nreduce_lr = { min_lr = -1.0 }\n", "expected min_lr >= 0, received"),
        ("[training]\nearly_stopping = { patience = -2 }\n", "expected patience >= 0, received"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, text, fragment):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(StockcasterError) as caught:
        load_preset(str(path))
    assert str(path) in str(caught.value) and fragment in str(caught.value)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(StockcasterError, match="expected one of default, forecast, seed"):
        load_preset("fancy")
