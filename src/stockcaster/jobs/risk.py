"""`stockcaster backtest --target variance`: tomorrow's risk, walked forward and scored.

The steps: load and validate the prices (data/), measure each day's variance with the
preset's range estimator (features/volatility.py; close-to-close for a file of closes
only, and the run says so), walk every volatility model forward over the test period,
refitted every `--retrain-every` origins on the days before (models/variance.py: the
baselines, and any family on log variance), score the forecasts of the mean variance of
the next 1 and h days, backtest the one-day VaR and ES of every model and shape
(evaluation/risk_board.py), and write the run folder (reporting/).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster.data.quality import price_notes
from stockcaster.errors import StockcasterError, failing_fit
from stockcaster.evaluation.backtest import check_backtest
from stockcaster.evaluation.risk_board import risk_tables, variance_board
from stockcaster.features.volatility import daily_variance, log_returns, variance_ahead
from stockcaster.jobs.backtest import BacktestPlan, Progress
from stockcaster.jobs.envelope import (
    Prices,
    Source,
    check_output,
    job,
    output_folder,
    read_source,
    reproducibility,
)
from stockcaster.models.options import ModelOptions, check_settings_run
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import installed_models
from stockcaster.models.variance import (
    VOLATILITY_MODELS,
    FamilyWalk,
    variance_walk,
    walk_variance,
)
from stockcaster.models.volatility import (
    BASELINES,
    Shape,
    still_returns,
    training_residuals,
    value_at_risk,
)
from stockcaster.provenance import fingerprint
from stockcaster.reporting.risk_figures import risk_figure
from stockcaster.settings import check_names
from stockcaster.store import files

RESIDUALS_FROM = 100  # the first training day whose standardised return fits a VaR shape
HISTORY = 150  # days before the test period a GARCH fit and the VaR shapes are given
MEASURED = 30  # test days with a variance measured, at least, to score forecasts against


@dataclass(frozen=True)
class RiskRun:
    """What a variance backtest leaves: its folder, tables and forecasts."""

    folder: Path
    leaderboard: pd.DataFrame  # a row per model and horizon (`variance_board`)
    var: pd.DataFrame  # a row per model, shape and level (`var_rows`)
    distribution: pd.DataFrame  # a row per model and shape (`distribution_row`)
    forecasts: pd.DataFrame
    summary: dict  # leaderboard.json's contents


def default_models() -> list[str]:
    """Every baseline, then the installed families `backtest` runs by default (lstm)."""
    return [*BASELINES, *(m for m in installed_models() if m in VOLATILITY_MODELS)]


@job
def risk_backtest(
    preset: RunConfig,
    plan: BacktestPlan | None = None,
    source: Source | None = None,
    *,
    out: str | Path = "runs",
    progress: Progress | None = None,
) -> RiskRun:
    """Walk every volatility model forward over one symbol's test period and score it.

    Args:
        preset: the families' features (lookback, scaler, estimator), network and training.
        plan: models (baselines and families by name), horizon and refits.
        source: the prices; the embedded MSFT history by default.

    Raises:
        StockcasterError: bad input, before anything is fitted or written.
    """
    plan = plan or BacktestPlan()
    prices = read_source(source or Source())
    names = check_names(plan.models, "--models", VOLATILITY_MODELS) or default_models()
    options = ModelOptions(preset=preset, settings=plan.settings)
    check_settings_run(plan.settings, names)
    walks = {name: variance_walk(name, options) for name in names}
    first = _check(plan, walks, prices)
    check_output(out)
    table = prices.table
    v, estimator = daily_variance(table, preset.features.estimator)
    check_measured(table, v, first, prices.where, estimator)
    r = log_returns(table)
    still = still_training_days(r, first)
    if still:
        raise StockcasterError(f"{prices.where}: {still}")
    origins = np.arange(first, len(table) - 1)
    horizons = tuple(sorted({1, plan.walk.horizon}))
    forecasts, residuals = _walk(walks, v, r, origins, horizons, plan, progress)
    board = _board(forecasts, v, origins, horizons)
    one_day = {m: f[:, 0] for m, f in forecasts.items()}
    var, distribution = risk_tables(one_day, r[origins + 1], residuals)
    rows = _forecast_rows(table, origins, horizons, forecasts, v, r, residuals)
    notes = _notes(preset.features.estimator, estimator) + price_notes(table)
    summary = {
        "symbol": prices.symbol, "source": prices.source, "preset": preset.name,
        "target": "variance", "estimator": estimator, "notes": notes,
        "backtest": asdict(plan.walk), "train_size": int(first + 1),
        "test_period": {"start": f"{table['date'].iloc[first + 1]:%Y-%m-%d}",
                        "end": f"{table['date'].iloc[-1]:%Y-%m-%d}", "days": len(origins)},
        "data": fingerprint(prices.series), "reproducibility": reproducibility(
            preset.training.seed), "leaderboard": files.records(board),
        "var": files.records(var), "distribution": files.records(distribution),
    }  # fmt: skip
    with output_folder(out, prices.symbol, "risk") as folder:
        path = folder.path
        board.to_csv(path / files.LEADERBOARD_CSV, index=False)
        var.to_csv(path / files.VAR_CSV, index=False)
        distribution.to_csv(path / files.DISTRIBUTION_CSV, index=False)
        files.write_json(path / files.LEADERBOARD_JSON, summary)
        files.write_csv(rows, path / files.FORECASTS_FILE, date_format="%Y-%m-%d")
        risk_figure(rows, board, var, prices.symbol, path / files.RISK_FIGURE)
    return RiskRun(folder.final, board, var, distribution, rows, files.strict(summary))


def _walk(walks: dict, v, r, origins, horizons, plan: BacktestPlan, progress) -> tuple:
    """Each model's forecasts `[origins, horizons]` and training residuals (asked for
    first: a family's first fit serves both)."""
    forecasts, residuals = {}, {}
    for name, walk in walks.items():
        advance = progress(name, 1) if progress else None
        with failing_fit(f"--models: expected {name} to fit the log variance", "its walk"):
            residuals[name] = training_residuals(walk, v, r, int(origins[0]), RESIDUALS_FROM)
            forecasts[name] = walk_variance(walk, v, r, origins, horizons, plan.walk.retrain_every)
        if advance:
            advance()
    return forecasts, residuals


