"""The `stockcaster` command: parse arguments, call a job, print its result.

Every command turns a `StockcasterError` into `error: <message>` on stderr and exit code 2,
with no traceback. The choices of every option come from the registries (options.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import typer.main
from rich.markup import escape

from stockcaster.cli import inputs
from stockcaster.cli.bundles import predict, train
from stockcaster.cli.config_file import example_config
from stockcaster.cli.inspect import inspect
from stockcaster.cli.options import (
    FEATURE_HELP,
    AnyModel,
    ColumnsOption,
    ConfigOption,
    DataOption,
    EpochsOption,
    FillOption,
    JsonOption,
    ModelsOption,
    OutOption,
    PresetOption,
    QuietOption,
    ReportOption,
    SetOption,
    SymbolOption,
    TrackingUriOption,
    TrackOption,
    Window,
    value,
)
from stockcaster.cli.output import (
    OneLineErrors,
    clean_errors,
    console,
    print_json,
    show_progress,
    task_progress,
)
from stockcaster.cli.tune import tune
from stockcaster.cli.universe import universe
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.backtest import BacktestConfig
from stockcaster.jobs import requests
from stockcaster.jobs.backtest import BacktestPlan
from stockcaster.jobs.backtest import backtest as backtest_job
from stockcaster.jobs.choices import REPORT_KINDS, feature_sets, model_settings, parse_models
from stockcaster.jobs.run import run as run_job
from stockcaster.reporting.tables import leaderboard_table, run_summary
from stockcaster.settings import choose_backend, native_log_filtered

app = typer.Typer(
    cls=OneLineErrors,
    help="Forecast daily stock prices with LSTM networks, beside honest baselines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help text is plain text: `stockcaster[prophet]` and `[run]` are shown, not read as markup.
    rich_markup_mode=None,
)


@app.command()
@clean_errors
def run(
    context: typer.Context,
    data: DataOption = None,
    symbol: SymbolOption = None,
    preset: PresetOption = "default",
    model: Annotated[
        AnyModel | None,
        typer.Option(
            "--model",
            help="Run this model instead of the preset's network: fitted "
            "once on the training part, walked over the test period.",
        ),
    ] = None,
    settings: SetOption = None,
    epochs: EpochsOption = None,
    out: OutOption = Path("runs"),
    quiet: QuietOption = False,
    columns: ColumnsOption = None,
    fill: FillOption = None,
    report: ReportOption = False,
    track: TrackOption = None,
    tracking_uri: TrackingUriOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Train a model on one symbol and compare its test forecasts with the naive forecast."""
    choose_backend(None)
    source = inputs.source(data, symbol, columns, fill)
    tracking = inputs.tracking(track, tracking_uri, out)
    with native_log_filtered():
        result = run_job(requests.preset(preset, epochs), source, out=out, model=value(model),
                         settings=model_settings(settings),
                         verbose=show_progress(quiet, json_output))  # fmt: skip
    page = inputs.maybe_report(report, result.folder, json_output)
    tracked = inputs.maybe_track(tracking, context, result.folder, result.metrics, json_output)
    if json_output:
        print_json({**result.metrics, "folder": str(result.folder), "report": page,
                    "tracked": tracked})  # fmt: skip
    else:
        run_summary(console, result.metrics, str(result.folder))


@app.command()
@clean_errors
def backtest(
    context: typer.Context,
    data: DataOption = None,
    symbol: SymbolOption = None,
    models: ModelsOption = None,
    settings: SetOption = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Steps ahead from each origin.")] = 1,
    retrain_every: Annotated[
        int, typer.Option("--retrain-every", help="Origins between refits; 0 fits once.")
    ] = 21,
    window: Annotated[Window, typer.Option("--window", help="Training window.")] = "expanding",
    step: Annotated[int, typer.Option("--step", help="Trading days between origins.")] = 1,
    cost_bps: Annotated[
        float, typer.Option("--cost-bps", help="Trading cost per position change, basis points.")
    ] = 5.0,
    ma_window: Annotated[
        int, typer.Option("--ma-window", help="Closes averaged by the moving average.")
    ] = 5,
    features: Annotated[
        str,
        typer.Option(
            "--features",
            help="Model families, comma-separated sets: returns is the preset's windows; the "
            f"others forecast one step, every day. {FEATURE_HELP}.",
        ),
    ] = "returns",
    preset: PresetOption = "default",
    epochs: EpochsOption = None,
    out: OutOption = Path("runs"),
    columns: ColumnsOption = None,
    fill: FillOption = None,
    report: ReportOption = False,
    quiet: QuietOption = False,
    track: TrackOption = None,
    tracking_uri: TrackingUriOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Walk every model forward over the test period and rank it against naive."""
    choose_backend(None)
    tracking = inputs.tracking(track, tracking_uri, out)
    walk = BacktestConfig(horizon=horizon, step=step, retrain_every=retrain_every,
                          window=value(window))  # fmt: skip
    plan = BacktestPlan(tuple(parse_models(models)), walk, cost_bps, ma_window,
                        feature_sets(features), model_settings(settings))  # fmt: skip
    source = inputs.source(data, symbol, columns, fill)
    lstm = requests.preset(preset, epochs)
    with native_log_filtered(), task_progress(show_progress(quiet, json_output)) as bar:
        result = backtest_job(lstm, plan, source, out=out, progress=bar)
    page = inputs.maybe_report(report, result.folder, json_output)
    summary = result.summary
    tracked = inputs.maybe_track(tracking, context, result.folder, summary, json_output)
    if json_output:
        print_json({**summary, "folder": str(result.folder), "report": page, "tracked": tracked})
        return
    symbol_name = result.forecasts["symbol"].iloc[0] if len(result.forecasts) else symbol
    title = (f"{escape(str(symbol_name))} · walk-forward backtest, {walk.window} window, "
             f"refit every {retrain_every}")  # fmt: skip
    leaderboard_table(console, result.leaderboard, result.buy_and_hold, title)
    console.print(f"outputs: {escape(str(result.folder))}")


_REPORTED = ", ".join(REPORT_KINDS)  # every kind of folder a report is written for


@app.command()
@clean_errors
def report(
    folder: Annotated[
        Path,
        typer.Argument(help=f"A folder written by {_REPORTED}.", show_default=False),
    ],
    config: ConfigOption = None,
) -> None:
    """Write report.html, one self-contained page, into a folder a command wrote (run,
    backtest, predict, universe or tune)."""
    inputs.maybe_report(True, folder)


@app.command()
@clean_errors
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the example config.")] = Path(
        "stockcaster.toml"
    ),
) -> None:
    """Write a commented example config with every option of every command."""
    if path.exists():
        raise StockcasterError(f"{path}: expected a new file, received one that exists")
    path.write_text(example_config(typer.main.get_command(app)))
    console.print(f"config: {escape(str(path))} (use it with --config {escape(str(path))})")


# The universe and tune commands live in their own modules for their many options;
# inspect in its own, as it reads files the other commands never do; train and predict
# (the bundles, of one symbol or a universe) in theirs.
app.command(name="universe")(clean_errors(universe))
app.command(name="tune")(clean_errors(tune))
app.command(name="inspect")(clean_errors(inspect))
app.command(name="train")(clean_errors(train))
app.command(name="predict")(clean_errors(predict))


def main() -> None:
    app()
