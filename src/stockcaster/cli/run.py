"""`stockcaster run` and `stockcaster backtest`: one symbol, one model or many."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli.groups import Reported, SymbolData, Tracked, grouped
from stockcaster.cli.options import (
    FEATURE_HELP,
    AnyModel,
    ConfigOption,
    EpochsOption,
    MaWindowOption,
    ModelsOption,
    OutOption,
    PresetOption,
    SetOption,
    Window,
    value,
)
from stockcaster.cli.output import console, print_json, task_progress
from stockcaster.evaluation.backtest import BacktestConfig
from stockcaster.jobs import requests
from stockcaster.jobs.backtest import BacktestPlan
from stockcaster.jobs.backtest import backtest as backtest_job
from stockcaster.jobs.choices import feature_sets, model_settings, parse_models
from stockcaster.jobs.run import run as run_job
from stockcaster.reporting.tables import leaderboard_table, run_summary
from stockcaster.settings import choose_backend, native_log_filtered


@dataclass
class RunModel:
    """The model a run trains: the preset's network, or another registered model."""

    preset: PresetOption = "default"
    model: Annotated[
        AnyModel | None,
        typer.Option("--model", help="Run this model instead of the preset's network: fitted "
                     "once on the training part, walked over the test period."),
    ] = None  # fmt: skip
    settings: SetOption = None
    epochs: EpochsOption = None


@grouped
def run(
    *,
    data: SymbolData,
    model: RunModel,
    out: OutOption = Path("runs"),
    shown: Reported,
    tracking: Tracked,
    config: ConfigOption = None,
) -> None:
    """Train a model on one symbol and compare its test forecasts with the naive forecast."""
    choose_backend(None)
    tracked = tracking.check(out)
    with native_log_filtered():
        result = run_job(requests.preset(model.preset, model.epochs), data.source(), out=out,
                         model=value(model.model), settings=model_settings(model.settings),
                         verbose=shown.progress)  # fmt: skip
    page = shown.page(result.folder)
    where = tracking.log(tracked, result.folder, result.metrics, shown.json_output)
    if shown.json_output:
        print_json({**result.metrics, "folder": str(result.folder), "report": page,
                    "tracked": where})  # fmt: skip
    else:
        run_summary(console, result.metrics, str(result.folder))


@dataclass
class Walk:
    """The walk forward: how far ahead, how often refitted, on which window."""

    horizon: Annotated[int, typer.Option("--horizon", help="Steps ahead from each origin.")] = 1
    retrain_every: Annotated[
        int, typer.Option("--retrain-every", help="Origins between refits; 0 fits once.")
    ] = 21
    window: Annotated[Window, typer.Option("--window", help="Training window.")] = "expanding"
    step: Annotated[int, typer.Option("--step", help="Trading days between origins.")] = 1

    def config(self) -> BacktestConfig:
        window = value(self.window)
        return BacktestConfig(self.horizon, self.step, self.retrain_every, window)


@dataclass
class Models:
    """The models a backtest walks, their settings, features and costs."""

    models: ModelsOption = None
    settings: SetOption = None
    cost_bps: Annotated[
        float, typer.Option("--cost-bps", help="Trading cost per position change, basis points.")
    ] = 5.0
    ma_window: MaWindowOption = 5
    features: Annotated[
        str,
        typer.Option("--features", help="Model families, comma-separated sets: returns is the "
                     f"preset's windows; the others forecast one step, every day. {FEATURE_HELP}."),
    ] = "returns"  # fmt: skip
    preset: PresetOption = "default"
    epochs: EpochsOption = None

    def plan(self, walk: BacktestConfig) -> BacktestPlan:
        return BacktestPlan(tuple(parse_models(self.models)), walk, self.cost_bps,
                            self.ma_window, feature_sets(self.features),
                            model_settings(self.settings))  # fmt: skip


@grouped
def backtest(
    *,
    data: SymbolData,
    models: Models,
    walk: Walk,
    out: OutOption = Path("runs"),
    shown: Reported,
    tracking: Tracked,
    config: ConfigOption = None,
) -> None:
    """Walk every model forward over the test period and rank it against naive."""
    choose_backend(None)
    tracked = tracking.check(out)
    plan = models.plan(walk.config())
    lstm = requests.preset(models.preset, models.epochs)
    with native_log_filtered(), task_progress(shown.progress) as bar:
        result = backtest_job(lstm, plan, data.source(), out=out, progress=bar)
    page = shown.page(result.folder)
    where = tracking.log(tracked, result.folder, result.summary, shown.json_output)
    if shown.json_output:
        print_json({**result.summary, "folder": str(result.folder), "report": page,
                    "tracked": where})  # fmt: skip
        return
    symbol = result.forecasts["symbol"].iloc[0] if len(result.forecasts) else data.symbol
    title = (f"{escape(str(symbol))} · walk-forward backtest, {value(walk.window)} window, "
             f"refit every {walk.retrain_every}")  # fmt: skip
    leaderboard_table(console, result.leaderboard, result.buy_and_hold, title)
    console.print(f"outputs: {escape(str(result.folder))}")
