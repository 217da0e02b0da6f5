"""Run configs, one symbol's or a universe's: small frozen objects, loaded from TOML and
validated once.

Presets are named TOML files beside this module; a path to any TOML file of the
same shape (such as the `config.toml` a run writes) works as a preset too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from stockcaster.errors import StockcasterError
from stockcaster.features import FeatureConfig
from stockcaster.models.config import ModelConfig, TabularConfig
from stockcaster.settings import build, parse_toml, read_toml
from stockcaster.training import TrainConfig


@dataclass(frozen=True)
class RunConfig:
    """A model and its data, for one symbol or a universe's global model: features
    (and targets), the network, its training and the `linear` and `lightgbm` families'
    `tabular` settings. A preset is one, and so is a universe bundle's or a search's
    best.toml."""

    name: str = "default"
    description: str = ""
    features: FeatureConfig = field(default_factory=FeatureConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainConfig = field(default_factory=TrainConfig)
    tabular: TabularConfig = field(default_factory=TabularConfig)

    def for_panel(self, where: str) -> RunConfig:
        """This config, checked for a panel's global model: a panel's target and
        validation (`FeatureConfig.for_panel`) and a one-step head.

        Raises:
            StockcasterError: naming `where`, the setting and what a panel allows.
        """
        self.features.for_panel(where)
        if self.model.horizon != 1:
            raise StockcasterError(
                f"{where} model: expected a one-step head (horizon 1) for a panel's global "
                f"model, received horizon {self.model.horizon}"
            )
        return self

    def with_inputs(self, inputs: str) -> RunConfig:
        """This config on the panel's feature set `inputs`."""
        return dataclasses.replace(self, features=dataclasses.replace(self.features, inputs=inputs))


def preset_names() -> list[str]:
    """Names of the presets shipped with stockcaster."""
    folder = resources.files(__name__)
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_preset(name_or_path: str, option: str = "--preset") -> RunConfig:
    """Load a preset by name (`seed`, `default`) or from a TOML file's path (`option`: the
    one that named it, for a refusal).

    Raises:
        StockcasterError: an unknown preset, an unreadable file, an unknown key or a
            value of the wrong type, naming the file and the key.
    """
    if name_or_path in preset_names():
        text = resources.files(__name__).joinpath(f"{name_or_path}.toml").read_text()
        source = f"preset {name_or_path!r}"
        return build(RunConfig, parse_toml(text, source), source)
    if name_or_path.endswith(".toml") and Path(name_or_path).is_file():
        return build(RunConfig, read_toml(name_or_path, option), name_or_path)
    raise StockcasterError(
        f"{option}: expected one of {', '.join(preset_names())} or a .toml file, "
        f"received {name_or_path!r}"
    )


def to_toml(config: RunConfig) -> str:
    """Write a config as TOML that `load_preset` reads back to an equal config."""
    return tomli_w.dumps(_to_table(config))


def _to_table(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {
            f.name: _to_table(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, tuple):
        return [_to_table(v) for v in value]
    return value
