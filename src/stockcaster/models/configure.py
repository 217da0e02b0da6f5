"""A trial's parameters, set on a family's config: one symbol's preset or a universe's.

The search space (`space.py`, the entry's `ModelSpec.space`) names parameters by what
they mean: `units` is the size of every recurrent layer of the LSTM and GRU families and
the width of the TCN, transformer and MLP; `layers` is the number of recurrent layers,
or of blocks; `lookback` the window's lags; `dropout`, `learning_rate`, `batch_size` and
`epochs` what they say. The sizes (units, layers, dropout) of a family with settings of
its own (seed, tcn, transformer, mlp; `families.SETTINGS`) are set on those settings
(`configure_settings`), which build its network, so a trial of `seed` changes the post's
network (its units and dropout: it keeps its two layers), not the preset's layers that
`seed` replaces; lstm's and gru's are set on the preset's recurrent layers. The tabular
families' parameters are `TabularConfig`'s (ridge's `alpha`; LightGBM's leaves, depth,
learning rate, feature fraction and rounds).
"""

from __future__ import annotations

import dataclasses

from stockcaster.errors import StockcasterError
from stockcaster.models.config import ModelConfig, TabularConfig
from stockcaster.models.families import NEURAL, SETTINGS, TABULAR, family_model
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import MODELS, ModelOptions
from stockcaster.models.space import takes
from stockcaster.training.config import TrainConfig

NETWORK_PARAMS = ("lookback", "units", "layers", "dropout", "learning_rate", "batch_size")
NETWORK_PARAMS += ("epochs",)
TABULAR_PARAMS = tuple(f.name for f in dataclasses.fields(TabularConfig))
_TRAINING = ("learning_rate", "batch_size", "epochs")
Settings = tuple[tuple[str, object], ...]  # each model's own settings (`ModelOptions`)


def configure(family: str, preset: RunConfig, params: dict) -> RunConfig:
    """`preset` (a symbol's or a universe's global model's) with a trial's `params` set on
    `family`'s network or regressor.

    Raises:
        StockcasterError: a family without hyper-parameters, or a parameter it lacks.
    """
    _check(family, params)
    if _by_settings(family):  # its own settings: `configure_settings`
        return preset
    if family in TABULAR:
        return dataclasses.replace(preset, tabular=TabularConfig(**params))
    features = preset.features
    if "lookback" in params:
        features = dataclasses.replace(features, lookback=int(params["lookback"]))
    # A family with settings of its own is sized there (`configure_settings`); the preset's
    # recurrent layers are lstm's and gru's.
    model = preset.model if family in SETTINGS else _network(family, preset.model, params)
    return dataclasses.replace(
        preset,
        features=features,
        model=model,
        training=_training(preset.training, params),
    )


def configure_settings(family: str, settings: Settings, params: dict) -> Settings:
    """The models' own `settings` with a trial's `params` set on `family`'s: all of them for
    a model sized by its settings alone, the sizes (`TRIAL`) for a network family with its
    own; a model whose settings are the preset's (lstm, gru, the tabular ones) keeps them."""
    if not _by_settings(family) and family not in SETTINGS:
        return settings
    _check(family, params)
    kind = MODELS[family].settings
    were = ModelOptions(settings=settings).settings_of(family, kind)
    own = params
    if family in SETTINGS:  # a size is a whole number of units or blocks, a dropout a share
        trial = kind.TRIAL
        own = {trial[k]: type(getattr(were, trial[k]))(v) for k, v in params.items() if k in trial}
    now = dataclasses.replace(were, **own)
    return (*((n, s) for n, s in settings if n != family), (family, now))


def _by_settings(family: str) -> bool:
    """Whether a trial sets `family`'s own settings (not a network's or a regressor's)."""
    own = family in MODELS and MODELS[family].settings is not None
    return own and family not in NEURAL and family not in TABULAR


def _check(family: str, params: dict) -> None:
    kind = MODELS[family].settings if _by_settings(family) else None
    if family not in NEURAL and family not in TABULAR and kind is None:
        raise StockcasterError(
            f"--model: expected a family with hyper-parameters, received {family!r}"
        )
    allowed = TABULAR_PARAMS if family in TABULAR else NETWORK_PARAMS
    allowed = tuple(p for p in allowed if takes(SETTINGS.get(family), p))
    if kind is not None:
        allowed = tuple(f.name for f in dataclasses.fields(kind))
    unknown = [name for name in params if name not in allowed]
    if unknown:
        raise StockcasterError(
            f"expected parameters of {family} ({', '.join(allowed)}), received {unknown[0]!r}"
        )


def _network(family: str, base: ModelConfig, params: dict) -> ModelConfig:
    """lstm's or gru's network on `base`'s head, its recurrent layers sized by `params`."""
    model = family_model(family, base)
    layers = list(model.recurrent)
    count = int(params.get("layers", len(layers)))
    layers = (layers * count)[:count]  # more layers cycle the family's cell types
    units = params.get("units")
    layers = [dataclasses.replace(r, units=int(units)) if units is not None else r for r in layers]
    model = dataclasses.replace(model, recurrent=tuple(layers))
    if "dropout" in params:
        model = dataclasses.replace(model, dropout=float(params["dropout"]))
    return model


def _training(base: TrainConfig, params: dict) -> TrainConfig:
    changed = {k: type(getattr(base, k))(params[k]) for k in _TRAINING if k in params}
    return dataclasses.replace(base, **changed)
