"""The network's shape, as a small frozen config."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from stockcaster.errors import StockcasterError

Cell = Literal["lstm", "gru"]
CELLS: tuple[str, ...] = ("lstm", "gru")


@dataclass(frozen=True)
class RecurrentLayer:
    """One recurrent layer: its cell type and width."""

    cell: Cell = "lstm"
    units: int = 32


@dataclass(frozen=True)
class ModelConfig:
    """The network: recurrent layers, dropout after each, dense layers, one output.

    Attributes:
        recurrent: the recurrent layers, first to last.
        dropout: dropout rate after each recurrent layer (0 for none).
        dense: widths of the ReLU dense layers between the last recurrent layer and
            the output.
        horizon: steps forecast at once by a direct multi-output head (1: one step).
        quantiles: quantile levels the head outputs, trained with the pinball loss;
            empty for a point forecast trained with MSE.
    """

    recurrent: tuple[RecurrentLayer, ...] = field(default_factory=lambda: (RecurrentLayer(),))
    dropout: float = 0.0
    dense: tuple[int, ...] = ()
    horizon: int = 1
    quantiles: tuple[float, ...] = ()

    @property
    def direct(self) -> bool:
        """Whether the head forecasts several steps and/or quantiles at once."""
        return self.horizon > 1 or bool(self.quantiles)

    def __post_init__(self) -> None:
        if not self.recurrent:
            raise StockcasterError("expected at least one recurrent layer, received none")
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
