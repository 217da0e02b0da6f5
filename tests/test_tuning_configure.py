"""A trial's parameters land on the family's own network, features, training or regressor."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from stockcaster.errors import StockcasterError
from stockcaster.models.configure import configure
from stockcaster.models.families import NEURAL
from stockcaster.models.presets import RunConfig, load_preset, to_toml
from stockcaster.models.registry import MODELS, ModelOptions
from stockcaster.tuning.space import default_space
from stockcaster.tuning.tasks import PanelTask, SymbolTask

TRIAL = {"lookback": 30, "units": 48, "layers": 3, "dropout": 0.2, "learning_rate": 5e-4,
         "batch_size": 64, "epochs": 12}  # fmt: skip
TREES = {"num_leaves": 9, "max_depth": 4, "learning_rate": 0.2, "feature_fraction": 0.6,
         "rounds": 17}  # fmt: skip


def _trial(family: str) -> dict:
    """TRIAL, less the sizes a family's space does not search (the post's two layers)."""
    return {k: v for k, v in TRIAL.items() if k in default_space(family)}


@pytest.mark.parametrize("family", list(NEURAL))
def test_every_network_parameter_reaches_the_network_built(family):
    """A trial's sizes are those of the network a symbol's and a universe's search build,
    not only of the config they report (before, tcn, transformer and mlp were built at
    their default sizes whatever the trial, and seed at the post's)."""
    trial = _trial(family)
    assert set(trial) == set(default_space(family))  # the space searches what is set here
    task = SymbolTask(family, RunConfig(), training=None, folds=[])
    forecaster = MODELS[family].make(task.options(trial))
    preset = task.configured(trial)
    model, training = forecaster.model_config, forecaster.training
    assert forecaster.features.lookback == 30 and model.dropout == 0.2
    assert (training.learning_rate, training.batch_size, training.epochs) == (5e-4, 64, 12)
    if model.family != "rnn":
        assert (model.width, model.blocks) == (48, 3)
    elif family == "seed":  # its own two layers, sized
        assert [(r.cell, r.units) for r in model.recurrent] == [("gru", 48), ("lstm", 48)]
    else:
        assert [r.units for r in model.recurrent] == [48, 48, 48]
    assert preset.training == training and preset.features == forecaster.features
    universe = PanelTask(family, load_preset("universe"), closes=None, folds=[])
    panel = universe.make(trial)().config
    assert panel.features.lookback == 30 and panel.training.epochs == 12
    assert panel.model == dataclasses.replace(model, horizon=panel.model.horizon,
                                              quantiles=panel.model.quantiles)  # fmt: skip


def test_the_seed_family_keeps_its_cells_and_the_rest_of_the_preset_is_untouched():
    preset = RunConfig()
    task = SymbolTask("seed", preset, training=None, folds=[])
    built = MODELS["seed"].make(task.options({"units": 16})).model_config
    assert [(r.cell, r.units) for r in built.recurrent] == [("gru", 16), ("lstm", 16)]
    assert built.dense == (64,) and configure("seed", preset, {"units": 16}) == preset
    with pytest.raises(StockcasterError, match="received 'layers'"):  # the post's two layers
        configure("seed", preset, {"layers": 3})
    same = configure("lstm", preset, {})
    assert same.features == preset.features and same.model == preset.model


def test_lightgbm_parameters_reach_the_regressor_a_universe_and_a_symbol_fit(tmp_path):
    """Every searched tree setting is LightGBM's own in the fitted regressor."""
    pytest.importorskip("lightgbm")
    assert set(TREES) == set(default_space("lightgbm"))
    preset = configure("lightgbm", RunConfig(), TREES)
    back = tmp_path / "best.toml"
    back.write_text(to_toml(preset))
    assert load_preset(str(back)).tabular == preset.tabular  # best.toml keeps them
    forecaster = MODELS["lightgbm"].make(ModelOptions(preset=preset))
    close = pd.Series(100 * np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, 300))))
    forecaster.fit(close)
    got = forecaster.regressor.get_params()
    assert (got["num_leaves"], got["max_depth"], got["n_estimators"]) == (9, 4, 17)
    assert (got["learning_rate"], got["colsample_bytree"]) == (0.2, 0.6)
    assert forecaster.regressor.n_estimators_ == 17
    ridge = MODELS["linear"].make(ModelOptions(preset=configure("linear", preset, {"alpha": 7.0})))
    ridge.fit(close)
    assert ridge.regressor.alpha == 7.0
    universe = MODELS["lightgbm"].make_panel(
        ModelOptions(global_model=configure("lightgbm", load_preset("universe"), TREES))
    )
    assert universe.config.tabular.rounds == 17


def test_a_parameter_a_family_does_not_have_is_refused():
    with pytest.raises(StockcasterError, match="received 'num_leaves'"):
        configure("lstm", RunConfig(), {"num_leaves": 7})
    with pytest.raises(StockcasterError, match="received 'units'"):
        configure("lightgbm", RunConfig(), {"units": 7})
    with pytest.raises(StockcasterError, match="expected a family with hyper-parameters"):
        configure("naive", RunConfig(), {})


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        ({"trials": "2"}, "--trials: expected a whole number between 1 and 10000, received '2'"),
        ({"trials": 1.5}, "--trials: expected a whole number between 1 and 10000, received 1.5"),
        ({"folds": 2.5}, "--folds: expected a whole number at least 1, received 2.5"),
        ({"seed": 1.5}, "--seed: expected a whole number between 0 and 4294967295, received 1.5"),
        ({"timeout_minutes": "5"}, "--timeout: expected a positive finite number, received '5'"),
        # a cost of more than all of a trade ran (backtest's --cost-bps stops at 10000)
        ({"cost_bps": 1e6}, "cost_bps: expected a number between 0 and 10000, received 1000000.0"),
        # --set's items as a string: "ValueError: not enough values to unpack"
        ({"settings": "linear.alpha=1"}, "settings: expected (model, settings) pairs, as "
                                         "registry.model_settings(['MODEL.KEY=VALUE'])"),
        # one symbol's search ran without them: a universe's feature set, a target no
        # preset has (then every trial failed, a folder written)
        ({"features": "technical"}, "--features: expected --universe with it (from Python, a "
                                    "PanelSource), received 'technical' for one symbol"),
        ({"target": "foo"}, "--target: expected one of close, log_return, variance, "
                            "received 'foo'"),
    ],
)  # fmt: skip
def test_a_python_caller_s_search_settings_are_checked(given, fragment):
    """`TuneConfig(trials="2")` was "TypeError: must be real number", `trials=1.5` ran a
    search, `folds=2.5` and `seed=1.5` were TypeErrors once it had started."""
    from stockcaster.tuning.config import TuneConfig

    TuneConfig(family="linear", trials=2).check()  # the control
    TuneConfig(family="linear", target="variance").check_symbol()
    with pytest.raises(StockcasterError, match=re.escape(fragment)):
        config = TuneConfig(family="linear", **given)
        config.check()
        config.check_symbol()


def test_one_symbol_s_search_from_python_refuses_a_universe_s_feature_set(tmp_path):
    """`tune(Source(...), TuneConfig(features="technical"))` searched the preset's windows
    as if the set were not given; it is refused before the folder is made."""
    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.tune import tune
    from stockcaster.tuning.config import TuneConfig

    config = TuneConfig(family="linear", trials=1, features="technical")
    with pytest.raises(StockcasterError, match=re.escape("received 'technical' for one symbol")):
        tune(Source(), config, tmp_path / "search")
    assert not (tmp_path / "search").exists()
