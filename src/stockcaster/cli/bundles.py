"""`stockcaster train` and `stockcaster predict`: model bundles, of one symbol or a universe."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli.groups import Reported, SymbolData, grouped
from stockcaster.cli.options import (
    DEFAULT_MODEL,
    AnyModel,
    BundleCovariatesOption,
    ConfigOption,
    CovariatesOption,
    EpochsOption,
    EstimatorOption,
    GlobalPresetOption,
    OutOption,
    QuantilesOption,
    QuietOption,
    SeriesTarget,
    SetOption,
    UniverseFeaturesOption,
    UniverseSymbolsOption,
    options_of,
    refuse_unread,
    value,
)
from stockcaster.cli.output import busy, console, print_json, show_progress
from stockcaster.jobs import requests
from stockcaster.jobs.bundles import TrainRequest, predict_bundle, training_notes
from stockcaster.jobs.bundles import train as train_job
from stockcaster.jobs.choices import VOLATILITY_BASELINES, model_settings, preset_names
from stockcaster.jobs.predict import band_label, source_note
from stockcaster.jobs.predict_universe import UniversePrediction
from stockcaster.jobs.requests import global_model
from stockcaster.jobs.universe_panel import COVARIATE_SET
from stockcaster.process import choose_backend, native_log_filtered
from stockcaster.reporting.book_tables import picks_table
from stockcaster.reporting.lines import notes
from stockcaster.reporting.risk_tables import risk_line, variance_table
from stockcaster.reporting.tables import forecast_table


@dataclass
class TrainModel:
    """The model a bundle holds: the preset's network, or another registered model."""

    preset: Annotated[
        str,
        typer.Option(
            "--preset",
            help=f"A preset ({', '.join(preset_names())}) or a .toml file; forecast gives "
            "5 days with quantiles.",
        ),
    ] = "forecast"
    model: Annotated[
        AnyModel | None,
        typer.Option(
            "--model",
            help="The model saved: a network family or a model that saves "
            f"itself. Default: the preset's network (--universe: {DEFAULT_MODEL}).",
        ),
    ] = None
    settings: SetOption = None
    epochs: EpochsOption = None
    target: Annotated[
        SeriesTarget | None,
        typer.Option("--target", help="What the model forecasts: close or log_return (the "
                     "preset's), or variance: a volatility model (a baseline, "
                     f"{', '.join(VOLATILITY_BASELINES)}, or a network on log variance) "
                     "whose bundle predicts the risk of the sessions ahead.",
                     show_default=False),
    ] = None  # fmt: skip
    estimator: EstimatorOption = None


@dataclass
class UniverseTraining:
    """`train --universe`: one global model for every symbol of --data."""

    universe: Annotated[
        bool, typer.Option("--universe", help="A universe: one global model for every symbol.")
    ] = False
    symbols: UniverseSymbolsOption = None
    features: UniverseFeaturesOption = "returns"
    covariates: CovariatesOption = None
    quantiles: QuantilesOption = None
    global_preset: GlobalPresetOption = "universe"

    def refuse_alone(self, resume: Path | None) -> None:
        """Without --universe, the global model's options are read by nothing (--symbols
        and --covariates only by a universe bundle's --resume): refused, as they were
        ignored."""
        if self.universe:
            return
        alone = ("symbols", "covariates") if resume is None else ()
        refuse_unread(options_of(self, "features", "quantiles", "global_preset", *alone),
                      "--universe with it")  # fmt: skip

    def source(self, data: SymbolData):
        """The prices, with --covariates kept for --features columns (a resumed bundle's
        own set decides whether it reads them)."""
        features = (value(self.features),) if self.universe else (COVARIATE_SET,)
        return requests.with_covariates(data.source(), self.covariates, features)


