"""The network's shape and the tabular models' settings, as small frozen configs."""

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

    def __post_init__(self) -> None:
        if self.units < 1:
            raise StockcasterError(f"expected units >= 1, received units={self.units}")


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
        embedding_dim: a panel's global network: the width of a learned symbol
            embedding beside each window; 0 for none.
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
    embedding_dim: int = 0

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
        if self.embedding_dim < 0:
            raise StockcasterError(
                f"--embedding-dim: expected 0 or more, received {self.embedding_dim}"
            )
        if self.horizon < 1:
            raise StockcasterError(f"expected horizon >= 1, received horizon={self.horizon}")
        if any(width < 1 for width in self.dense):
            raise StockcasterError(f"expected dense widths >= 1, received dense={list(self.dense)}")
        _check_quantiles(self.quantiles)


def _check_quantiles(levels: tuple[float, ...]) -> None:
    """A quantile head's levels: increasing in (0, 1), the median among them (the point
    forecast) and one on each side of it (the interval's ends); none for a point head."""
    if not levels:
        return
    increasing = all(0 < q < 1 for q in levels) and list(levels) == sorted(set(levels))
    if not increasing or 0.5 not in levels or not levels[0] < 0.5 < levels[-1]:
        raise StockcasterError(
            "expected increasing quantiles in (0, 1), 0.5 among them (the point forecast) "
            f"and one on each side of it (the interval), received quantiles={list(levels)}"
        )


@dataclass(frozen=True)
class TabularConfig:
    """The tabular models' settings; None leaves a setting at the model's default.

    Attributes:
        alpha: ridge's penalty (`linear`), on standardised inputs.
        num_leaves, max_depth, learning_rate, rounds: LightGBM's trees (`rounds` is its
            `n_estimators`; max_depth -1 means no limit).
        feature_fraction: the share of inputs each LightGBM tree sees (`colsample_bytree`).
    """

    alpha: float | None = None
    num_leaves: int | None = None
    max_depth: int | None = None
    learning_rate: float | None = None
    feature_fraction: float | None = None
    rounds: int | None = None

    def __post_init__(self) -> None:
        for name in ("alpha", "num_leaves", "learning_rate", "feature_fraction", "rounds"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise StockcasterError(f"expected {name} > 0, received {name}={value}")
        if self.feature_fraction is not None and self.feature_fraction > 1:
            raise StockcasterError(
                f"expected feature_fraction <= 1, received feature_fraction={self.feature_fraction}"
            )
