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


def _at_least_one(**sizes: int) -> None:
    small = [f"{name}={value}" for name, value in sizes.items() if value < 1]
    if small:
        raise StockcasterError(f"expected sizes of at least 1, received {', '.join(small)}")


def _a_share(dropout: float) -> None:
    if not 0 <= dropout < 1:
        raise StockcasterError(f"expected dropout in [0, 1), received {dropout}")


@dataclass(frozen=True)
class SeedSettings:
    """The `seed` family's own settings: the post's network, GRU(units) -> LSTM(units),
    dropout after each, a ReLU layer of `dense` units (smaller only to test it fast)."""

    units: int = field(default=256, metadata={"help": "its GRU and LSTM layers' units"})
    dense: int = field(default=64, metadata={"help": "its dense layer's units"})
    dropout: float = field(default=0.25, metadata={"help": "dropout after each layer"})
    # What a search's parameters size (`tune`): its name for each (`configure.py`).
    TRIAL: ClassVar[dict[str, str]] = {"units": "units", "dropout": "dropout"}

    def __post_init__(self) -> None:
        _at_least_one(units=self.units, dense=self.dense)
        _a_share(self.dropout)


@dataclass(frozen=True)
class TCNSettings:
    """The `tcn` family's own settings: residual blocks of two dilated causal convolutions,
    the dilation doubling per block. The default's receptive field is
    1 + 2 * (kernel - 1) * (1 + 2 + 4) = 29 days, more than the default 20 lags."""

    width: int = field(default=32, metadata={"help": "filters of each convolution"})
    blocks: int = field(
        default=3, metadata={"help": "residual blocks, the dilation doubling per block"}
    )
    kernel: int = field(default=3, metadata={"help": "each convolution's kernel, in days"})
    dropout: float = field(default=0.0, metadata={"help": "dropout after each convolution"})
    TRIAL: ClassVar[dict[str, str]] = {"units": "width", "layers": "blocks", "dropout": "dropout"}

    def __post_init__(self) -> None:
        _at_least_one(width=self.width, blocks=self.blocks, kernel=self.kernel)
        _a_share(self.dropout)


@dataclass(frozen=True)
class TransformerSettings:
    """The `transformer` family's own settings: encoder blocks of multi-head self-attention
    and a feed-forward layer, on sinusoidal positions."""

    width: int = field(default=32, metadata={"help": "the model dimension"})
    blocks: int = field(default=2, metadata={"help": "encoder blocks"})
    heads: int = field(default=4, metadata={"help": "attention heads of each block"})
    dropout: float = field(default=0.1, metadata={"help": "dropout of the attention"})
    TRIAL: ClassVar[dict[str, str]] = {"units": "width", "layers": "blocks", "dropout": "dropout"}

    def __post_init__(self) -> None:
        _at_least_one(width=self.width, blocks=self.blocks, heads=self.heads)
        _a_share(self.dropout)


@dataclass(frozen=True)
class MLPSettings:
    """The `mlp` family's own settings: N-BEATS-like blocks of two ReLU layers on the
    flattened window. Its dropout of 0.5 keeps the blocks from fitting the noise of a few
    thousand windows (`bench/covariates.py`: 1.06x naive on returns alone and 0.98x given
    a covariate worth 10% of the return's variance; with it 1.01x, and 0.94x, significant
    on 10 of 10 symbols)."""

    width: int = field(default=64, metadata={"help": "units of each block's layers"})
    blocks: int = field(default=3, metadata={"help": "blocks"})
    dropout: float = field(default=0.5, metadata={"help": "dropout after each block"})
    TRIAL: ClassVar[dict[str, str]] = {"units": "width", "layers": "blocks", "dropout": "dropout"}

    def __post_init__(self) -> None:
        _at_least_one(width=self.width, blocks=self.blocks)
        _a_share(self.dropout)


def _seed(head: ModelConfig, own: SeedSettings) -> ModelConfig:
    layers = (RecurrentLayer("gru", own.units), RecurrentLayer("lstm", own.units))
    return dataclasses.replace(
        head, family="rnn", recurrent=layers, dropout=own.dropout, dense=(own.dense,)
    )


def _tcn(head: ModelConfig, own: TCNSettings) -> ModelConfig:
    return dataclasses.replace(head, family="tcn", width=own.width, blocks=own.blocks,
                               kernel=own.kernel, dropout=own.dropout, dense=())  # fmt: skip


def _transformer(head: ModelConfig, own: TransformerSettings) -> ModelConfig:
    return dataclasses.replace(head, family="transformer", width=own.width, blocks=own.blocks,
                               heads=own.heads, dropout=own.dropout, dense=())  # fmt: skip


def _mlp(head: ModelConfig, own: MLPSettings) -> ModelConfig:
    return dataclasses.replace(head, family="mlp", width=own.width, blocks=own.blocks,
                               dropout=own.dropout, dense=())  # fmt: skip


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
    "tcn": _tcn,
    "transformer": _transformer,
    "mlp": _mlp,
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
