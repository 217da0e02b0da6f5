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

from stockcaster.errors import StockcasterError
from stockcaster.models.config import ModelConfig, RecurrentLayer


@dataclass(frozen=True)
class SeedSettings:
    """The `seed` family's own settings: the post's network, GRU(units) -> LSTM(units),
    dropout after each, a ReLU layer of `dense` units (smaller only to test it fast)."""

    units: int = field(default=256, metadata={"help": "its GRU and LSTM layers' units"})
    dense: int = field(default=64, metadata={"help": "its dense layer's units"})
    dropout: float = field(default=0.25, metadata={"help": "dropout after each layer"})

    def __post_init__(self) -> None:
        if self.units < 1 or self.dense < 1:
            raise StockcasterError(
                f"expected units and dense of at least 1, received {self.units} and {self.dense}"
            )
        if not 0 <= self.dropout < 1:
            raise StockcasterError(f"expected dropout in [0, 1), received {self.dropout}")


def _seed(head: ModelConfig, own: SeedSettings | None = None) -> ModelConfig:
    own = own or SeedSettings()
    layers = (RecurrentLayer("gru", own.units), RecurrentLayer("lstm", own.units))
    return dataclasses.replace(
        head, family="rnn", recurrent=layers, dropout=own.dropout, dense=(own.dense,)
    )


NEURAL: dict[str, Callable[[ModelConfig], ModelConfig]] = {
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
    # 3 residual blocks of dilated causal convolutions (dilations 1, 2, 4; 32 filters,
    # kernel 3): a receptive field of 1 + 2 * 2 * (1 + 2 + 4) = 29 days, more than 20.
    "tcn": lambda head: dataclasses.replace(
        head, family="tcn", width=32, blocks=3, kernel=3, dropout=0.0, dense=()
    ),
    # 2 encoder blocks, model dimension 32, 4 heads, sinusoidal positions.
    "transformer": lambda head: dataclasses.replace(
        head, family="transformer", width=32, blocks=2, heads=4, dropout=0.1, dense=()
    ),
    # 3 N-BEATS-like blocks of two 64-unit layers on the flattened window, dropout 0.5:
    # without it the blocks fit the noise of a few thousand windows (`bench/covariates.py`:
    # 1.06x naive on returns alone and 0.98x given a covariate worth 10% of the return's
    # variance; with it 1.01x, and 0.94x, significant on 10 of 10 symbols).
    "mlp": lambda head: dataclasses.replace(
        head, family="mlp", width=64, blocks=3, dropout=0.5, dense=()
    ),
}

TABULAR = ("linear", "lightgbm")


def family_model(family: str, base: ModelConfig, seed: SeedSettings | None = None) -> ModelConfig:
    """The network of `family` with `base`'s head (and, for lstm and gru, its layers;
    `seed` sizes the seed family's network, by default the post's)."""
    return _seed(base, seed) if family == "seed" else NEURAL[family](base)
