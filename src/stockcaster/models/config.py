"""The network's shape, as a small frozen config."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from stockcaster.errors import StockcasterError
from stockcaster.features.panel import FeatureSet
from stockcaster.features.scaling import NORMALISATIONS
from stockcaster.features.targets import PANEL_TARGETS, TargetKind
from stockcaster.training.config import EarlyStop, ReduceLR, TrainConfig

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


@dataclass(frozen=True)
class GlobalConfig:
    """The global model: its windows, network and training.

    Attributes:
        lookback: days per window.
        features: a feature set of `features/panel.py`.
        embedding_dim: width of a learned symbol embedding; 0 for none.
        validation: share of the training days, from their end, watched by the callbacks.
        center_returns: subtract each symbol's mean return before scaling. Off by
            default: then a forecast of 0 is the naive forecast, and a mean return (a
            drift) is not added to every forecast, which on the shared panel cost more
            than it gave.
        windows_per_epoch: training windows per epoch (a fresh random share each epoch),
            so early stopping checks the validation loss every 65,536 windows rather than
            once per pass over the universe, which is past the best point already.
        model: the network's family and sizes (one-step point head).
        training: epochs, batch size, learning rate, seed and callbacks.
        warm_epochs: the most epochs of a refit that starts from earlier weights.
        target: what the model learns: "return" (the next log-return) or, for models
            meant to rank, "rank" or "zscore" across the day's symbols
            (`features/targets.py`).
        normalise: "symbol" (each symbol's features by its own training rows) or
            "cross-section" (then z-scored again across each day's symbols).
        tabular: the settings of a global `linear` or `lightgbm` model.
    """

    lookback: int = 20
    features: FeatureSet = "returns"
    embedding_dim: int = 0
    validation: float = 0.15
    center_returns: bool = False
    windows_per_epoch: int | None = 65536
    model: ModelConfig = field(
        default_factory=lambda: ModelConfig(recurrent=(RecurrentLayer("lstm", 32),))
    )
    training: TrainConfig = field(
        default_factory=lambda: TrainConfig(
            epochs=20,
            batch_size=512,
            learning_rate=1e-3,
            reduce_lr=ReduceLR(patience=2, factor=0.5, min_lr=1e-5),
            early_stopping=EarlyStop(patience=4),
        )
    )
    warm_epochs: int = 5
    target: TargetKind = "return"
    normalise: str = "symbol"
    tabular: TabularConfig = field(default_factory=TabularConfig)

    def __post_init__(self) -> None:
        if self.lookback < 1:
            raise StockcasterError(f"--lookback: expected at least 1, received {self.lookback}")
        if self.embedding_dim < 0:
            raise StockcasterError(
                f"--embedding-dim: expected 0 or more, received {self.embedding_dim}"
            )
        if self.target not in PANEL_TARGETS:
            raise StockcasterError(
                f"--target: expected one of {', '.join(PANEL_TARGETS)}, received {self.target!r}"
            )
        if self.normalise not in NORMALISATIONS:
            raise StockcasterError(
                f"--normalise: expected one of {', '.join(NORMALISATIONS)}, "
                f"received {self.normalise!r}"
            )
        if not 0 < self.validation < 1:
            raise StockcasterError(
                f"expected a validation share in (0, 1), received {self.validation}"
            )
