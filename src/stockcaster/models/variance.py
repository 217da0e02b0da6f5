"""Every model of the volatility target by name: the baselines, and each registry family
trained on one symbol's log variance.

A family (`lstm`, `gru`, `seed`, `tcn`, `transformer`, `mlp`, `linear`, `lightgbm`) learns
the next day's log variance estimate from the last `lookback` days' (the preset's windows,
scaled by its scaler, fitted on the training days), as it learns the next close from past
closes: the log-variance series is handed to it in place of the closes, and it forecasts
its next values ("close": the level itself), refitted as in a backtest (a network warm
from its last weights for at most `warm_epochs`). A forecast of log v is turned into one of v
as HAR's is, `exp(forecast + s^2 / 2)`, with s^2 the variance of its one-step errors on its
last 250 training days (in-sample, as HAR's residuals are): the mean of a log-normal,
where `exp(forecast)` alone is its median, which QLIKE punishes as too low. The forecast
of the mean variance of the next h days is the mean of the h steps' (each step fed back).

Every model here is a walk `(v, r, blocks, horizons) -> [origins, horizons]`
(`volatility.py`'s `Blocks`): fitted at each block's fit day on the days up to it, then
forecasting from the block's origins with that fit. A family keeps its last fit, so the
training residuals (`volatility.training_residuals`, asked for first) and the walk's first
block share one fit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError
from stockcaster.features.volatility import DEFAULT_ESTIMATOR, daily_variance, log_returns
from stockcaster.models.base import Forecaster, OneStepPath
from stockcaster.models.families import NEURAL, TABULAR
from stockcaster.models.options import ModelOptions
from stockcaster.models.registry import (
    DEFAULT_MODEL,
    MODELS,
    forecaster_factory,
    parse_models,
    preset_history,
)
from stockcaster.models.volatility import (
    BASELINES,
    REFIT_EVERY,
    Blocks,
    Shape,
    refit_blocks,
)
from stockcaster.settings import parse_names

FAMILIES = (*NEURAL, *TABULAR)
VOLATILITY_MODELS = (*BASELINES, *FAMILIES)
DEFAULT_VARIANCE_MODELS = (*BASELINES, DEFAULT_MODEL)  # `universe --target variance`
SPREAD_DAYS = 250  # training days whose one-step errors give s^2


def level_options(options: ModelOptions) -> ModelOptions:
    """The options a family is built with on the volatility target: it learns the series'
    next value itself (the "close" of a log-variance series), one step with MSE, fed back
    for more (a preset's direct or quantile head is the price target's)."""
    preset = options.preset
    features = dataclasses.replace(preset.features, target="close")
    model = dataclasses.replace(preset.model, horizon=1, quantiles=())
    return dataclasses.replace(
        options, preset=dataclasses.replace(preset, features=features, model=model)
    )


class FamilyWalk:
    """One registry family walked over a symbol's log variance (see the module's doc)."""

    def __init__(self, name: str, options: ModelOptions):
        self.name = name
        self.options = level_options(options)
        self.model: Forecaster = forecaster_factory(name, self.options)()
        self.fitted: tuple[int, float] | None = None  # the last fit's row and s^2

    def history(self) -> int:
        """Days of log variance a fit needs before the first origin."""
        return preset_history(self.options)

    def __call__(self, v: np.ndarray, r: np.ndarray, blocks: Blocks, horizons: tuple) -> np.ndarray:
        series, start = _log_series(v)
        out = []
        for fit_day, block in blocks:
            spread = self._fit(series, fit_day - start)
            out.append(self._means(series, block - start, spread, horizons))
        return np.concatenate(out)

    def fit_all(self, v: np.ndarray) -> None:
        """Fit on every day of `v` (a bundle's fit: `train --target variance`)."""
        series, _ = _log_series(v)
        self._fit(series, len(series) - 1)

    @property
    def spread(self) -> float:
        """s^2 of the last fit (a bundle keeps it beside the model's files)."""
        if self.fitted is None:
            raise StockcasterError(f"{self.name}: expected a fitted model, received none")
        return self.fitted[1]

    def ahead(self, v: np.ndarray, horizons: tuple, spread: float) -> np.ndarray:
        """`[horizons]`: the mean variance of the next h days after the last day of `v`,
        from the fit held (a bundle's, whose s^2 is `spread`), without a refit."""
        series, _ = _log_series(v)
        return self._means(series, np.array([len(series) - 1]), spread, horizons)[0]

    def _means(self, series: pd.Series, rows: np.ndarray, spread: float, horizons: tuple):
        """`[rows, horizons]`: from each origin row, the mean of the next h days' variance."""
        logged = self._log_paths(self.model, series, rows, max(horizons))
        steps = np.exp(logged + spread / 2)
        means = np.cumsum(steps, axis=1) / np.arange(1, steps.shape[1] + 1)
        return means[:, [h - 1 for h in horizons]]

    def _fit(self, series: pd.Series, last: int) -> float:
        """Fit on rows up to `last` (unless the last fit was); s^2 of its in-sample errors."""
        if self.fitted is None or self.fitted[0] != last:
            if last + 1 < self.history():
                raise StockcasterError(
                    f"{self.name}: expected at least {self.history()} days of variance before "
                    f"the first origin, received {last + 1}"
                )
            self.model.fit(series.iloc[: last + 1])
            first = max(self.history() - 1, last - SPREAD_DAYS)
            known = series.iloc[: last + 1]
            errors = known.to_numpy()[first + 1 :] - _one_step(
                self.model, known, np.arange(first, last)
            )
            self.fitted = (last, float(np.var(errors)))
        return self.fitted[1]

    def _log_paths(
        self, model: Forecaster, series: pd.Series, rows: np.ndarray, steps: int
    ) -> np.ndarray:
        """`[origins, steps]` log-variance forecasts from each origin row (NaN where an origin
        has too little history)."""
        out = np.full((len(rows), steps), np.nan)
        able = rows >= self.history() - 1
        if steps == 1:
            out[able, 0] = _one_step(model, series, rows[able])
            return out
        for i in np.flatnonzero(able):
            out[i] = model.predict(series.iloc[: rows[i] + 1], steps)
        return out


def _log_series(v: np.ndarray) -> tuple[pd.Series, int]:
    """The log variance from the first day that measured something (carried over days that
    measured none), and that day's row: day d is the series' row d - start."""
    logs = np.log(pd.Series(v).ffill().to_numpy())
    start = int(np.argmax(np.isfinite(logs)))
    return pd.Series(logs[start:]), start


def _one_step(model: Forecaster, series: pd.Series, rows: np.ndarray) -> np.ndarray:
    """One-step forecasts from consecutive origin rows, each reading rows up to its origin:
    in one pass where the model has one (`OneStepPath`)."""
    if not len(rows):
        return np.empty(0)
    if isinstance(model, OneStepPath):
        # The day after the last origin is read by no window: a placeholder past the data.
        upto = pd.concat([series.iloc[: rows[-1] + 1], series.iloc[[rows[-1]]]])
        return model.one_step_path(upto.reset_index(drop=True), int(rows[0]))
    return np.array([model.predict(series.iloc[: o + 1], 1)[0] for o in rows])


def variance_walk(name: str, options: ModelOptions, option: str = "--models") -> Callable:
    """The walk of one volatility model by name: a baseline, or a family on log variance
    (`option`: the one that named it, for a refusal)."""
    if name in BASELINES:
        return BASELINES[name]
    if name in FAMILIES:
        return FamilyWalk(name, options)
    raise StockcasterError(
        f"{option}: expected volatility models from {', '.join(VOLATILITY_MODELS)}, "
        f"received {name!r}"
    )


def price_model(name: str | None) -> str | None:
    """`--model` of the price target, checked: a volatility baseline is refused in one line.

    Raises:
        StockcasterError: a baseline's name, which forecasts variance, not prices, or a name
            no model has (a Python caller's: the CLI offers the registry's).
    """
    if name in BASELINES:
        raise StockcasterError(
            f"--model: expected a model of prices, received {name!r}, a volatility baseline "
            "(it runs with --target variance)"
        )
    if name is not None and name not in MODELS:
        raise StockcasterError(f"--model: expected one of {', '.join(MODELS)}, received {name!r}")
    return name


def run_variance_models(name: str | None) -> tuple[str, ...]:
    """`run --target variance`'s models: the random walk, EWMA and `name` (default: the
    preset's network), checked."""
    if name is not None:
        parse_names(name, "--model", VOLATILITY_MODELS)  # the option typed, named alone
    return parse_variance_models(",".join(("random_walk", "ewma", name or DEFAULT_MODEL)))


def walk_variance(
    walk: Callable,
    v: np.ndarray,
    r: np.ndarray,
    origins: np.ndarray,
    horizons: tuple,
    every: int = REFIT_EVERY,
) -> np.ndarray:
    """`walk` from consecutive `origins`, refitted every `every` (0: fitted once):
    `[origins, horizons]`, the mean variance of the next h days for each h."""
    return walk(v, r, refit_blocks(np.asarray(origins), every), tuple(horizons))


def parse_variance_models(text: str | None) -> tuple[str, ...]:
    """`--models` of the variance target: baselines and families by name (None: none given,
    the job's default)."""
    if text is None:
        return ()
    names = parse_names(text, "--models", VOLATILITY_MODELS)
    families = [n for n in names if n in FAMILIES]
    if families:
        parse_models(",".join(families))  # a family whose extra is missing is refused
    return names


BAND = 0.8  # the interval a point forecast gets from its symbol's volatility
BAND_HISTORY = 80  # days a band's HAR needs: 22 of history and 30 fitted targets, and more


def sigma_ahead(table: pd.DataFrame, horizon: int, estimator: str = DEFAULT_ESTIMATOR):
    """`[horizon]`: the deviation of the log-return from a symbol's last close to each of
    the next sessions: HAR on its log variance (fitted once on its own days, the past only)
    for the mean variance of the next k days, times k; None for a history shorter than
    `BAND_HISTORY` days, or with too few days that moved to fit HAR on (a stale price)."""
    if len(table) < BAND_HISTORY:
        return None
    v, _ = daily_variance(table, estimator)
    r = log_returns(table)
    last = len(v) - 1
    steps = np.arange(1, horizon + 1)
    try:
        ahead = BASELINES["har"](v, r, [(last, np.array([last]))], tuple(steps))[0]
    except StockcasterError:  # HAR's own rule: too few measured days
        return None
    return np.sqrt(steps * ahead)


def risk_columns(sigma: np.ndarray) -> dict[str, np.ndarray]:
    """The 1% and 5% VaR and Expected Shortfall of a normal log-return with each deviation
    `sigma` (a sum of days' returns is nearer normal than one day's): negative numbers."""
    normal = Shape("normal")
    out = {"sigma": sigma}
    for level in (0.01, 0.05):
        out[f"var_{level:g}"] = sigma * normal.quantile(level)
        out[f"es_{level:g}"] = sigma * normal.tail_mean(level)
    return out


def risk_ahead(table: pd.DataFrame, horizon: int, estimator: str = DEFAULT_ESTIMATOR):
    """The risk of the log-return from a symbol's last close to each of the next `horizon`
    sessions (`sigma_ahead`, `risk_columns`).

    Returns:
        Columns horizon, sigma, var_0.01, es_0.01, var_0.05, es_0.05; None where
        `sigma_ahead` gives none.
    """
    sigma = sigma_ahead(table, horizon, estimator)
    if sigma is None:
        return None
    return pd.DataFrame({"horizon": np.arange(1, horizon + 1), **risk_columns(sigma)})


def band_of(sigma: np.ndarray) -> np.ndarray:
    """`[steps, 3]`: each deviation, and the central `BAND` interval's low and high
    log-returns of a normal with it."""
    high = Shape("normal").quantile((1 + BAND) / 2)
    return np.column_stack([sigma, -high * sigma, high * sigma])


def banded(yhat: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`(lo, hi)`: the `BAND` interval around each forecast price `yhat` whose log-return
    from the last close has deviation `sigma` (`band_of`)."""
    band = band_of(sigma)
    return yhat * np.exp(band[:, 1]), yhat * np.exp(band[:, 2])
