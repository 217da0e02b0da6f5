"""How a network is trained, as small frozen configs."""

from __future__ import annotations

from dataclasses import dataclass

from stockcaster.errors import StockcasterError
from stockcaster.settings import whole_number


@dataclass(frozen=True)
class ReduceLR:
    """`ReduceLROnPlateau` settings: cut the learning rate when val_loss stalls."""

    patience: int = 5
    factor: float = 0.5
    min_lr: float = 1e-6

    def __post_init__(self) -> None:
        for wrong, name, allowed in (
            (self.patience < 0, "patience", ">= 0"),
            (not 0 < self.factor < 1, "factor", "in (0, 1)"),
            (self.min_lr < 0, "min_lr", ">= 0"),
        ):
            if wrong:
                value = getattr(self, name)
                raise StockcasterError(f"expected {name} {allowed}, received {name}={value}")


@dataclass(frozen=True)
class EarlyStop:
    """`EarlyStopping` settings: stop when val_loss has not improved for `patience` epochs."""

    patience: int = 10

    def __post_init__(self) -> None:
        if self.patience < 0:
            raise StockcasterError(f"expected patience >= 0, received patience={self.patience}")


@dataclass(frozen=True)
class TrainConfig:
    """How the network is trained.

    Attributes:
        epochs: most epochs to train.
        batch_size: windows per gradient step.
        learning_rate: Adam's initial learning rate.
        seed: seeds weights, dropout and shuffling.
        reduce_lr: ReduceLROnPlateau settings, or None for a fixed learning rate.
        early_stopping: EarlyStopping settings, or None to train every epoch.
        warm_epochs: the most epochs of a refit that starts from earlier weights.
        windows_per_epoch: a panel's training windows per epoch (a fresh random share
            each epoch), so early stopping checks the validation loss every so many
            windows rather than once per pass over a universe, which is past the best
            point already; None: every window, every epoch.
    """

    epochs: int = 60
    batch_size: int = 32
    learning_rate: float = 1e-3
    seed: int = 42
    reduce_lr: ReduceLR | None = None
    early_stopping: EarlyStop | None = None
    warm_epochs: int = 10
    windows_per_epoch: int | None = None

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "warm_epochs", "windows_per_epoch"):
            value = getattr(self, name)
            if value is None:
                continue
            if not whole_number(value) or value < 1:  # Python callers' too: epochs="5", 2.5 or True
                raise StockcasterError(f"expected {name} >= 1, received {name}={value!r}")
        if self.learning_rate <= 0:
            raise StockcasterError(
                f"expected learning_rate > 0, received learning_rate={self.learning_rate}"
            )
        if not 0 <= self.seed < 2**32:  # NumPy's and Keras' seeds
            raise StockcasterError(f"expected seed in 0 to 2**32-1, received seed={self.seed}")
