"""A trial's parameters, set on a network family's features, body and training.

The search space (`space.py`) names parameters by what they mean: `units` is the size of
every recurrent layer of the LSTM and GRU families and the width of the TCN, transformer
and MLP; `layers` is the number of recurrent layers, or of blocks; `lookback` the window's
lags; `dropout`, `learning_rate`, `batch_size` and `epochs` what they say. They are set on
the family's own network (`families.family_model`), so a trial of `seed` changes the
post's network, not the preset's layers that `seed` replaces.
"""

from __future__ import annotations

import dataclasses

from stockcaster.errors import StockcasterError
from stockcaster.features.pipeline import FeatureConfig
from stockcaster.models.config import ModelConfig
from stockcaster.models.families import NEURAL, family_model
from stockcaster.models.presets import RunConfig
from stockcaster.training.config import TrainConfig

NETWORK_PARAMS = ("lookback", "units", "layers", "dropout", "learning_rate", "batch_size")
NETWORK_PARAMS += ("epochs",)


def configure_network(
    family: str, preset: RunConfig, params: dict
) -> tuple[FeatureConfig, ModelConfig, TrainConfig]:
    """The features, network and training of `family` with a trial's `params` set.

    Raises:
        StockcasterError: a family that is not a network, or a parameter it does not have.
    """
    if family not in NEURAL:
        raise StockcasterError(f"--model: expected a network family, received {family!r}")
    unknown = [name for name in params if name not in NETWORK_PARAMS]
    if unknown:
        raise StockcasterError(
            f"expected parameters of a network ({', '.join(NETWORK_PARAMS)}), "
            f"received {unknown[0]!r}"
        )
    model = family_model(family, preset.model)
    if model.family == "rnn":
        layers = list(model.recurrent)
        count = int(params.get("layers", len(layers)))
        layers = (layers * count)[:count]  # more layers cycle the family's cell types
        units = params.get("units")
        layers = [dataclasses.replace(r, units=int(units)) if units else r for r in layers]
        model = dataclasses.replace(model, recurrent=tuple(layers))
    else:
        sized = {"width": params.get("units"), "blocks": params.get("layers")}
        model = dataclasses.replace(model, **{k: int(v) for k, v in sized.items() if v})
    if "dropout" in params:
        model = dataclasses.replace(model, dropout=float(params["dropout"]))
    features = preset.features
    if "lookback" in params:
        features = dataclasses.replace(features, lookback=int(params["lookback"]))
    training = dataclasses.replace(
        preset.training,
        **{k: type(getattr(preset.training, k))(params[k])
           for k in ("learning_rate", "batch_size", "epochs") if k in params},
    )  # fmt: skip
    return features, model, training
