"""Presets load, round-trip through TOML, and bad configs name the file and key."""

from __future__ import annotations

import pytest

from stockcaster.errors import StockcasterError
from stockcaster.models.presets import load_preset, preset_names, to_toml


def test_shipped_presets():
    assert preset_names() == ["default", "forecast", "seed"]


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
