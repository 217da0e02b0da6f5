"""A trial's parameters land on the family's own network, features and training."""

from __future__ import annotations

import pytest

from stockcaster.errors import StockcasterError
from stockcaster.models.families import NEURAL
from stockcaster.models.presets import RunConfig
from stockcaster.tuning.configure import configure_network
from stockcaster.tuning.space import default_space

TRIAL = {"lookback": 30, "units": 48, "layers": 3, "dropout": 0.2, "learning_rate": 5e-4,
         "batch_size": 64, "epochs": 12}  # fmt: skip


@pytest.mark.parametrize("family", list(NEURAL))
def test_every_network_parameter_is_set(family):
    assert set(TRIAL) == set(default_space(family))  # the space searches what is set here
    features, model, training = configure_network(family, RunConfig(), TRIAL)
    assert features.lookback == 30 and model.dropout == 0.2
    assert (training.learning_rate, training.batch_size, training.epochs) == (5e-4, 64, 12)
    if model.family == "rnn":
        assert [r.units for r in model.recurrent] == [48, 48, 48]
    else:
        assert (model.width, model.blocks) == (48, 3)


def test_the_seed_family_keeps_its_cells_and_the_rest_of_the_preset_is_untouched():
    preset = RunConfig()
    _, model, training = configure_network("seed", preset, {"layers": 3, "units": 16})
    assert [r.cell for r in model.recurrent] == ["gru", "lstm", "gru"]
    assert model.dense == (64,) and training == preset.training
    features, model, _ = configure_network("lstm", preset, {})
    assert features == preset.features and model == preset.model


def test_a_parameter_a_network_does_not_have_is_refused():
    with pytest.raises(StockcasterError, match="received 'num_leaves'"):
        configure_network("lstm", RunConfig(), {"num_leaves": 7})
    with pytest.raises(StockcasterError, match="expected a network family"):
        configure_network("lightgbm", RunConfig(), {})
