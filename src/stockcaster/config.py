"""Run configs: small frozen objects, loaded from TOML and validated once.

Presets are named TOML files in `stockcaster/presets/`; a path to any TOML file of the
same shape (such as the `config.toml` a run writes) works as a preset too.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from stockcaster.errors import StockcasterError
from stockcaster.features import FeatureConfig
from stockcaster.features.scaling import SCALERS
from stockcaster.features.targets import TARGETS
from stockcaster.features.windows import LAYOUTS
from stockcaster.models import CELLS, ModelConfig
from stockcaster.training import TrainConfig


@dataclass(frozen=True)
class RunConfig:
    """Everything `stockcaster run` needs besides the data: features, model, training."""

    name: str = "default"
    description: str = ""
    features: FeatureConfig = field(default_factory=FeatureConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainConfig = field(default_factory=TrainConfig)


# Values a field accepts beyond its type, checked once when a config is loaded.
_CHOICES = {
    "target": TARGETS,
    "scaler": SCALERS,
    "layout": LAYOUTS,
    "cell": CELLS,
    "validation": ("test",),
}


def preset_names() -> list[str]:
    """Names of the presets shipped with stockcaster."""
    folder = resources.files("stockcaster.presets")
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_preset(name_or_path: str) -> RunConfig:
    """Load a preset by name (`seed`, `default`) or from a TOML file's path.

    Raises:
        StockcasterError: an unknown preset, an unreadable file, an unknown key or a
            value of the wrong type, naming the file and the key.
    """
    if name_or_path in preset_names():
        text = resources.files("stockcaster.presets").joinpath(f"{name_or_path}.toml").read_text()
        source = f"preset {name_or_path!r}"
    elif name_or_path.endswith(".toml") and Path(name_or_path).is_file():
        text = Path(name_or_path).read_text()
        source = name_or_path
    else:
        raise StockcasterError(
            f"--preset: expected one of {', '.join(preset_names())} or a .toml file, "
            f"received {name_or_path!r}"
        )
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise StockcasterError(f"{source}: expected valid TOML, received an error: {err}") from None
    return _build(RunConfig, table, source)


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


def _build(cls: type, table: Any, where: str) -> Any:
    """Build dataclass `cls` from a TOML table, checking every key and type."""
    if not isinstance(table, dict):
        raise StockcasterError(f"{where}: expected a table, received {table!r}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise StockcasterError(
            f"{where}: expected keys among {', '.join(sorted(known))}, received {unknown[0]!r}"
        )
    values = {
        key: _coerce(hints[key], value, f"{where} [{key}]", key) for key, value in table.items()
    }
    try:
        return cls(**values)
    except StockcasterError as err:
        raise StockcasterError(f"{where}: {err}") from None


def _coerce(hint: Any, value: Any, where: str, key: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in (o for o in options if o is not type(None)):
            try:
                return _coerce(option, value, where, key)
            except StockcasterError as err:
                errors.append(str(err))
        raise StockcasterError(errors[0])
    if origin is tuple:
        (item,) = typing.get_args(hint)[:1]
        if not isinstance(value, list):
            raise StockcasterError(f"{where}: expected a list, received {value!r}")
        return tuple(_coerce(item, v, where, key) for v in value)
    if origin is typing.Literal:
        hint = str
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
        raise StockcasterError(f"{where}: expected {hint.__name__}, received {value!r}")
    if isinstance(value, str) and key in _CHOICES and value not in _CHOICES[key]:
        raise StockcasterError(
            f"{where}: expected one of {', '.join(_CHOICES[key])}, received {value!r}"
        )
    return value
