"""Walk-forward backtest: refit on past windows, forecast from every origin, never look ahead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from stockcaster.errors import StockcasterError, in_one_line
from stockcaster.evaluation.forecast_rows import (
    Paths,
    failure_table,
    forecast_rows,
    paths,
)
from stockcaster.features.split import training_rows
from stockcaster.models.base import ClosedForm, Forecaster, OneStepPath, QuantileForecaster
from stockcaster.settings import check_count, check_share

Window = Literal["expanding", "sliding"]
WINDOWS: tuple[str, ...] = ("expanding", "sliding")


@dataclass(frozen=True)
class BacktestConfig:
    """Where forecasts start and how often models are refitted.

    Attributes:
        horizon: forecast steps from each origin (h >= 1); every step 1..h is scored.
        step: trading days between origins.
        retrain_every: origins between refits; 0 fits once, on the first window only.
        window: "expanding" (all history up to the origin) or "sliding" (the last
            `train_size` closes, as many as the first training window).
        test_fraction: share of the series, from its end, that is forecast; the first
            origin is the last day before it, as in `stockcaster run`.
    """

    horizon: int = 1
    step: int = 1
    retrain_every: int = 21
    window: Window = "expanding"
    test_fraction: float = 0.25


@dataclass(frozen=True)
class BacktestResult:
    """Every forecast made, and every window on which a model failed."""

    forecasts: pd.DataFrame  # C.FORECAST_COLUMNS
    failures: pd.DataFrame  # model, origin, stage ("fit" or "predict"), error
    train_size: int  # closes in the first training window


def check_sliding(window: str, retrain_every: int) -> None:
    """Refuse a sliding window that never slides: with one fit (`retrain_every` 0) it trains
    on the days an expanding one does, and the option would change nothing.

    Raises:
        StockcasterError: naming both options.
    """
    if window == "sliding" and retrain_every == 0:
        raise StockcasterError(
            "--window sliding: expected --retrain-every of 1 or more (the window moves at "
            "each refit), received --retrain-every 0 (one fit, on the days --window "
            "expanding trains on)"
        )


def first_origin(config: BacktestConfig, n_rows: int) -> int:
    """The row of the first origin: the last day before the test period."""
    return training_rows(n_rows, config.test_fraction) - 1


def origin_count(config: BacktestConfig, n_rows: int) -> int:
    """How many origins a backtest of `n_rows` closes forecasts from."""
    return len(range(first_origin(config, n_rows), n_rows - 1, config.step))


def check_backtest(config: BacktestConfig, n_rows: int, where: str, min_train: int = 30) -> int:
    """Validate `config` against a series of `n_rows`; return the first origin's row.

    Raises:
        StockcasterError: a horizon, step or window that does not fit the data.
    """
    if config.window not in WINDOWS:
        raise StockcasterError(
            f"--window: expected one of {', '.join(WINDOWS)}, received {config.window!r}"
        )
    for name, least in (("horizon", 1), ("step", 1), ("retrain_every", 0)):
        check_count(getattr(config, name), f"--{name.replace('_', '-')}", least)  # 2.5 too
    check_share(config.test_fraction, "test_fraction")
    check_sliding(config.window, config.retrain_every)
    first = first_origin(config, n_rows)
    test_days = n_rows - 1 - first
    if first + 1 < min_train:
        raise StockcasterError(
            f"{where}: expected at least {min_train} closes before the test period, received "
            f"{first + 1} of {n_rows}"
        )
    if config.horizon > test_days:
        raise StockcasterError(
            f"--horizon: expected at most the {test_days} test days of {where}, "
            f"received {config.horizon}"
        )
    return first


def walk_forward(
    series: pd.Series,
    symbol: str,
    make_forecaster: Callable[[], Forecaster],
    config: BacktestConfig,
    advance: Callable[[], None] | None = None,
    first: int | None = None,
) -> BacktestResult:
    """Forecast `series` from every origin of the test period with one model.

    At each origin the model is given only the closes up to and including that origin;
    when it is refitted, the training window also ends at that origin. A model that fails
    on one window is recorded in `failures` and skipped until its next successful fit.
    A `ClosedForm` model forecasts from every origin at once, and a `OneStepPath` one
    fitted once gives every one-step forecast in one pass: the same forecasts as the loop.

    Args:
        series: closes indexed by date, oldest first.
        symbol: the symbol, for the forecast table.
        make_forecaster: builds the (unfitted) model.
        config: origins, horizon, refits and window.
        advance: called once per origin done, for a progress display.
        first: the row of the first origin, when the test period is set by a date
            common to many symbols rather than by `config.test_fraction`.
    """
    if first is None:
        first = check_backtest(config, len(series), symbol)
    name, made, failures = walk_paths(series, make_forecaster, config, first, advance)
    return BacktestResult(
        forecasts=forecast_rows(series, symbol, name, *made),
        failures=failure_table(failures),
        train_size=first + 1,
    )


def walk_paths(
    series: pd.Series,
    make_forecaster: Callable[[], Forecaster],
    config: BacktestConfig,
    first: int,
    advance: Callable[[], None] | None = None,
) -> tuple[str, Paths, list[tuple]]:
    """`walk_forward`'s forecasts as arrays: the model's name, its `Paths`, its failures."""
    forecaster = make_forecaster()
    origins = np.arange(first, len(series) - 1, config.step)  # [origins] rows
    failures: list[tuple] = []
    if isinstance(forecaster, ClosedForm):
        made = _closed_form_pass(forecaster, series, origins, config.horizon, failures)
    elif _one_pass(forecaster, config):
        made = _one_step_pass(forecaster, series, first, failures)
    else:
        made = _origin_loop(forecaster, series, origins, config, failures, advance)
        advance = None  # the loop reported each origin as it went
    for _ in origins if advance is not None else ():
        advance()
    return forecaster.name, made, failures


def _origin_loop(forecaster, series, origins, config, failures, advance) -> Paths:
    """Refit on schedule and forecast from each origin in turn."""
    done, made, ready = [], [], False
    dates = series.index
    for i, origin in enumerate(origins):
        history = series.iloc[: origin + 1]  # nothing after the origin, by construction
        if i == 0 or (config.retrain_every and i % config.retrain_every == 0):
            window = history if config.window == "expanding" else history.iloc[-(origins[0] + 1) :]
            ready = _attempt(failures, forecaster, dates[origin], "fit", forecaster.fit, window)
        if ready:
            made_now = _attempt(failures, forecaster, dates[origin], "predict", _forecast,
                                forecaster, history, config.horizon)  # fmt: skip
            if made_now is not None:
                done.append(origin)
                made.append(made_now)
        if advance is not None:
            advance()
    if not made:
        return paths([], np.empty((0, config.horizon)))
    return paths(done, *(np.stack(part) for part in zip(*made, strict=True)))


def _closed_form_pass(forecaster, series, origins, horizon: int, failures: list) -> Paths:
    """Every origin's forecasts at once: a closed form reads the closes, refits change nothing."""
    nothing = paths([], np.empty((0, horizon)))
    if not len(origins):
        return nothing
    first = series.iloc[: origins[0] + 1]
    if not _attempt(failures, forecaster, first.index[-1], "fit", forecaster.fit, first):
        return nothing
    yhat = forecaster.forecast_paths(series.to_numpy(dtype="float64"), origins, horizon)
    finite = np.isfinite(yhat).all(axis=1)
    for origin in origins[~finite]:
        error = "ValueError: expected finite forecasts, received NaN or inf"
        failures.append((forecaster.name, series.index[origin], "predict", error))
    return paths(origins[finite], yhat[finite])


