"""One network for a whole universe: trained on every symbol's windows, then walked forward.

The model is fitted on windows whose target day is on or before the cutoff (the last 15%
of those days, by date, are the validation part its callbacks watch), then forecasts
each later day from the window that ends the day before. Each symbol is scaled by its own
training rows (`features/panel.py`). Any family of `networks.py` can be the network; a
second `fit` at a later cutoff (rolling retraining) starts from the weights of the first.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import StockcasterError
from stockcaster.features.panel import PanelFeatures, panel_features
from stockcaster.features.split import last_training_day
from stockcaster.models.base import NotFittedError
from stockcaster.models.global_files import feature_scales, read_global, write_global
from stockcaster.models.global_forecast import point_and_band
from stockcaster.models.presets import RunConfig, load_preset
from stockcaster.process import logger_levels


@dataclass(frozen=True)
class GlobalFit:
    """A trained global model and what it learned from."""

    network: object  # keras.Model
    features: PanelFeatures
    history: dict[str, list[float]]
    best_epoch: int
    seconds: float
    train_windows: int
    validation_windows: int


def learned_features(
    prices: pd.DataFrame, cutoff: np.datetime64, config: RunConfig
) -> PanelFeatures:
    """The features and targets a global model learns from, scaled by the rows to `cutoff`."""
    features = config.features.for_panel("the global model's")
    return panel_features(
        prices,
        cutoff,
        features.inputs,
        features.center_returns,
        target=features.target,
        normalise=features.normalise,
        horizon=features.horizon,
    )


def known_features(
    known: PanelFeatures, prices: pd.DataFrame, cutoff: np.datetime64, config: RunConfig
) -> PanelFeatures:
    """The features of `prices`' symbols that `known` holds, scaled as `known` was."""
    prices = prices[prices[C.SYMBOL].isin(known.symbols)]  # a sliding fit may know fewer
    features = config.features
    return panel_features(
        prices,
        cutoff,
        features.inputs,
        features.center_returns,
        scale=(known.symbols, known.mean, known.std, known.moments),
        target=features.target,
        normalise=features.normalise,
        horizon=features.horizon,
    )


