"""`stockcaster backtest`: every model walked forward over the test period, beside naive.

The steps: load and validate the prices (data/), check the models and the backtest's
fit to the data, walk each model forward (evaluation/backtest.py), score it against naive
with significance, lag and trading figures (evaluation/leaderboard.py), and write the run
folder (reporting/).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.data.quality import price_notes
from stockcaster.evaluation.backtest import (
    BacktestConfig,
    BacktestResult,
    check_backtest,
    first_origin,
    origin_count,
    walk_forward,
)
from stockcaster.evaluation.forecast_rows import check_some_forecast
from stockcaster.evaluation.leaderboard import benchmark, leaderboard
from stockcaster.evaluation.trading import check_cost
from stockcaster.jobs.backtest_features import (
    board_rows,
    check_feature_sets,
    feature_history,
    feature_set_forecasts,
    on_windows,
)
from stockcaster.jobs.envelope import (
    Prices,
    Source,
    check_output,
    job,
    output_folder,
    read_source,
    reproducibility,
)
from stockcaster.models.options import check_settings_run
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import (
    Capability,
    ModelOptions,
    check_models,
    forecaster_factory,
    installed_models,
    min_history,
    models_with,
)
from stockcaster.provenance import fingerprint
from stockcaster.reporting.backtest_figures import (
    equity_curves,
    equity_figure,
    error_figure,
    forecasts_figure,
)
from stockcaster.settings import check_count
from stockcaster.store import files

Progress = Callable[[str, int], Callable[[], None]]
"""Given a model's name and its number of origins, the function to call after each one."""


@dataclass(frozen=True)
class BacktestPlan:
    """What a backtest runs: models, walk-forward settings, costs.

    Attributes:
        models: model names from the registry; empty for every installed model.
        walk: horizon, step, refits and window.
        cost_bps: trading cost per unit of position change, in basis points.
        ma_window: closes averaged by the moving-average baseline.
        features: feature sets the model families also run on (`returns` is the
            preset's own windows; the others: `backtest_features.py`).
        settings: the models' own settings (`--set`, `registry.model_settings`).
    """

    models: tuple[str, ...] = ()
    walk: BacktestConfig = field(default_factory=BacktestConfig)
    cost_bps: float = 5.0
    ma_window: int = 5
    features: tuple[str, ...] = ("returns",)
    settings: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class BacktestRun:
    """What a backtest leaves: its folder, leaderboard, forecasts and failures."""

    folder: Path
    leaderboard: pd.DataFrame
    forecasts: pd.DataFrame
    failures: pd.DataFrame
    buy_and_hold: dict
    summary: dict  # leaderboard.json's contents


@job
def backtest(
    preset: RunConfig,
    plan: BacktestPlan | None = None,
    source: Source | None = None,
    *,
    out: str | Path = "runs",
    progress: Progress | None = None,
) -> BacktestRun:
    """Walk every model forward over one symbol's test period and score it against naive.

    Args:
        preset: the LSTM's config (features, network, training).
        plan: models, walk-forward settings and costs.
        source: the prices; the embedded MSFT history by default.
        out: parent folder of the run folder.
        progress: for a progress bar (see `Progress`).

    Raises:
        StockcasterError: bad input, before anything is fitted or written.
    """
    plan = plan or BacktestPlan()
    models = list(check_models(plan.models)) or installed_models()
    prices = read_source(source or Source())
    options = ModelOptions(preset=preset, ma_window=plan.ma_window, settings=plan.settings)
    check_settings_run(plan.settings, models)
    _check(plan, models, options, prices)
    check_output(out)
    series = prices.series
    total = origin_count(plan.walk, len(series))
    results = [
        walk_forward(
            series,
            prices.symbol,
            forecaster_factory(name, options),
            plan.walk,
            progress(name, total) if progress else None,
        )
        for name in models
        if on_windows(name, plan.features)
    ]
    extra = feature_set_forecasts(prices, plan.features, models, options, plan.walk)
    return _score_and_write(preset, plan, models, prices, results, out, extra)


