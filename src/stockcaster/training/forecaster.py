"""The LSTM as a `Forecaster`: fitted on a training window, warm-started when refitted."""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd

from stockcaster.features import FeatureConfig, FeaturePipeline, Split
from stockcaster.models.config import ModelConfig
from stockcaster.training.config import TrainConfig
from stockcaster.training.fit import train
from stockcaster.training.seeds import set_seed

_VALIDATION_FRACTION = 0.15  # used when a preset validates on the test period


class LSTMForecaster:
    """A recurrent network behind the `Forecaster` contract.

    Each `fit` refits the feature pipeline (scaler) on the window it is given and trains
    with a validation tail carved from that window. The first fit starts from fresh
    weights; later fits continue from the previous weights for at most `warm_epochs`.
    Forecasts of more than one step feed each predicted close back in as history.

    Args:
        features, model, training: the preset's configs.
        warm_epochs: the most epochs of a refit after the first fit.
        name: the name shown in leaderboards.
    """

    def __init__(
        self,
        features: FeatureConfig,
        model: ModelConfig,
        training: TrainConfig,
        warm_epochs: int = 10,
        name: str = "lstm",
    ):
        self.name = name
        self.features = features
        self.model_config = model
        self.training = training
        self.warm_epochs = warm_epochs
        self.fits = 0
        self._model = None
        self._pipeline: FeaturePipeline | None = None

    def fit(self, history: pd.Series) -> None:
        from stockcaster.models.rnn import build_rnn

        close = history.to_numpy(dtype="float64")
        fraction = self.features.validation_fraction or _VALIDATION_FRACTION
        n = len(close)
        split = Split(fit_end=n - int(round(fraction * n)), train_end=n, n_rows=n)
        pipeline = FeaturePipeline(self.features).fit(close, split)
        fit, validation, _ = pipeline.parts(close, split)
        config = self.training
        if self._model is None:
            set_seed(config.seed)
            self._model = build_rnn(self.model_config, fit.x.shape[1:], name=self.name)
        else:
            config = dataclasses.replace(config, epochs=min(config.epochs, self.warm_epochs))
            # Each refit compiles afresh (new optimiser state, same weights), which
            # TensorFlow reports as "retracing"; that is the intent here, not a leak.
            logging.getLogger("tensorflow").setLevel(logging.ERROR)
        train(self._model, fit, validation, config, verbose=False)
        self._pipeline = pipeline
        self.fits += 1

    def predict(self, history: pd.Series, horizon: int) -> np.ndarray:
        if self._model is None or self._pipeline is None:
            raise RuntimeError(f"{self.name}: predict called before fit")
        import keras

        prices = history.to_numpy(dtype="float64")
        for _ in range(horizon):
            x = self._pipeline.last_window(prices)  # [1, *input_shape]
            z = keras.ops.convert_to_numpy(self._model(x, training=False))[:, 0]  # [1]
            nxt = self._pipeline.to_price(z, prices, np.array([len(prices)]))
            prices = np.append(prices, nxt)
        return prices[-horizon:]
