"""What a model is built with: the preset, the baselines' window, the global model's
config, and each model's own settings.

A model's own settings are a frozen dataclass its registry entry names
(`ModelSpec.settings`): its fields are the settings' names, types, defaults and help
(`field(metadata={"help": ...})`), and its `__post_init__` checks the values. The command
line sets them as `--set MODEL.KEY=VALUE` (a `--config` file as `set = [...]`), for every
command that builds models.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stockcaster.errors import StockcasterError
from stockcaster.models.presets import RunConfig, load_preset
from stockcaster.settings import build

Kinds = Mapping[str, "type | None"]  # model name -> its settings dataclass (None: none)


@dataclass(frozen=True)
class ModelOptions:
    """What the models' constructors read: the preset (the networks' and tabular models'
    settings), the moving average's window, the global model's config, and the settings
    of the models that have their own, as (name, settings) pairs."""

    preset: RunConfig = field(default_factory=RunConfig)
    ma_window: int = 5
    global_model: RunConfig = field(default_factory=lambda: load_preset("universe"))
    settings: tuple[tuple[str, Any], ...] = ()

    def settings_of(self, name: str, kind: type) -> Any:
        """Model `name`'s settings: those given, else `kind`'s defaults."""
        return dict(self.settings).get(name) or kind()


def check_settings_run(settings: Sequence[tuple[str, Any]], models: Sequence[str]) -> None:
    """Refuse `--set` for a model the command does not run: nothing would read it.

    Raises:
        StockcasterError: naming the model set and the ones that run (none: the preset's
            own network, which takes the preset's sizes).
    """
    pairs = not isinstance(settings, str | Mapping) and all(
        isinstance(p, tuple | list) and len(p) == 2 and dataclasses.is_dataclass(p[1])
        for p in settings
    )
    if not pairs:  # a Python caller's "linear.alpha=1" was unpacked letter by letter
        raise StockcasterError(
            "settings: expected (model, settings) pairs, as registry.model_settings(['MODEL."
            f"KEY=VALUE']) gives them from --set's items, received {settings!r:.80}"
        )
    for name, _ in settings:
        if name not in models:
            runs = ", ".join(models) or "none but the preset's network; --model NAME runs one"
            raise StockcasterError(
                f"--set {name}: expected settings of a model this command runs ({runs}), "
                f"received {name}'s"
            )


def parse_settings(items: Sequence[str] | None, kinds: Kinds) -> tuple[tuple[str, Any], ...]:
    """`--set toy.k=3 --set toy.name=x` as each model's settings, checked by its dataclass.

    A value is read as a TOML value (`3`, `0.5`, `true`, `"text"`), else taken as text.

    Raises:
        StockcasterError: a malformed item, a model without settings, an unknown key or a
            value its dataclass refuses; naming the item.
    """
    tables: dict[str, dict] = {}
    for item in items or ():
        name, key, value = _split(item, kinds)
        tables.setdefault(name, {})[key] = value
    return tuple(
        (name, build(kinds[name], table, f"--set {name}")) for name, table in tables.items()
    )


def settings_help(kinds: Kinds) -> str:
    """`--set`'s help: every model's settings, with type, default and meaning."""
    lines = []
    for name, kind in kinds.items():
        if kind is None:
            continue
        for f in dataclasses.fields(kind):
            default = getattr(kind(), f.name)
            what = f.metadata.get("help", "")
            lines.append(f"{name}.{f.name} ({what}{'; ' if what else ''}default {default!r})")
    listed = "; ".join(lines) if lines else "none of the installed models has any"
    return f"A model's own setting, MODEL.KEY=VALUE (repeatable): {listed}."


def _split(item: str, kinds: Kinds) -> tuple[str, str, Any]:
    """ "toy.k=3" as ("toy", "k", 3), each part checked."""
    target, equals, text = item.partition("=")
    name, dot, key = target.strip().partition(".")
    if not equals or not dot or not key:
        raise StockcasterError(f"--set: expected MODEL.KEY=VALUE, received {item!r}")
    own = [n for n, kind in kinds.items() if kind is not None]
    if kinds.get(name) is None:
        raise StockcasterError(
            f"--set: expected a model with settings of its own ({', '.join(own) or 'none'}), "
            f"received {name!r}"
        )
    try:
        value = tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = text.strip()
    return name, key.strip(), value