def _check(plan: BacktestPlan, models: list[str], options: ModelOptions, prices: Prices) -> None:
    check_cost(plan.cost_bps)
    check_count(plan.ma_window, "--ma-window")
    check_feature_sets(plan.features, models, plan.walk)
    need = max(min_history(models, options), feature_history(plan.features, options))
    check_backtest(plan.walk, len(prices.table), prices.where, need)


def _score_and_write(
    preset: RunConfig,
    plan: BacktestPlan,
    models: list[str],
    prices: Prices,
    results: list[BacktestResult],
    out: str | Path,
    extra: list[pd.DataFrame],
) -> BacktestRun:
    """Score the forecasts against naive and write the backtest's folder."""
    series = prices.series
    forecasts = _concat([r.forecasts for r in results] + extra)
    failures = (
        _concat([r.failures for r in results])
        if results
        else pd.DataFrame(columns=list(C.FAILURE_COLUMNS))
    )
    first_errors = failures.groupby(C.MODEL, sort=False)[C.ERROR].first().to_dict()
    check_some_forecast(len(forecasts), first_errors, prices.where)
    train_size = first_origin(plan.walk, len(series)) + 1
    quantile_models = models_with(Capability.QUANTILES)
    levels = {m: preset.model.quantiles for m in models if m in quantile_models}
    levels = levels if preset.model.quantiles else {}
    board = leaderboard(forecasts, series, train_size, plan.cost_bps, levels, plan.walk.step)
    board = _with_models_that_failed(board, board_rows(models, plan.features), failures)
    hold = benchmark(forecasts, series, plan.cost_bps, plan.walk.step)
    summary = {
        "symbol": prices.symbol,
        "source": prices.source,
        "preset": preset.name,
        "backtest": asdict(plan.walk),
        "cost_bps": plan.cost_bps,
        "ma_window": plan.ma_window,
        "features": list(plan.features),
        "train_size": train_size,
        "test_period": {
            "start": f"{series.index[train_size]:%Y-%m-%d}",
            "end": f"{series.index[-1]:%Y-%m-%d}",
            "days": len(series) - train_size,
        },
        "buy_and_hold": hold,
        "notes": price_notes(prices.table),  # days that moved as a split would, long gaps
        "data": fingerprint(series),
        "reproducibility": reproducibility(preset.training.seed),
        "leaderboard": files.records(board),
        "failures": files.records(failures),
    }
    with output_folder(out, prices.symbol, "backtest") as folder:
        path = folder.path
        board.to_csv(path / files.LEADERBOARD_CSV, index=False)
        files.write_json(path / files.LEADERBOARD_JSON, summary)
        files.write_csv(forecasts, path / files.FORECASTS_FILE, date_format="%Y-%m-%d")
        forecasts_figure(forecasts, path / files.FORECASTS_FIGURE)
        error_figure(forecasts, path / files.ERRORS_FIGURE)
        curves = equity_curves(forecasts, series, plan.cost_bps, plan.walk.step)
        files.write_csv(curves, path / files.EQUITY_FILE, date_format="%Y-%m-%d")
        equity_figure(curves, plan.cost_bps, path / files.EQUITY_FIGURE)
    return BacktestRun(folder.final, board, forecasts, failures, hold, files.strict(summary))


def _with_models_that_failed(
    board: pd.DataFrame, rows: list[str], failures: pd.DataFrame
) -> pd.DataFrame:
    """Add each model's first error; list the `rows` without any forecast too."""
    first_error = failures.groupby(C.MODEL)[C.ERROR].first() if len(failures) else pd.Series()
    missing = [m for m in rows if m not in set(board[C.MODEL])]
    board = pd.concat([board, pd.DataFrame({C.MODEL: missing, "n": 0})], ignore_index=True)
    board[C.ERROR] = board[C.MODEL].map(first_error)
    board[C.HORIZON] = board[C.HORIZON].astype("Int64")
    return board


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    kept = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(kept, ignore_index=True)