def _board(forecasts: dict, v: np.ndarray, origins: np.ndarray, horizons: tuple) -> pd.DataFrame:
    """The leaderboard: each horizon's scores, from the origins whose days ahead are known."""
    rows = []
    for column, h in enumerate(horizons):
        scored = origins[: len(origins) - h + 1]
        mine = {m: f[: len(scored), column] for m, f in forecasts.items()}
        rows += variance_board(mine, variance_ahead(v, scored, h), h)
    return pd.DataFrame(rows).sort_values(["horizon", "qlike"], kind="stable", ignore_index=True)


def still_training_days(r: np.ndarray, first: int) -> str | None:
    """Why no Student-t VaR fits the days a model's training residuals cover (the returns
    after `RESIDUALS_FROM` through the last training origin `first`, as
    `training_residuals` takes them): most of their closes unchanged (`still_returns`)."""
    return still_returns(r[RESIDUALS_FROM + 1 : first + 1])


def check_measured(table, v: np.ndarray, first: int, where: str, estimator: str) -> None:
    """Refuse a test period with too few days whose variance `estimator` measured (above 0)
    to score a forecast on (`v`: its measures of `table`'s days); say so when the closes
    alone would measure enough (a file whose open, high and low equal its close).

    Raises:
        StockcasterError: fewer than `MEASURED` such days after row `first`, naming `where`.
    """
    measured = int(np.isfinite(v[first + 1 :]).sum())
    if measured < MEASURED:
        closes = np.isfinite(daily_variance(table, "close_to_close")[0][first + 1 :]).sum()
        other = "" if estimator == "close_to_close" or closes < MEASURED else (
            "; --estimator close_to_close measures it from the closes alone")  # fmt: skip
        raise StockcasterError(
            f"{where}: expected at least {MEASURED} test days whose variance {estimator} "
            f"measures above 0 (a day's variance to score forecasts against), received "
            f"{measured}{other}"
        )


def _check(plan: BacktestPlan, walks: dict, prices: Prices) -> int:
    """The first origin's row, once the walk and the data suit a variance backtest."""
    walk = plan.walk
    if walk.window != "expanding" or walk.step != 1:
        raise StockcasterError(
            f"--window/--step: expected an expanding window and step 1 for the variance "
            f"target, received window {walk.window!r} and step {walk.step}"
        )
    families = [w.history() for w in walks.values() if isinstance(w, FamilyWalk)]
    need = max([HISTORY, *(RESIDUALS_FROM + h for h in families)])
    return check_backtest(walk, len(prices.table), prices.where, need)


def _forecast_rows(table, origins, horizons, forecasts, v, r, residuals) -> pd.DataFrame:
    """A row per model, origin and horizon: the forecast and the realised mean variance;
    for one day ahead also the return, the 1% VaR and ES (Student-t shape), and the PIT:
    the forecast probability of a return at or below the one that came."""
    frames = []
    dates = table["date"].to_numpy()
    for column, h in enumerate(horizons):
        scored = origins[: len(origins) - h + 1]
        realised = variance_ahead(v, scored, h)
        for model, f in forecasts.items():
            frame = pd.DataFrame({"model": model, "origin": dates[scored], "horizon": h,
                                  "variance": f[: len(scored), column],
                                  "realised": realised})  # fmt: skip
            if h == 1:
                shape = Shape.fit("t", residuals[model])
                var, es = value_at_risk(frame["variance"], 0.01, shape)
                frame["return"], frame["var_0.01"], frame["es_0.01"] = r[scored + 1], var, es
                frame["pit"] = shape.cdf(frame["return"] / np.sqrt(frame["variance"]))
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _notes(asked: str, used: str) -> list[str]:
    if asked == used:
        return []
    return [f"the file has no open/high/low: the {asked} estimator fell back to {used}"]