def training_ends(
    features: PanelFeatures, lookback: int, validation: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rows ending the fit and the validation windows (validation: the last training days).

    Raises:
        StockcasterError: fewer than two training windows.
    """
    ends = features.window_ends(lookback, "train")
    if len(ends) < 2:
        raise StockcasterError(
            f"expected training windows of {lookback} days before the cutoff, received {len(ends)}"
        )
    ends = ends[np.isfinite(features.target[ends])]  # a cross-sectional label may be missing
    target_days = features.dates[ends + features.horizon]
    split = last_training_day(np.unique(target_days), validation)
    return ends[target_days <= split], ends[target_days > split]


def datasets(features: PanelFeatures, config: RunConfig):
    """The training and validation datasets (validation: the last training days)."""
    # Delayed import: the dataset is a Keras PyDataset, and Keras starts only when needed.
    from stockcaster.training.panel_dataset import WindowDataset

    lookback, training = config.features.lookback, config.training
    fit_ends, validation_ends = training_ends(features, lookback, config.features.validation)
    batch, seed = training.batch_size, training.seed
    with_symbol = config.model.embedding_dim > 0
    fit = WindowDataset(
        features, fit_ends, lookback, batch, with_symbol, seed, training.windows_per_epoch
    )
    validation = WindowDataset(features, validation_ends, lookback, batch, with_symbol)
    return fit, validation


def train_global(
    prices: pd.DataFrame,
    cutoff: np.datetime64,
    config: RunConfig,
    verbose: bool = False,
    network=None,
) -> GlobalFit:
    """Train the global model on every symbol of `prices` up to `cutoff`.

    Args:
        prices: validated price table of the symbols to learn from.
        cutoff: the last training day, common to all symbols.
        config: the model.
        verbose: print Keras' line per epoch.
        network: a network trained before, to continue from for at most
            `config.training.warm_epochs` epochs; None builds a fresh one.
    """
    # Delayed imports: the network and its training are Keras, started only when needed.
    from stockcaster.models.global_network import build_global_network
    from stockcaster.models.losses import PinballLoss
    from stockcaster.training.fit import train
    from stockcaster.training.seeds import set_seed

    features = learned_features(prices, cutoff, config)
    fit, validation = datasets(features, config)
    set_seed(config.training.seed)
    training = config.training
    if network is None:
        network = build_global_network(
            config.model,
            (config.features.lookback, features.n_features),
            len(features.symbols),
        )
    else:
        training = dataclasses.replace(training, epochs=min(training.epochs, training.warm_epochs))
    quantiles = config.model.quantiles
    loss = PinballLoss(quantiles) if quantiles else "mse"  # a direct quantile head
    result = train(network, fit, validation, training, verbose=verbose, loss=loss)
    return GlobalFit(
        network=network,
        features=features,
        history=result.history,
        best_epoch=result.best_epoch,
        seconds=result.seconds,
        train_windows=len(fit.ends),
        validation_windows=len(validation.ends),
    )


def forecast_test_days(
    model: GlobalFit, config: RunConfig, features: PanelFeatures | None = None
) -> pd.DataFrame:
    """The one-step close forecast of every symbol's every day after the cutoff.

    Args:
        model: the trained model.
        config: its config.
        features: the panel to forecast, scaled with the model's statistics; None for
            the panel it was trained on.

    Returns:
        Columns symbol, date, yhat: the forecast of `date`'s close, made from the window
        that ends the day before.
    """
    # Delayed import: the dataset is a Keras PyDataset, and Keras starts only when needed.
    from stockcaster.training.panel_dataset import WindowDataset

    features = model.features if features is None else features
    lookback = config.features.lookback
    ends = features.window_ends(lookback, "test")
    batches = WindowDataset(
        features, ends, lookback, 4096, config.model.embedding_dim > 0, shuffle_seed=None
    )
    out = model.network.predict(batches, verbose=0)  # standardised log-return forecasts
    z, band = point_and_band(out, config.model.quantiles)
    return features.forecast_table(z, ends, band)


class GlobalNetwork:
    """The global model as a `PanelForecaster`: one network for every symbol of a panel.

    A later `fit` (at a later cutoff) continues from the weights of the one before. Its
    fitted state, the network and each symbol's statistics, saves itself into a bundle's
    folder and loads back from it (`Saveable`, `global_files.py`), as a series' network does.

    Args:
        config: windows, network and training.
        name: the name shown in leaderboards.
    """

    def __init__(self, config: RunConfig | None = None, name: str = "lstm"):
        self.config = config or load_preset("universe")
        self.name = name
        self.fitted: GlobalFit | None = None
        self.cutoff: np.datetime64 | None = None
        self._restored = None  # a network saved by an earlier fit, to continue from
        self._scales: dict | None = None  # each symbol's statistics, read by `load`

    @property
    def network(self):
        """The fitted network (keras.Model), or the one `load` read."""
        return self.fitted.network if self.fitted is not None else self._restored

    @property
    def scales(self) -> dict:
        """Each symbol's statistics: `symbols`, `mean`, `std`, `moments` (global_files.py)."""
        if self.fitted is not None:
            return feature_scales(self.fitted.features, self.config.features.inputs)
        if self._scales is None:
            raise NotFittedError(self.name)
        return self._scales

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols it knows, in the order of its statistics (and its embedding)."""
        return tuple(self.scales["symbols"])

    def checkpoint(self, path) -> None:
        """Save the last fit's network (a `.keras` file) for a later `restore`."""
        self.fitted.network.save(path)

    def restore(self, path) -> None:
        """Continue the next `fit` from the network an earlier fit saved (`checkpoint`), read
        as every saved network is (`networks.load_network`: safe mode, finite weights)."""
        # Delayed import: Keras, only when a network is read back.
        from stockcaster.models.networks import load_network

        self._restored = load_network(path)

    def adopt(self, path, features: PanelFeatures) -> None:
        """Hold the network a fit saved at `path` (`checkpoint`), scaled by `features`, as
        the fitted state `save` writes: a finished universe run's last fit, to bundle."""
        self.restore(path)
        self._scales = feature_scales(features, self.config.features.inputs)

    def save(self, folder: Path) -> list[str]:
        """Write the network and each symbol's statistics into `folder` (`Saveable`)."""
        if self.network is None:
            raise NotFittedError(self.name)
        return write_global(folder, self.network, self.scales)

    def load(self, folder: Path) -> None:
        """Read what `save` wrote, checked against this config (`Saveable`); the next `fit`
        continues from the network read (a bundle fine-tuned on newer data)."""
        self._restored, self._scales = read_global(folder, self.config)

    def fit(self, prices: pd.DataFrame, cutoff: np.datetime64) -> None:
        before = self._restored if self.fitted is None else self.fitted.network
        known = None if self.fitted is None else self.fitted.features.symbols
        if known is not None and known != _symbols(prices):
            before = None  # another universe: an embedding would not fit; start afresh
        # A refit compiles afresh and a new panel is predicted with new shapes, which
        # TensorFlow reports as "retracing"; that is the intent here, not a leak.
        with logger_levels({"tensorflow": logging.ERROR}):
            self.fitted = train_global(prices, cutoff, self.config, network=before)
        self.cutoff = cutoff

    def predict_after(self, prices: pd.DataFrame) -> pd.DataFrame:
        """One-step forecasts of every day after the cutoff, each symbol scaled as in `fit`.

        Raises:
            NotFittedError: before `fit`.
            ValueError: `prices` holds other symbols than the ones fitted.
        """
        if self.fitted is None:
            raise NotFittedError(self.name)
        features = known_features(self.fitted.features, prices, self.cutoff, self.config)
        with logger_levels({"tensorflow": logging.ERROR}):
            return forecast_test_days(self.fitted, self.config, features)

    def record(self) -> dict:
        """What training did, for the run's summary."""
        fit = self.fitted
        return {
            "train_windows": fit.train_windows,
            "validation_windows": fit.validation_windows,
            "best_epoch": fit.best_epoch,
            "epochs": len(fit.history["loss"]),
            "seconds": fit.seconds,
            "history": fit.history,
        }


def _symbols(prices: pd.DataFrame) -> tuple[str, ...]:
    return tuple(pd.unique(prices[C.SYMBOL]))
