"""From a command's options to a job's typed request: each built here, once.

The CLI hands over plain values (strings, numbers, paths) and gets back the objects the
jobs take: where the prices come from (`symbol_source`, `panel_source`), a preset with
`--epochs` applied (`preset`), and a universe's global model (`global_model`), which
`universe`, `train --universe`, `tune --universe` and a universe search's `best.toml`
all build the same way.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from stockcaster.data.readers import parse_column_mapping
from stockcaster.errors import StockcasterError
from stockcaster.jobs.envelope import Source
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.models.config import GlobalConfig
from stockcaster.models.presets import RunConfig, load_preset
from stockcaster.store import files
from stockcaster.tuning.tasks import tuned_global

__all__ = ["GlobalConfig", "global_model", "holds_universe", "panel_source", "preset"]


def symbol_source(
    data: Path | None, symbol: str | None, columns: str | None, fill: str | None
) -> Source:
    """One symbol's prices, with `--columns` parsed and checked."""
    mapping = parse_column_mapping(columns) if columns else None
    return Source(data=data, symbol=symbol, columns=mapping, fill=fill)


def panel_source(
    data: Path, symbols: str | None, columns: str | None, fill: str | None, strict: bool = False
) -> PanelSource:
    """A universe's prices: `--symbols A,B` parsed (None: every symbol), `--columns` too."""
    wanted = None if symbols is None else [s.strip() for s in symbols.split(",") if s.strip()]
    mapping = parse_column_mapping(columns) if columns else None
    return PanelSource(data, wanted, mapping, fill, strict)


def preset(name: str, epochs: int | None = None) -> RunConfig:
    """The preset a command names (a name or a .toml file), with `--epochs` applied."""
    config = load_preset(name)
    if epochs is None:
        return config
    return dataclasses.replace(config, training=dataclasses.replace(config.training, epochs=epochs))


def global_model(
    features: str = "returns",
    *,
    preset_name: str | None = None,
    quantiles: str | None = None,
    **options,
) -> GlobalConfig:
    """A universe's global model: the defaults, then the options given (lookback,
    embedding_dim, target, normalise; epochs and batch_size set its training), then
    `quantiles` (a head such as "0.1,0.5,0.9"); a universe search's `best.toml` named as
    the preset sets the network, lookback and training it found, over the options."""
    base = GlobalConfig()
    options = {k: v for k, v in options.items() if v is not None}
    training = {k: options.pop(k) for k in ("epochs", "batch_size") if k in options}
    config = dataclasses.replace(
        base,
        features=features,
        training=dataclasses.replace(base.training, **training),
        **options,
    )
    head = dataclasses.replace(config.model, quantiles=parse_quantiles(quantiles))
    config = dataclasses.replace(config, model=head)
    return config if preset_name is None else tuned_global(config, load_preset(preset_name))


def parse_quantiles(text: str | None) -> tuple[float, ...]:
    """`--quantiles 0.1,0.5,0.9` as levels (checked by `ModelConfig`); None: none."""
    if text is None:
        return ()
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise StockcasterError(
            f"--quantiles: expected levels such as 0.1,0.5,0.9, received {text!r}"
        ) from None


def holds_universe(bundle: Path) -> bool:
    """Whether the bundle folder holds a universe's global model (else one symbol's)."""
    return files.bundle_kind(bundle) == files.UNIVERSE_KIND
