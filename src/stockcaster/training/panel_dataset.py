"""Windows of many symbols, served batch by batch: a `keras.utils.PyDataset`.

The whole universe's windows would take `rows x lookback x features` floats (437
symbols x 1,300 days x 60 x 5 is 680 MB); instead each batch's windows are copied out of
a sliding-window view of the flat feature array (no copy until then) when Keras asks for
them. PyDataset works on every Keras backend, unlike `tf.data`.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from stockcaster.features.panel import PanelFeatures


class WindowDataset(keras.utils.PyDataset):
    """Batches of `(window, target)`, or `((window, symbol_id), target)` with embeddings.

    Args:
        features: the panel's scaled features.
        ends: rows that end the windows to serve (see `PanelFeatures.window_ends`).
        lookback: rows per window.
        batch_size: windows per batch (the last batch may be smaller).
        with_symbol: also serve each window's symbol index, for a symbol embedding.
        shuffle_seed: reshuffle the windows before every epoch with this seed; None
            serves them in order (validation, prediction).
        windows_per_epoch: serve only this many windows per epoch (a fresh random share
            each epoch when shuffling), so that the callbacks look at the validation loss
            more often than once per pass over a large universe; None serves them all.
        workers: threads that gather batches ahead of training; 1 gathers each batch
            when it is needed.
    """

    def __init__(
        self,
        features: PanelFeatures,
        ends: np.ndarray,
        lookback: int,
        batch_size: int,
        with_symbol: bool = False,
        shuffle_seed: int | None = None,
        windows_per_epoch: int | None = None,
        workers: int = 1,
    ):
        # workers > 1: Keras gathers the next batches in that many threads while the
        # current one trains. Only for cores to spare: on 2 cores the threads take them
        # from short training steps and halve the speed (bench/gpu_universe.py --units 2).
        super().__init__(workers=workers, use_multiprocessing=False)
        self.target, self.symbol_id = features.target, features.symbol_id
        self.ends = np.asarray(ends, dtype="int64")
        self.lookback = lookback
        # A view, not a copy: window i holds rows i .. i + lookback - 1, as
        # [rows - lookback + 1, features, lookback]. Taking whole windows from it is
        # ~10x faster than gathering rows one by one.
        self.windows = np.lib.stride_tricks.sliding_window_view(features.values, lookback, axis=0)
        self.batch_size = batch_size
        self.with_symbol = with_symbol
        self.windows_per_epoch = windows_per_epoch
        self._rng = None if shuffle_seed is None else np.random.default_rng(shuffle_seed)
        self.order = self.ends.copy()
        self.on_epoch_end()

    def __len__(self) -> int:
        served = len(self.ends)
        if self.windows_per_epoch is not None:
            served = min(served, self.windows_per_epoch)
        return math.ceil(served / self.batch_size)

    def __getitem__(self, index: int):
        ends = self.order[index * self.batch_size : (index + 1) * self.batch_size]  # [batch]
        window = self.windows[ends - self.lookback + 1]  # [batch, features, lookback]
        window = np.ascontiguousarray(window.transpose(0, 2, 1))  # [batch, lookback, features]
        target = self.target[ends, None]  # [batch, 1]
        if self.with_symbol:
            return (window, self.symbol_id[ends]), target
        return window, target

    def on_epoch_end(self) -> None:
        if self._rng is not None:
            self.order = self._rng.permutation(self.ends)
