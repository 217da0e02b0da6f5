"""One model of a family for every symbol of a panel, on log variance: the global form of
the volatility target (`variance.py` has the per-symbol form).

Each symbol's inputs are two columns per day: the log of its variance estimate (a day that
measured nothing carries the day before's) and its log-return, each standardised by the
mean and deviation of that symbol's own days up to the cutoff (`PanelFeatures`, as a
universe's global model scales its features). The target is the log of the mean variance
of the next h days, standardised as the symbol's log variance: one direct model per
horizon, fitted once, on the windows whose target days are all up to the cutoff, the last
`validation` share of each symbol's training windows held out to stop on. A forecast of
log v becomes one of v as HAR's does, `exp(forecast + s^2 / 2)`, with s^2 the variance of
the held-out windows' errors in log units (pooled over symbols).

Networks are the registry's families (`networks.build_network`) trained on the universe
preset's training settings (`windows_per_epoch` windows an epoch, drawn afresh); `linear`
and `lightgbm` are fitted on the flattened windows (`tabular.py`'s regressors).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError
from stockcaster.features.panel import PanelFeatures
from stockcaster.features.scaling import standardise, symbol_statistics
from stockcaster.features.volatility import variance_ahead
from stockcaster.models.builders import network_model
from stockcaster.models.families import NEURAL, TABULAR
from stockcaster.models.options import ModelOptions
from stockcaster.models.tabular import REGRESSORS, fit_regressor


@dataclass(frozen=True)
class SymbolVariance:
    """One symbol's days: each day's variance estimate and log-return (NaN on day 0), the
    row of its last training day (the cutoff; -1 when it starts after it), and its dates
    (for the tables and figures; None where nothing needs them)."""

    v: np.ndarray
    r: np.ndarray
    first: int
    dates: np.ndarray | None = None


class PanelVariance:
    """One `name` model for every symbol of a panel, forecasting the mean variance of the
    next `horizon` days (see the module's doc)."""

    def __init__(self, name: str, options: ModelOptions, horizon: int = 1):
        if name not in (*NEURAL, *TABULAR):
            raise StockcasterError(
                f"--global: expected families from {', '.join((*NEURAL, *TABULAR))}, "
                f"received {name!r}"
            )
        self.name, self.options, self.horizon = name, options, horizon
        self.config = options.global_model
        self.lookback = self.config.features.lookback
        self.features: PanelFeatures | None = None
        self.model = None
        self.spread = 0.0

    def fit(self, panel: dict[str, SymbolVariance]) -> None:
        """Fit on every symbol's windows whose target days are up to its cutoff."""
        self.features = _features(panel, self.horizon)
        fit_ends, held_out = self._training_ends()
        if len(fit_ends) < 2 or not len(held_out):
            raise StockcasterError(
                f"{self.name}: expected training windows of {self.lookback} days before the "
                f"cutoff, received {len(fit_ends)}"
            )
        fit = self._fit_network if self.name in NEURAL else self._fit_tabular
        fit(fit_ends, held_out)
        errors = (self._predict(held_out) - self.features.target[held_out]) * self._std(held_out)
        self.spread = float(np.var(errors))

    def forecast(self, symbol: str) -> tuple[np.ndarray, np.ndarray]:
        """The symbol's forecasts from every day from its cutoff on: `(origins, variance)`,
        origins its rows (the cutoff's first; NaN where a window lacks an input)."""
        i = self.features.symbols.index(symbol)
        start, stop, first = (int(a[i]) for a in self._rows())
        origins = np.arange(first, stop) - start
        return origins, self._variance(i, origins)

    def training_residuals(self, symbol: str, start: int, r: np.ndarray) -> np.ndarray:
        """The symbol's standardised returns on its training days from `start` (`r[d + 1]`
        over the deviation forecast from day d; in-sample, as `volatility.training_residuals`)."""
        i = self.features.symbols.index(symbol)
        first = int(self._rows()[2][i] - self._rows()[0][i])
        origins = np.arange(start, first)
        return r[origins + 1] / np.sqrt(self._variance(i, origins))

    def _rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.features.starts, self.features.stops, self.features.first

    def _variance(self, i: int, origins: np.ndarray) -> np.ndarray:
        """Symbol i's variance forecasts from its rows `origins` (NaN without a full window)."""
        features = self.features
        ends = origins + int(features.starts[i])
        able = origins >= self.lookback - 1
        able[able] = self._complete(ends[able])
        out = np.full(len(origins), np.nan)
        log_v = self._predict(ends[able]) * self._std(ends[able]) + features.mean[i, 0]
        out[able] = np.exp(log_v + self.spread / 2)
        return out

    def _training_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows ending the fit windows and the held-out ones (each symbol's last share)."""
        features, share = self.features, self.config.features.validation_fraction or 0.15
        fit, held = [], []
        for start, first in zip(features.starts, features.first, strict=True):
            ends = np.arange(start + self.lookback - 1, first - self.horizon + 1)
            ends = ends[self._complete(ends) & np.isfinite(features.target[ends])]
            cut = len(ends) - int(round(share * len(ends)))
            fit.append(ends[:cut])
            held.append(ends[cut:])
        return np.concatenate(fit), np.concatenate(held)

    def _complete(self, ends: np.ndarray) -> np.ndarray:
        """Whether each window ending at `ends` has every input."""
        finite = np.isfinite(self.features.values).all(axis=1)
        counts = np.concatenate([[0], np.cumsum(finite)])
        return counts[ends + 1] - counts[ends + 1 - self.lookback] == self.lookback

    def _std(self, ends: np.ndarray) -> np.ndarray:
        return self.features.std[self.features.symbol_id[ends], 0]

    def _windows(self, ends: np.ndarray) -> np.ndarray:
        """`[windows, lookback, 2]` inputs."""
        rows = ends[:, None] - np.arange(self.lookback)[::-1]
        return self.features.values[rows]

    def _predict(self, ends: np.ndarray) -> np.ndarray:
        x = self._windows(ends)
        if self.name in TABULAR:
            return np.asarray(self.model.predict(x.reshape(len(x), -1)), "float64")
        out = [self.model.predict_on_batch(x[i : i + 4096]) for i in range(0, len(x), 4096)]
        return np.concatenate([np.asarray(o)[:, 0] for o in out]).astype("float64")

    def _fit_tabular(self, fit_ends: np.ndarray, held_out: np.ndarray) -> None:
        config = self.config
        regressor = REGRESSORS[self.name](config.training.seed, True, config.tabular)
        flat = [self._windows(e).reshape(len(e), -1) for e in (fit_ends, held_out)]
        target = self.features.target
        fit_regressor(regressor, flat[0], target[fit_ends], (flat[1], target[held_out]))
        self.model = regressor

    def _fit_network(self, fit_ends: np.ndarray, held_out: np.ndarray) -> None:
        # Delayed imports: the network and its training are Keras, started only when needed.
        from stockcaster.models.networks import build_network
        from stockcaster.training.fit import train
        from stockcaster.training.panel_dataset import WindowDataset
        from stockcaster.training.seeds import set_seed

        config, features = self.config, self.features
        head = dataclasses.replace(config.model, embedding_dim=0, horizon=1, quantiles=())
        training = config.training
        set_seed(training.seed)
        network = build_network(network_model(self.name, head, self.options),
                                (self.lookback, features.n_features), name=self.name)  # fmt: skip
        batch = training.batch_size
        fit = WindowDataset(features, fit_ends, self.lookback, batch, False, training.seed,
                            training.windows_per_epoch)  # fmt: skip
        held = WindowDataset(features, held_out, self.lookback, batch)
        train(network, fit, held, training, verbose=False)
        self.model = network


def _features(panel: dict[str, SymbolVariance], horizon: int) -> PanelFeatures:
    """Every symbol's standardised log variance and log-return, and its target."""
    symbols = tuple(sorted(panel))
    sizes = np.array([len(panel[s].v) for s in symbols])
    stops = np.cumsum(sizes)
    starts = stops - sizes
    raw, label = [], []
    for s in symbols:
        logs = np.log(pd.Series(panel[s].v).ffill().to_numpy())
        raw.append(np.column_stack([logs, panel[s].r]))
        label.append(np.log(_ahead(panel[s].v, horizon)))
    raw, label = np.concatenate(raw), np.concatenate(label)
    first = np.array([start + panel[s].first if panel[s].first >= 0 else -1
                      for s, start in zip(symbols, starts, strict=True)])  # fmt: skip
    symbol_id = np.repeat(np.arange(len(symbols), dtype="int32"), sizes)
    mean, std = symbol_statistics(raw, starts, first, center_returns=True)
    values = standardise(raw, mean, std, symbol_id, None)
    target = (label - mean[symbol_id, 0]) / std[symbol_id, 0]
    return PanelFeatures(values.astype("float32"), target.astype("float32"), symbol_id, symbols,
                         starts, stops, first, mean, std, np.zeros(len(raw)),
                         np.zeros(len(raw), "datetime64[ns]"), target_kind="variance")  # fmt: skip


def _ahead(v: np.ndarray, horizon: int) -> np.ndarray:
    """Each day's mean variance of the next `horizon` days (NaN where they pass the data)."""
    out = np.full(len(v), np.nan)
    known = np.arange(len(v) - horizon)
    out[known] = variance_ahead(v, known, horizon)
    return out
