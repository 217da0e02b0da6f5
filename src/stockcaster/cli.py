"""The `stockcaster` command: parse arguments, call the library, turn errors into one line.

Every command turns a `StockcasterError` into `error: <message>` on stderr and exit code 2,
with no traceback.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from stockcaster.cli_options import (
    ColumnsOption,
    ConfigOption,
    DataOption,
    EpochsOption,
    FillOption,
    JsonOption,
    OutOption,
    PresetOption,
    ReportOption,
    SymbolOption,
    clean_errors,
    native_log_filtered,
)
from stockcaster.cli_universe import universe
from stockcaster.errors import StockcasterError

app = typer.Typer(
    help="Forecast daily stock prices with LSTM networks, beside honest baselines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output (logs, CI) gets a wide page rather than Rich's 80 columns, so the
# leaderboard's numbers are never cut.
console = Console() if sys.stdout.isatty() else Console(width=120)


@app.command()
@clean_errors
def run(
    data: DataOption = None,
    symbol: SymbolOption = None,
    preset: PresetOption = "default",
    epochs: EpochsOption = None,
    out: OutOption = Path("runs"),
    quiet: Annotated[bool, typer.Option("--quiet", help="No Keras progress output.")] = False,
    columns: ColumnsOption = None,
    fill: FillOption = None,
    report: ReportOption = False,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Train a model on one symbol and compare its test forecasts with the naive forecast."""
    from stockcaster.reporting.tables import run_summary
    from stockcaster.run import run as run_job

    with native_log_filtered():
        result = run_job(
            _preset(preset, epochs), data, symbol, **_source(columns, fill), out=out,
            verbose=_show_progress(quiet, json_output),
        )  # fmt: skip
    page = _maybe_report(report, result.folder, json_output)
    if json_output:
        _print_json({**result.metrics, "folder": str(result.folder), "report": page})
    else:
        run_summary(console, result.metrics, str(result.folder))


