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
    CovariatesOption,
    EpochsOption,
    EstimatorOption,
    MaWindowOption,
    ModelsOption,
    OutOption,
    PresetOption,
    SeriesTarget,
    SetOption,
    Window,
    options_of,
    refuse_unread,
    value,
)
from stockcaster.cli.output import console, print_json, task_progress
from stockcaster.cli.risk import PRICE_ONLY
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.backtest import BacktestConfig
from stockcaster.jobs import requests
from stockcaster.jobs.backtest import BacktestPlan
from stockcaster.jobs.backtest import backtest as backtest_job
from stockcaster.jobs.choices import (
    DEFAULT_MODEL,
    VOLATILITY_BASELINES,
    check_epochs_read,
    feature_sets,
    model_settings,
    parse_models,
    parse_variance_models,
    run_variance_models,
)
from stockcaster.jobs.risk import risk_backtest as risk_job
from stockcaster.jobs.run import run as run_job
from stockcaster.process import choose_backend, native_log_filtered
from stockcaster.reporting.lines import notes
from stockcaster.reporting.risk_tables import risk_table
from stockcaster.reporting.tables import leaderboard_table, run_summary


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
    target: Annotated[
        SeriesTarget | None,
        typer.Option("--target", help="What the model forecasts: close or log_return (the "
                     "preset's), or variance: tomorrow's risk, the model (default: the "
                     "preset's network) on log variance beside the random walk and EWMA, "
                     "fitted once.", show_default=False),
    ] = None  # fmt: skip


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
    config = requests.with_features(requests.preset(model.preset, model.epochs),
                                    target=value(model.target))  # fmt: skip
    if config.features.target == "variance":
        names = run_variance_models(value(model.model))
        check_epochs_read(model.epochs, names)
        plan = BacktestPlan(names, BacktestConfig(retrain_every=0),
                            settings=model_settings(model.settings))  # fmt: skip
        return _risk(config, plan, data, out, shown, tracking, tracked)
    check_epochs_read(model.epochs, [value(model.model) or DEFAULT_MODEL])
    with native_log_filtered():
        result = run_job(config, data.source(), out=out,
                         model=value(model.model), settings=model_settings(model.settings),
                         verbose=shown.progress)  # fmt: skip
    if not _recorded(result.folder, result.metrics, shown, tracking, tracked):
        run_summary(console, result.metrics, str(result.folder))


def _recorded(folder: Path, record: dict, shown: Reported, tracking: Tracked, tracked) -> bool:
    """Write the report (--report), log the run to the tracker (--track) and print `record`
    as JSON (--json); whether it printed the JSON (then no table follows)."""
    page = shown.page(folder)
    where = tracking.log(tracked, folder, record, shown.json_output)
    if shown.json_output:
        print_json({**record, "folder": str(folder), "report": page, "tracked": where})
    return shown.json_output


@dataclass
class Walk:
    """The walk forward: how far ahead, how often refitted, on which window."""

    horizon: Annotated[int, typer.Option("--horizon", help="Steps ahead from each origin.")] = 1
    retrain_every: Annotated[
        int, typer.Option("--retrain-every", help="Origins between refits; 0 fits once.")
    ] = 21
    window: Annotated[Window, typer.Option("--window", help="Training window.")] = "expanding"
    step: Annotated[
        int,
        typer.Option(
            "--step", help="Trading days between origins; a position is held until the next."
        ),
    ] = 1

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
    covariates: CovariatesOption = None
    preset: PresetOption = "default"
    epochs: EpochsOption = None
    target: Annotated[
        SeriesTarget | None,
        typer.Option("--target", help="What the models forecast: close or log_return (the "
                     "preset's), or variance: tomorrow's risk, with the volatility baselines "
                     f"({', '.join(VOLATILITY_BASELINES)}) and any family on log variance, VaR "
                     "and ES backtests.", show_default=False),
    ] = None  # fmt: skip
    estimator: EstimatorOption = None

    def variance(self) -> bool:
        return value(self.target) == "variance"

    def plan(self, walk: BacktestConfig) -> BacktestPlan:
        if self.variance():
            names = parse_variance_models(self.models)
            if self.features != "returns":
                raise StockcasterError(
                    f"--features: expected returns for --target variance (the families learn "
                    f"from past log variance), received {self.features!r}"
                )
            refuse_unread(options_of(self, "cost_bps", "ma_window", "covariates"), PRICE_ONLY)
        else:
            names = tuple(parse_models(self.models))
        if names:  # none given: the defaults, the preset's network among them
            check_epochs_read(self.epochs, names)
        return BacktestPlan(names, walk, self.cost_bps, self.ma_window,
                            feature_sets(self.features), model_settings(self.settings))  # fmt: skip

    def preset_config(self):
        """The preset with --epochs, --target and --estimator over it."""
        config = requests.preset(self.preset, self.epochs)
        given = {"target": value(self.target), "estimator": value(self.estimator)}
        return requests.with_features(config, **given)


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
    lstm = models.preset_config()
    if models.variance():
        _risk(lstm, plan, data, out, shown, tracking, tracked)
        return
    source = requests.with_covariates(data.source(), models.covariates, plan.features)
    with native_log_filtered(), task_progress(shown.progress) as bar:
        result = backtest_job(lstm, plan, source, out=out, progress=bar)
    if _recorded(result.folder, result.summary, shown, tracking, tracked):
        return
    symbol = result.forecasts["symbol"].iloc[0] if len(result.forecasts) else data.symbol
    title = (f"{escape(str(symbol))} · walk-forward backtest, {value(walk.window)} window, "
             f"refit every {walk.retrain_every}")  # fmt: skip
    leaderboard_table(console, result.leaderboard, result.buy_and_hold, title)
    notes(console, result.summary["notes"])
    console.print(f"outputs: {escape(str(result.folder))}")


def _risk(preset, plan, data, out, shown, tracking, tracked) -> None:
    """`backtest --target variance`: the volatility models' leaderboard and VaR backtests."""
    with native_log_filtered(), task_progress(shown.progress) as bar:
        result = risk_job(preset, plan, data.source(), out=out, progress=bar)
    if _recorded(result.folder, result.summary, shown, tracking, tracked):
        return
    summary = result.summary
    every = plan.walk.retrain_every
    refits = f"refit every {every}" if every else "fitted once"
    title = (f"{escape(summary['symbol'])} · tomorrow's variance ({summary['estimator']}), "
             f"walked forward, {refits}")  # fmt: skip
    risk_table(console, result.leaderboard, result.var, title)
    notes(console, summary["notes"])
    console.print(f"outputs: {escape(str(result.folder))}")
