"""`stockcaster backtest --features`: the families on other feature sets, for one symbol.

A family on a feature set other than `returns` reads the symbol's whole price table
(open, high, low, volume), so it is walked forward as the universe walks a global model,
on a panel of one symbol (`universe_panel.py`): fitted at the first origin and again every
`--retrain-every` origins (a network continuing from its weights), each fit forecasting
the days up to the next one, one step ahead. Its forecasts join the backtest's table
under `family:set`, scored against naive with everything else.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.backtest import BacktestConfig, first_origin
from stockcaster.evaluation.forecast_rows import one_step_table
from stockcaster.features.feature_sets import FEATURE_SETS, feature_set_spec
from stockcaster.features.pipeline import min_fit_rows
from stockcaster.jobs.envelope import Prices
from stockcaster.jobs.universe_panel import (
    DEFAULT_FEATURES,
    Schedule,
    fit_and_forecast,
    pair_name,
    retrain_cutoffs,
)
from stockcaster.models.presets import RunConfig, load_preset
from stockcaster.models.registry import MODELS, ModelOptions
from stockcaster.settings import check_names


def check_feature_sets(features: tuple[str, ...], models: list[str], walk: BacktestConfig) -> None:
    """Refuse, before anything is fitted, a set this backtest cannot run.

    Raises:
        StockcasterError: an unknown or universe-only set, or a set other than `returns`
            with a horizon or step above 1 (they forecast one step, every day).
    """
    check_names(features, "--features", FEATURE_SETS)  # a Python caller's string, too
    for name in features:
        if feature_set_spec(name).universe_only:
            raise StockcasterError(
                f"--features: expected sets that one symbol has, received {name!r}, which "
                "needs a universe (stockcaster universe --features market)"
            )
    others = [f for f in features if f != DEFAULT_FEATURES]
    if others and (walk.horizon > 1 or walk.step > 1):
        raise StockcasterError(
            f"--features {','.join(others)}: expected --horizon 1 and --step 1 (these forecast "
            f"one step, every day), received --horizon {walk.horizon} --step {walk.step}"
        )
    if others and not any(MODELS[m].make_panel for m in models):
        raise StockcasterError(
            f"--features {','.join(others)}: expected a model family among --models, received "
            f"only {', '.join(models)}"
        )


def feature_set_forecasts(
    prices: Prices, features: tuple[str, ...], models: list[str], options: ModelOptions,
    walk: BacktestConfig,
) -> list[pd.DataFrame]:  # fmt: skip
    """Forecast tables of every family in `models` on every set in `features` but `returns`."""
    series, table = prices.series, prices.table
    first = first_origin(walk, len(series))
    days = series.index.to_numpy(dtype="datetime64[ns]")
    when = Schedule(
        table.reset_index(drop=True),
        days,
        retrain_cutoffs(days, days[first], walk.retrain_every),
        walk.window == "sliding",
    )
    config = _panel_of_one(options.preset)
    out = []
    for model in (m for m in models if MODELS[m].make_panel):
        for name in (f for f in features if f != DEFAULT_FEATURES):
            inputs = dataclasses.replace(config.features, inputs=name)
            settings = dataclasses.replace(config, features=inputs)
            forecaster = MODELS[model].make_panel(
                dataclasses.replace(options, global_model=settings)
            )
            parts = [fit_and_forecast(forecaster, when, j)[0] for j in range(len(when.cutoffs))]
            found = pd.concat(parts).set_index(C.DATE)[C.YHAT]
            yhat = found.reindex(pd.DatetimeIndex(days[first + 1 :])).to_numpy(dtype="float64")
            forecasts = one_step_table(series, prices.symbol, pair_name(model, name), first, yhat)
            out.append(forecasts[np.isfinite(yhat)].reset_index(drop=True))
    return out


def board_rows(models: list[str], features: tuple[str, ...]) -> list[str]:
    """The rows a backtest's leaderboard holds: each model on the preset's windows (a family
    only where `returns` is among the sets), then each family on every other set."""
    rows = [m for m in models if on_windows(m, features)]
    others = [f for f in features if f != DEFAULT_FEATURES]
    return rows + [pair_name(m, f) for m in models if MODELS[m].make_panel for f in others]


def on_windows(model: str, features: tuple[str, ...]) -> bool:
    """Whether `model` is walked on the preset's windows of one column (`walk_forward`)."""
    return DEFAULT_FEATURES in features or MODELS[model].make_panel is None


def feature_history(features: tuple[str, ...], options: ModelOptions) -> int:
    """Closes before the test period that the feature sets need: warm-up and three windows."""
    sets = [FEATURE_SETS[f] for f in features if f != DEFAULT_FEATURES]
    return max([0, *(s.warmup + min_fit_rows(options.preset.features) for s in sets)])


def _panel_of_one(preset: RunConfig) -> RunConfig:
    """The global model a feature set trains on one symbol: the `universe` preset's
    features and refits, with `preset`'s lookback, network and training, every window an
    epoch."""
    universe = load_preset("universe")
    training = dataclasses.replace(
        preset.training, windows_per_epoch=None, warm_epochs=universe.training.warm_epochs
    )
    features = dataclasses.replace(universe.features, lookback=preset.features.lookback)
    return dataclasses.replace(
        universe, features=features, model=preset.model, training=training,
        tabular=universe.tabular,
    )  # fmt: skip
