"""The network's shape, as a small frozen config."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from stockcaster.errors import StockcasterError

Cell = Literal["lstm", "gru"]
CELLS: tuple[str, ...] = ("lstm", "gru")
Family = Literal["rnn", "tcn", "transformer", "mlp"]
FAMILIES: tuple[str, ...] = ("rnn", "tcn", "transformer", "mlp")


@dataclass(frozen=True)
class RecurrentLayer:
    """One recurrent layer: its cell type and width."""

    cell: Cell = "lstm"
    units: int = 32


@dataclass(frozen=True)
class ModelConfig:
    """The network: a body of one family, dense layers, one output (the head).

    Attributes:
        family: the body: "rnn" (the `recurrent` layers), "tcn" (dilated causal
            convolutions), "transformer" (self-attention encoder blocks) or "mlp"
            (N-BEATS-like fully connected blocks on the flattened window); see
            `models/networks.py`.
        recurrent: the recurrent layers, first to last ("rnn" only).
        width: the other bodies' width: filters, model dimension or hidden units.
        blocks: the other bodies' depth: residual blocks, encoder blocks or FC blocks.
        heads: attention heads per encoder block ("transformer" only).
        kernel: convolution kernel size ("tcn" only).
        dropout: dropout rate after each recurrent layer (0 for none).
        dense: widths of the ReLU dense layers between the last recurrent layer and
            the output.
        horizon: steps forecast at once by a direct multi-output head (1: one step).
        quantiles: quantile levels the head outputs, trained with the pinball loss;
            empty for a point forecast trained with MSE.
    """

    family: Family = "rnn"
    recurrent: tuple[RecurrentLayer, ...] = field(default_factory=lambda: (RecurrentLayer(),))
    width: int = 32
    blocks: int = 2
    heads: int = 4
    kernel: int = 3
    dropout: float = 0.0
    dense: tuple[int, ...] = ()
    horizon: int = 1
    quantiles: tuple[float, ...] = ()

    @property
    def direct(self) -> bool:
        """Whether the head forecasts several steps and/or quantiles at once."""
        return self.horizon > 1 or bool(self.quantiles)

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise StockcasterError(
                f"family: expected one of {', '.join(FAMILIES)}, received {self.family!r}"
            )
        if not self.recurrent:
            raise StockcasterError("expected at least one recurrent layer, received none")
        for name in ("width", "blocks", "heads", "kernel"):
            if getattr(self, name) < 1:
                raise StockcasterError(
                    f"expected {name} >= 1, received {name}={getattr(self, name)}"
                )
        if not 0 <= self.dropout < 1:
            raise StockcasterError(f"expected dropout in [0, 1), received dropout={self.dropout}")
        if self.horizon < 1:
            raise StockcasterError(f"expected horizon >= 1, received horizon={self.horizon}")
        if any(not 0 < q < 1 for q in self.quantiles) or list(self.quantiles) != sorted(
            set(self.quantiles)
        ):
            raise StockcasterError(
                "expected increasing quantiles in (0, 1), "
                f"received quantiles={list(self.quantiles)}"
            )
