"""The model families beside the LSTM: each one's network (or regressor) and default size.

A family keeps the head it is given (one step, direct, quantiles) and sets its body. The
sizes are small on purpose: on daily returns every family ties naive, so the cheapest
network that learns what there is to learn is the fair one to compare
(docs/results/families.md has the measurements behind each).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from stockcaster.errors import StockcasterError
from stockcaster.models.config import ModelConfig, RecurrentLayer


class _Sized:
    """A family's own settings, checked when made: every whole number (units, blocks, a
    kernel, heads) at least 1, and `dropout` a share in [0, 1)."""

    def __post_init__(self) -> None:
        sizes = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        dropout = sizes.pop("dropout")
        small = [f"{name}={value}" for name, value in sizes.items() if value < 1]
        if small:
            raise StockcasterError(f"expected sizes of at least 1, received {', '.join(small)}")
        if not 0 <= dropout < 1:
            raise StockcasterError(f"expected dropout in [0, 1), received {dropout}")


# What a search's parameters size (`tune`, `configure.py`): each one's name in the settings.
_BLOCKS_TRIAL = {"units": "width", "layers": "blocks", "dropout": "dropout"}


@dataclass(frozen=True)
class SeedSettings(_Sized):
    """The `seed` family's own settings: the post's network, GRU(units) -> LSTM(units),
    dropout after each, a ReLU layer of `dense` units (smaller only to test it fast)."""

    units: int = field(default=256, metadata={"help": "its GRU and LSTM layers' units"})
    dense: int = field(default=64, metadata={"help": "its dense layer's units"})
    dropout: float = field(default=0.25, metadata={"help": "dropout after each layer"})
    TRIAL: ClassVar[dict[str, str]] = {"units": "units", "dropout": "dropout"}


# The block families' settings below are named as `ModelConfig`'s fields, which they set.


@dataclass(frozen=True)
class TCNSettings(_Sized):
    """The `tcn` family's own settings: residual blocks of two dilated causal convolutions,
    the dilation doubling per block. The default's receptive field is
    1 + 2 * (kernel - 1) * (1 + 2 + 4) = 29 days, more than the default 20 lags."""

    width: int = field(default=32, metadata={"help": "filters of each convolution"})
    blocks: int = field(
        default=3, metadata={"help": "residual blocks, the dilation doubling per block"}
    )
    kernel: int = field(default=3, metadata={"help": "each convolution's kernel, in days"})
    dropout: float = field(default=0.0, metadata={"help": "dropout after each convolution"})
    TRIAL: ClassVar[dict[str, str]] = _BLOCKS_TRIAL


@dataclass(frozen=True)
class TransformerSettings(_Sized):
    """The `transformer` family's own settings: encoder blocks of multi-head self-attention
    and a feed-forward layer, on sinusoidal positions."""

    width: int = field(default=32, metadata={"help": "the model dimension"})
    blocks: int = field(default=2, metadata={"help": "encoder blocks"})
    heads: int = field(default=4, metadata={"help": "attention heads of each block"})
    dropout: float = field(default=0.1, metadata={"help": "dropout of the attention"})
    TRIAL: ClassVar[dict[str, str]] = _BLOCKS_TRIAL


@dataclass(frozen=True)
class MLPSettings(_Sized):
    """The `mlp` family's own settings: N-BEATS-like blocks of two ReLU layers on the
    flattened window. Its dropout of 0.5 keeps the blocks from fitting the noise of a few
    thousand windows (`bench/covariates.py`: 1.06x naive on returns alone and 0.98x given
    a covariate worth 10% of the return's variance; with it 1.01x, and 0.94x, significant
    on 10 of 10 symbols)."""

    width: int = field(default=64, metadata={"help": "units of each block's layers"})
    blocks: int = field(default=3, metadata={"help": "blocks"})
    dropout: float = field(default=0.5, metadata={"help": "dropout after each block"})
    TRIAL: ClassVar[dict[str, str]] = _BLOCKS_TRIAL


def _seed(head: ModelConfig, own: SeedSettings) -> ModelConfig:
    layers = (RecurrentLayer("gru", own.units), RecurrentLayer("lstm", own.units))
    return dataclasses.replace(
        head, family="rnn", recurrent=layers, dropout=own.dropout, dense=(own.dense,)
    )


def _blocks(family: str) -> Callable[[ModelConfig, object], ModelConfig]:
    """A block family's network on `head`: its settings set as they are named."""
    return lambda head, own: dataclasses.replace(
        head, family=family, dense=(), **dataclasses.asdict(own)
    )


NEURAL: dict[str, Callable[..., ModelConfig]] = {
    # The preset's recurrent layers, as they are.
    "lstm": lambda head: head,
    # The same layers with GRU cells.
    "gru": lambda head: dataclasses.replace(
        head,
        family="rnn",
        recurrent=tuple(dataclasses.replace(layer, cell="gru") for layer in head.recurrent),
    ),
    # The post's network: GRU(256) -> LSTM(256), dropout 0.25, a dense layer of 64.
    "seed": _seed,
    "tcn": _blocks("tcn"),
    "transformer": _blocks("transformer"),
    "mlp": _blocks("mlp"),
}

SETTINGS: dict[str, type] = {
    "seed": SeedSettings,
    "tcn": TCNSettings,
    "transformer": TransformerSettings,
    "mlp": MLPSettings,
}
"""The families sized by settings of their own (`--set tcn.blocks=2`), by default the sizes
docs/results/families.md measured; lstm and gru take the preset's recurrent layers."""

TABULAR = ("linear", "lightgbm")


def family_model(family: str, base: ModelConfig, own: object | None = None) -> ModelConfig:
    """The network of `family` with `base`'s head: for lstm and gru, `base`'s layers; for
    the others, sized by `own`, that family's settings (by default, its `SETTINGS` kind's)."""
    if family not in SETTINGS:
        return NEURAL[family](base)
    return NEURAL[family](base, own if own is not None else SETTINGS[family]())


def check_epochs_read(epochs: int | None, names: list[str] | tuple[str, ...]) -> None:
    """Refuse `--epochs` when no model that runs trains for epochs (a network family):
    nothing would read it.

    Raises:
        StockcasterError: naming the models that run and those that would read it.
    """
    if epochs is not None and not any(name in NEURAL for name in names):
        ran = f"{', '.join(names)}, which train for no epochs" if names else "no model"
        raise StockcasterError(
            f"--epochs: expected a network among the models run ({', '.join(NEURAL)}), "
            f"received {ran}"
        )
