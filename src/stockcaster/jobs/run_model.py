"""`stockcaster run --model NAME`: any registered model, fitted once on the training part
and walked over the test period one day at a time, beside the naive forecast.

The preset's network (no `--model`) keeps its own path in `run.py`, which also records
its training curves; every other model goes through the walk-forward every backtest
uses (`evaluation/backtest.py`), with one fit, so a run and a one-fit backtest of a model
give the same forecasts.
"""

from __future__ import annotations

import numpy as np

from stockcaster import columns as C
from stockcaster.errors import StockcasterError
from stockcaster.evaluation import forecast_table
from stockcaster.evaluation.backtest import BacktestConfig, check_backtest, walk_forward
from stockcaster.jobs.envelope import Prices
from stockcaster.models.registry import MODELS, ModelOptions, min_history


def one_fit_forecasts(name: str, options: ModelOptions, prices: Prices):
    """Model `name` fitted on the closes before the test period, then forecast one step
    ahead from each day of it; the run's forecast table (`C.RUN_FORECAST_COLUMNS`).

    Raises:
        StockcasterError: too little history for the model, or a failed fit or forecast.
    """
    series = prices.series
    walk = BacktestConfig(retrain_every=0, test_fraction=options.preset.features.test_fraction)
    first = check_backtest(walk, len(series), prices.where, min_history([name], options))
    spec = MODELS[name]
    result = walk_forward(series, prices.symbol, lambda: spec.make(options), walk, first=first)
    if len(result.failures):
        failure = result.failures.iloc[0]
        raise StockcasterError(
            f"--model {name}: expected a model that fits and forecasts {prices.where}, "
            f"received an error at {failure[C.STAGE]}: {failure[C.ERROR]}"
        )
    days = np.arange(first + 1, len(series))
    return forecast_table(prices.table, days, result.forecasts[C.YHAT].to_numpy())