@app.command()
@clean_errors
def backtest(
    data: DataOption = None,
    symbol: SymbolOption = None,
    models: Annotated[
        str | None,
        typer.Option(
            "--models",
            help="Comma-separated: lstm,naive,drift,ma,arima,prophet. Default: all installed.",
        ),
    ] = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Steps ahead from each origin.")] = 1,
    retrain_every: Annotated[
        int, typer.Option("--retrain-every", help="Origins between refits; 0 fits once.")
    ] = 21,
    window: Annotated[
        str, typer.Option("--window", help="Training window: expanding or sliding.")
    ] = "expanding",
    step: Annotated[int, typer.Option("--step", help="Trading days between origins.")] = 1,
    cost_bps: Annotated[
        float, typer.Option("--cost-bps", help="Trading cost per position change, basis points.")
    ] = 5.0,
    ma_window: Annotated[
        int, typer.Option("--ma-window", help="Closes averaged by the moving average.")
    ] = 5,
    preset: PresetOption = "default",
    epochs: EpochsOption = None,
    out: OutOption = Path("runs"),
    columns: ColumnsOption = None,
    fill: FillOption = None,
    report: ReportOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bars.")] = False,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Walk every model forward over the test period and rank it against naive."""
    from stockcaster.backtest import backtest as backtest_job
    from stockcaster.backtest import parse_models
    from stockcaster.evaluation.backtest import BacktestConfig
    from stockcaster.reporting import run_folder as files
    from stockcaster.reporting.progress import task_progress
    from stockcaster.reporting.tables import leaderboard_table

    lstm = _preset(preset, epochs)
    names = parse_models(models)
    plan = BacktestConfig(horizon=horizon, step=step, retrain_every=retrain_every, window=window)
    with native_log_filtered(), task_progress(console, _show_progress(quiet, json_output)) as bar:
        result = backtest_job(
            lstm, plan, data, symbol, names, cost_bps=cost_bps, ma_window=ma_window,
            **_source(columns, fill), out=out, progress=bar,
        )  # fmt: skip
    page = _maybe_report(report, result.folder, json_output)
    if json_output:
        summary = json.loads((result.folder / files.LEADERBOARD_JSON).read_text())
        _print_json({**summary, "folder": str(result.folder), "report": page})
        return
    symbol_name = result.forecasts["symbol"].iloc[0] if len(result.forecasts) else symbol
    leaderboard_table(
        console,
        result.leaderboard,
        result.buy_and_hold,
        f"{symbol_name} · walk-forward backtest, {window} window, refit every {retrain_every}",
    )
    console.print(f"outputs: {result.folder}")


@app.command()
@clean_errors
def train(
    save: Annotated[Path, typer.Option("--save", help="Folder for the new model bundle.")],
    data: DataOption = None,
    symbol: SymbolOption = None,
    preset: Annotated[
        str,
        typer.Option("--preset", help="forecast (5 days, quantiles), default, seed or a .toml."),
    ] = "forecast",
    epochs: EpochsOption = None,
    resume: Annotated[
        Path | None,
        typer.Option("--resume", help="Fine-tune the model of this bundle on --data instead."),
    ] = None,
    exchange: Annotated[
        str, typer.Option("--exchange", help="Trading calendar of the forecasts (XNYS, XLON, ...).")
    ] = "XNYS",
    columns: ColumnsOption = None,
    fill: FillOption = None,
    config: ConfigOption = None,
) -> None:
    """Train on all of one symbol's history and save a model bundle for `predict`."""
    from stockcaster.train import train_bundle

    with native_log_filtered():
        path = train_bundle(
            _preset(preset, epochs), save, data, symbol, resume=resume, exchange=exchange,
            **_source(columns, fill),
        )  # fmt: skip
    console.print(f"bundle: {path}")


@app.command()
@clean_errors
def predict(
    model: Annotated[Path, typer.Option("--model", help="A bundle written by `train --save`.")],
    data: DataOption = None,
    symbol: SymbolOption = None,
    horizon: Annotated[
        int | None, typer.Option("--horizon", help="Trading days ahead. Default: the bundle's.")
    ] = None,
    out: OutOption = Path("runs"),
    columns: ColumnsOption = None,
    fill: FillOption = None,
    report: ReportOption = False,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Forecast the next trading days' closes, with intervals, from a saved bundle."""
    # Forecasting needs no training, so Keras runs on its NumPy inference backend and
    # TensorFlow is never imported: that import alone takes most of 5 s on a 2-core CPU.
    # A backend the user chose (KERAS_BACKEND) is kept.
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    from stockcaster.predict import predict as predict_job
    from stockcaster.reporting.tables import forecast_table

    with native_log_filtered():
        result = predict_job(model, data, symbol, horizon, out, **_source(columns, fill))
    page = _maybe_report(report, result.folder, json_output)
    if json_output:
        records = json.loads(result.forecast.to_json(orient="records", date_format="iso"))
        for record in records:
            record["date"] = record["date"][:10]
        _print_json({"forecast": records, "folder": str(result.folder), "report": page})
        return
    forecast_table(console, result.forecast, result.history)
    console.print(f"outputs: {result.folder}")


@app.command()
@clean_errors
def report(
    folder: Annotated[
        Path,
        typer.Argument(help="A folder written by run, backtest or predict.", show_default=False),
    ],
    config: ConfigOption = None,
) -> None:
    """Write report.html, one self-contained page, into a run, backtest or predict folder."""
    _maybe_report(True, folder)


@app.command()
@clean_errors
def inspect(
    data: Annotated[Path, typer.Argument(help="Price file (CSV or Parquet).", show_default=False)],
    symbol: SymbolOption = None,
    plot: Annotated[bool, typer.Option("--plot", help="Save a price chart as PNG.")] = False,
    out: Annotated[Path, typer.Option("--out", help="Folder for the chart.")] = Path("."),
    columns: ColumnsOption = None,
    fill: FillOption = None,
    config: ConfigOption = None,
) -> None:
    """Show what a price file holds: date range, rows, symbols, missing values, per symbol."""
    from stockcaster.data import (
        missing_counts,
        parse_column_mapping,
        parse_prices,
        read_price_file,
        select_symbol,
    )
    from stockcaster.reporting.tables import inspection

    raw = read_price_file(data, parse_column_mapping(columns) if columns else None, symbol)
    missing = missing_counts(raw)
    # Inspection reports missing values instead of refusing them.
    table = parse_prices(raw, _fill(fill) or "drop")
    if symbol is not None:
        table = select_symbol(table, symbol, str(data))
    inspection(console, table, str(data), missing)
    if plot:
        from stockcaster.reporting.figures import price_figure

        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{data.name.split('.')[0]}_prices.png"
        price_figure(table, path)
        console.print(f"chart: {path}")


@app.command()
@clean_errors
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the example config.")] = Path(
        "stockcaster.toml"
    ),
) -> None:
    """Write a commented example config with every option of every command."""
    from stockcaster.cli_config import example_config

    if path.exists():
        raise StockcasterError(f"{path}: expected a new file, received one that exists")
    path.write_text(example_config())
    console.print(f"config: {path} (use it with --config {path})")


def _maybe_report(wanted: bool, folder: Path, quiet: bool = False) -> str | None:
    if not wanted:
        return None
    from stockcaster.reporting.html import write_report

    page = write_report(folder)
    if not quiet:
        console.print(f"report: {page}")
    return str(page)


def _show_progress(quiet: bool, json_output: bool) -> bool:
    """Progress is for a person at a terminal: never in pipes, logs, --quiet or --json."""
    return not quiet and not json_output and console.is_terminal


def _print_json(payload: dict) -> None:
    from stockcaster.reporting.run_folder import jsonable

    print(json.dumps(payload, indent=2, default=jsonable))


def _source(columns: str | None, fill: str | None) -> dict[str, Any]:
    """The `columns` and `fill` arguments every job takes, parsed and checked."""
    from stockcaster.data import parse_column_mapping

    return {"columns": parse_column_mapping(columns) if columns else None, "fill": _fill(fill)}


def _preset(preset: str, epochs: int | None) -> Any:
    import dataclasses

    from stockcaster.config import load_preset

    config = load_preset(preset)
    if epochs is None:
        return config
    return dataclasses.replace(config, training=dataclasses.replace(config.training, epochs=epochs))


def _fill(fill: str | None) -> Any:
    from stockcaster.data import FILL_POLICIES

    if fill is not None and fill not in FILL_POLICIES:
        raise StockcasterError(
            f"--fill: expected one of {', '.join(FILL_POLICIES)}, received {fill!r}"
        )
    return fill


# The universe command lives in its own module for its many options.
app.command(name="universe")(clean_errors(universe))


def main() -> None:
    app()
