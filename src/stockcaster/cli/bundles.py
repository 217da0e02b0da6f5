"""`stockcaster train` and `stockcaster predict`: model bundles, of one symbol or a universe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli import inputs
from stockcaster.cli.options import (
    DEFAULT_MODEL,
    FEATURE_HELP,
    AnyModel,
    ColumnsOption,
    ConfigOption,
    DataOption,
    EpochsOption,
    FeatureSet,
    FillOption,
    JsonOption,
    OutOption,
    QuantilesOption,
    QuietOption,
    ReportOption,
    SetOption,
    SymbolOption,
    value,
)
from stockcaster.cli.output import busy, console, print_json, show_progress
from stockcaster.errors import StockcasterError
from stockcaster.jobs import requests
from stockcaster.jobs.choices import model_settings, preset_names
from stockcaster.jobs.predict import predict as predict_job
from stockcaster.jobs.predict_universe import predict_universe
from stockcaster.jobs.requests import global_model
from stockcaster.jobs.train import train_bundle
from stockcaster.jobs.universe_bundle import resume_universe, train_universe
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.reporting.tables import forecast_table
from stockcaster.settings import choose_backend, native_log_filtered

UniverseOption = Annotated[
    bool, typer.Option("--universe", help="A universe: one global model for every symbol.")
]
SymbolsOption = Annotated[
    str | None, typer.Option("--symbols", help="--universe: comma-separated symbols.")
]


def train(
    save: Annotated[Path, typer.Option("--save", help="Folder for the new model bundle.")],
    data: DataOption = None,
    symbol: SymbolOption = None,
    preset: Annotated[
        str,
        typer.Option(
            "--preset",
            help=f"A preset ({', '.join(preset_names())}) or a .toml file; forecast gives "
            "5 days with quantiles.",
        ),
    ] = "forecast",
    epochs: EpochsOption = None,
    resume: Annotated[
        Path | None,
        typer.Option(
            "--resume", help="Fine-tune the model of this bundle (or universe bundle) on --data."
        ),
    ] = None,
    exchange: Annotated[
        str, typer.Option("--exchange", help="Trading calendar of the forecasts (XNYS, XLON, ...).")
    ] = "XNYS",
    universe: UniverseOption = False,
    symbols: SymbolsOption = None,
    model: Annotated[
        AnyModel | None,
        typer.Option(
            "--model",
            help="The model saved: a network family or a model that saves "
            f"itself. Default: the preset's network (--universe: {DEFAULT_MODEL}).",
        ),
    ] = None,
    settings: SetOption = None,
    features: Annotated[
        FeatureSet,
        typer.Option("--features", help=f"--universe: the feature set. {FEATURE_HELP}."),
    ] = "returns",
    quantiles: QuantilesOption = None,
    columns: ColumnsOption = None,
    fill: FillOption = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """Train on all of one symbol's (or a universe's) history and save a bundle for `predict`."""
    choose_backend(None)
    with native_log_filtered(), busy("training", show_progress(quiet, False)):
        if resume is not None and requests.holds_universe(resume):
            path = resume_universe(resume, _panel(data, symbols, columns, fill, "--resume"),
                                   save)  # fmt: skip
        elif universe:
            source = _panel(data, symbols, columns, fill)
            base = global_model(value(features), quantiles=quantiles, epochs=epochs)
            path = train_universe(source, base, value(model) or DEFAULT_MODEL, save,
                                  exchange=exchange)  # fmt: skip
        else:
            source = inputs.source(data, symbol, columns, fill)
            path = train_bundle(requests.preset(preset, epochs), save, source, resume=resume,
                                exchange=exchange, model=value(model),
                                settings=model_settings(settings))  # fmt: skip
    console.print(f"bundle: {escape(str(path))}")


def predict(
    bundle: Annotated[
        Path, typer.Option("--bundle", help="A bundle written by `train --save` (or `tune`).")
    ],
    data: DataOption = None,
    symbol: SymbolOption = None,
    horizon: Annotated[
        int | None,
        typer.Option("--horizon", help="Trading days ahead. Default: the bundle's.", min=1),
    ] = None,
    top_k: Annotated[
        int, typer.Option("--top-k", help="A universe bundle: symbols long and short.")
    ] = 10,
    out: OutOption = Path("runs"),
    columns: ColumnsOption = None,
    fill: FillOption = None,
    report: ReportOption = False,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Forecast the next trading days' closes from a saved bundle (of a symbol or a universe)."""
    # Forecasting needs no training, so Keras runs on its NumPy inference backend and
    # TensorFlow is never imported: that import alone takes most of 5 s on a 2-core CPU.
    # A backend the user chose (KERAS_BACKEND) is kept.
    choose_backend(None, default="numpy")
    if requests.holds_universe(bundle):
        source = _panel(data, None, columns, fill, f"--bundle {bundle} (a universe bundle)")
        with native_log_filtered(), busy("forecasting", show_progress(quiet, json_output)):
            found = predict_universe(bundle, source, horizon, top_k, out=out)
        page = inputs.maybe_report(report, found.folder, json_output)
        if json_output:
            picks = json.loads(found.picks.to_json(orient="records"))
            print_json({"picks": picks, **found.meta, "folder": str(found.folder), "report": page})
            return
        console.print(f"{found.meta['symbols']['forecast']} symbols forecast, "
                      f"{found.meta['symbols']['set_aside']} set aside")  # fmt: skip
        console.print(f"outputs: {escape(str(found.folder))} (forecast.csv, picks.csv)")
        return
    source = inputs.source(data, symbol, columns, fill)
    with native_log_filtered(), busy("forecasting", show_progress(quiet, json_output)):
        result = predict_job(bundle, source, horizon, out=out)
    page = inputs.maybe_report(report, result.folder, json_output)
    if json_output:
        records = json.loads(result.forecast.to_json(orient="records", date_format="iso"))
        for record in records:
            record["date"] = record["date"][:10]
        print_json({"forecast": records, "folder": str(result.folder), "report": page})
        return
    forecast_table(console, result.forecast, result.history)
    console.print(f"outputs: {escape(str(result.folder))}")


def _panel(
    data: Path | None, symbols: str | None, columns, fill, why: str = "--universe"
) -> PanelSource:
    if data is None:
        raise StockcasterError(f"{why}: expected --data FILE with it, received none")
    return inputs.panel_source(data, symbols, columns, fill)
