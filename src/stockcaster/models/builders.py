"""How the registry builds the network and tabular families from `ModelOptions`.

The neural families share the preset's features and training and differ in their body
(`families.py`); each also has a global form (one network for a universe). The tabular
families (ridge, LightGBM) read the preset's `tabular` settings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from stockcaster.features.pipeline import min_fit_rows
from stockcaster.models.base import Forecaster, PanelForecaster
from stockcaster.models.config import ModelConfig
from stockcaster.models.families import SETTINGS, family_model
from stockcaster.models.global_model import GlobalNetwork
from stockcaster.models.neural import NetworkForecaster
from stockcaster.models.options import ModelOptions
from stockcaster.models.tabular import GlobalTabular, TabularForecaster


def network_model(family: str, head: ModelConfig, options: ModelOptions) -> ModelConfig:
    """`family`'s network on `head`, sized by its own settings where it has them
    (`--set tcn.blocks=2`)."""
    kind = SETTINGS.get(family)
    return family_model(family, head, options.settings_of(family, kind) if kind else None)


def network(family: str) -> Callable[[ModelOptions], Forecaster]:
    def make(options: ModelOptions) -> Forecaster:
        preset = options.preset
        model = network_model(family, preset.model, options)
        return NetworkForecaster(preset.features, model, preset.training, name=family)

    return make


def global_network(family: str) -> Callable[[ModelOptions], PanelForecaster]:
    def make(options: ModelOptions) -> PanelForecaster:
        config = options.global_model
        model = network_model(family, config.model, options)
        return GlobalNetwork(dataclasses.replace(config, model=model), name=family)

    return make


def tabular(name: str) -> Callable[[ModelOptions], Forecaster]:
    def make(options: ModelOptions) -> Forecaster:
        preset = options.preset
        return TabularForecaster(name, preset.features, preset.training.seed, preset.tabular)

    return make


def global_tabular(name: str) -> Callable[[ModelOptions], PanelForecaster]:
    return lambda options: GlobalTabular(name, options.global_model)


def preset_history(options: ModelOptions) -> int:
    """The closes a network or tabular model of the preset needs (a direct head's more)."""
    preset = options.preset
    return min_fit_rows(preset.features, preset.model.horizon if preset.model.direct else 1)