@grouped
def train(
    *,
    save: Annotated[Path, typer.Option("--save", help="Folder for the new model bundle.")],
    data: SymbolData,
    model: TrainModel,
    universe: UniverseTraining,
    resume: Annotated[
        Path | None,
        typer.Option(
            "--resume", help="Fine-tune the model of this bundle (or universe bundle) on --data."
        ),
    ] = None,
    exchange: Annotated[
        str | None,
        typer.Option(
            "--exchange",
            help="Trading calendar of the forecasts (XNYS, XLON, ...). "
            "Default: XNYS; --resume keeps the bundle's.",
        ),
    ] = None,
    quiet: QuietOption = False,
    config: ConfigOption = None,
) -> None:
    """Train on all of one symbol's (or a universe's) history and save a bundle for `predict`."""
    choose_backend(None)
    universe.refuse_alone(resume)
    base = None
    if universe.universe:
        _refuse_one_symbol_options(model)
        base = global_model(value(universe.features), preset_name=universe.global_preset,
                            quantiles=universe.quantiles, epochs=model.epochs)  # fmt: skip
    preset = requests.with_features(requests.preset(model.preset, model.epochs),
                                    target=value(model.target),
                                    estimator=value(model.estimator))  # fmt: skip
    request = TrainRequest(
        save=save, source=universe.source(data), preset=preset,
        model=value(model.model), settings=model_settings(model.settings), exchange=exchange,
        resume=resume, universe=base, symbols=requests.symbol_list(universe.symbols),
        epochs=model.epochs,
    )  # fmt: skip
    with native_log_filtered(), busy("training", show_progress(quiet, False)):
        path = train_job(request)
    notes(console, training_notes(path))
    console.print(f"bundle: {escape(str(path))}")


def _refuse_one_symbol_options(model: TrainModel) -> None:
    """`train --universe` trains --global-preset's model: one symbol's --preset, and a
    --target of close, were read by nothing, without a word."""
    given = options_of(model, "preset")
    if value(model.target) == "close":
        given["--target"] = ("close", None)
    refuse_unread(given, "one symbol's bundle with it (--universe trains --global-preset's model)")


@grouped
def predict(
    *,
    bundle: Annotated[
        Path, typer.Option("--bundle", help="A bundle written by `train --save` (or `tune`).")
    ],
    data: SymbolData,
    horizon: Annotated[
        int | None,
        typer.Option("--horizon", help="Trading days ahead. Default: the bundle's.", min=1),
    ] = None,
    top_k: Annotated[
        int | None,
        typer.Option("--top-k", help="A universe bundle: symbols long and short (default 10)."),
    ] = None,
    covariates: BundleCovariatesOption = None,
    out: OutOption = Path("runs"),
    shown: Reported,
    config: ConfigOption = None,
) -> None:
    """Forecast the next trading days' closes from a saved bundle (of a symbol or a universe)."""
    # Forecasting needs no training, so Keras runs on its NumPy inference backend and
    # TensorFlow is never imported: that import alone takes most of 5 s on a 2-core CPU.
    # A backend the user chose (KERAS_BACKEND) is kept.
    choose_backend(None, default="numpy")
    with native_log_filtered(), busy("forecasting", shown.progress):
        source = requests.with_covariates(data.source(), covariates, (COVARIATE_SET,))
        result = predict_bundle(bundle, source, horizon, top_k, out=out)
    if isinstance(result, UniversePrediction):
        _show_universe(result, shown)
    else:
        _show_series(result, shown)
    if not shown.json_output and (note := source_note(result.meta)):
        console.print(escape(note))
    if not shown.json_output and result.meta.get("caveat"):
        console.print(f"note: {escape(result.meta['caveat'])}")
    if not shown.json_output:
        notes(console, result.meta.get("notes", []))


def _show_series(result, shown: Reported) -> None:
    """A symbol's forecast (of its price or of its variance): JSON, or its table, its risk
    line and the folder."""
    page = shown.page(result.folder)
    if shown.json_output:
        records = json.loads(result.forecast.to_json(orient="records", date_format="iso"))
        for record in records:
            record["date"] = record["date"][:10]
        print_json({"forecast": records, "risk": result.meta["risk"],
                    "folder": str(result.folder), "report": page})  # fmt: skip
        return
    if result.meta.get("target") == "variance":
        variance_table(console, result.forecast, result.meta["estimator"])
    else:
        forecast_table(console, result.forecast, result.history, band_label(result.meta))
    risk_line(console, result.meta["risk"])
    console.print(f"outputs: {escape(str(result.folder))}")


def _show_universe(found: UniversePrediction, shown: Reported) -> None:
    """A universe bundle's forecasts: the picks as JSON, or as a table with the symbols set
    aside, a line of counts and the files."""
    page = shown.page(found.folder)
    if shown.json_output:
        picks = json.loads(found.picks.to_json(orient="records"))
        print_json({"picks": picks, **found.meta, "folder": str(found.folder), "report": page})
        return
    picks_table(console, found.picks, found.forecast, found.meta)
    counts = found.meta["symbols"]
    console.print(f"{counts['forecast']} symbol{'s' * (counts['forecast'] != 1)} forecast, "
                  f"{counts['set_aside']} set aside")  # fmt: skip
    console.print(f"outputs: {escape(str(found.folder))} (forecast.csv, risk.csv, picks.csv)")