def _attempt(failures: list, forecaster, origin, stage: str, call, *args):
    """Run one fit or forecast; a model's failure is a result, recorded, not a crash.

    Returns:
        The call's result (True for a fit), or None when it failed.
    """
    try:
        result = call(*args)
    except Exception as err:
        failures.append((forecaster.name, origin, stage, in_one_line(err)))
        return None
    return True if result is None else result


def _forecast(forecaster: Forecaster, history: pd.Series, horizon: int):
    """The point forecasts and the interval ends from one origin, checked."""
    yhat = np.asarray(forecaster.predict(history, horizon), dtype="float64")
    if yhat.shape != (horizon,) or not np.isfinite(yhat).all():
        raise ValueError(f"expected {horizon} finite forecasts, received {yhat}")
    lo, hi = _interval(forecaster, history, horizon)
    return yhat, lo, hi


def _one_pass(forecaster: Forecaster, config: BacktestConfig) -> bool:
    """Whether one fit and one filtering pass give every origin's forecast (h=1, no refit)."""
    single_fit = config.retrain_every == 0 and config.horizon == 1 and config.step == 1
    return single_fit and isinstance(forecaster, OneStepPath)


def _one_step_pass(forecaster, series: pd.Series, first: int, failures: list) -> Paths:
    """The h=1, fit-once walk-forward in one pass: same forecasts as the origin loop."""
    try:
        forecaster.fit(series.iloc[: first + 1])  # the training window ends at the origin
        yhat = forecaster.one_step_path(series, first)
        if not np.isfinite(yhat).all():
            raise ValueError("expected finite forecasts, received NaN or inf")
    except Exception as err:  # a model's failure is a result, not a crash
        failures.append((forecaster.name, series.index[first], "fit", in_one_line(err)))
        return paths([], np.empty((0, 1)))
    return paths(np.arange(first, len(series) - 1), yhat)


def _interval(
    forecaster: Forecaster, history: pd.Series, horizon: int
) -> tuple[np.ndarray, np.ndarray]:
    """The outermost quantile forecasts of a model that has them, else NaN."""
    if not isinstance(forecaster, QuantileForecaster) or not forecaster.quantiles:
        return np.full(horizon, np.nan), np.full(horizon, np.nan)
    quantiles = forecaster.predict_quantiles(history, horizon)  # [horizon, quantiles]
    return quantiles[:, 0], quantiles[:, -1]
