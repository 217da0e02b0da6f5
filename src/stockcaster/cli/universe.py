"""The `stockcaster universe` command: its options, then one call into `jobs.universe`.

Kept apart from app.py because it has twice the options of any other command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli import inputs
from stockcaster.cli.options import (
    ENGINE_HELP,
    FEATURE_HELP,
    Backend,
    ColumnsOption,
    ConfigOption,
    Engine,
    FillOption,
    JsonOption,
    Mode,
    Normalise,
    QuantilesOption,
    QuietOption,
    SetOption,
    Target,
    TrackingUriOption,
    TrackOption,
    Window,
    value,
)
from stockcaster.cli.output import console, machine_fault, print_json, show_progress, task_progress
from stockcaster.engines import EngineConfig
from stockcaster.errors import Interrupted, StockcasterError
from stockcaster.jobs.choices import (
    feature_sets,
    model_settings,
    models_help,
    parse_models,
    universe_models,
)
from stockcaster.jobs.requests import global_model
from stockcaster.jobs.universe import universe as universe_job
from stockcaster.jobs.universe_plan import UniverseConfig
from stockcaster.reporting.tables import print_scores
from stockcaster.settings import choose_backend, native_log_filtered

_DEFAULT_OUT = Path("runs/universe")


def universe(
    context: typer.Context,
    data: Annotated[
        Path, typer.Option("--data", help="Long-format price file: one row per date and symbol.")
    ],
    symbols: Annotated[
        str | None, typer.Option("--symbols", help="Comma-separated symbols. Default: all.")
    ] = None,
    all_symbols: Annotated[
        bool, typer.Option("--all", help="Every symbol in the file (the default).")
    ] = False,
    mode: Annotated[
        Mode,
        typer.Option(
            "--mode",
            help="global: one model for all symbols where a model has a "
            "global form (the network families, linear, lightgbm); per-symbol: one per symbol.",
        ),
    ] = "global",
    models: Annotated[
        str | None,
        typer.Option("--models", help=models_help() + f". Default: {','.join(universe_models())}."),
    ] = None,
    settings: SetOption = None,
    engine: Annotated[Engine, typer.Option("--engine", help=ENGINE_HELP)] = "local",
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Worker processes (local) or Ray CPUs. Default: cores."),
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", help="An existing Ray cluster. Default: start one here."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="The run folder; it holds the results store.")
    ] = _DEFAULT_OUT,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the run in --out, skipping finished symbols.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at a broken row instead of skipping its symbol.")
    ] = False,
    backend: Annotated[Backend, typer.Option("--backend", help="Keras backend.")] = "tensorflow",
    test_fraction: Annotated[
        float, typer.Option("--test-fraction", help="Share of trading days, from the end, tested.")
    ] = 0.25,
    min_history: Annotated[
        int, typer.Option("--min-history", help="Fewest closes before the test period.")
    ] = 60,
    retrain_every: Annotated[
        int,
        typer.Option(
            "--retrain-every",
            help="Refit every K trading days of the test period (per-symbol models: origins; "
            "global models: warm-started); 0 fits once.",
        ),
    ] = 0,
    window: Annotated[
        Window, typer.Option("--window", help="Global models' refits: training window.")
    ] = "expanding",
    preset: Annotated[
        str,
        typer.Option(
            "--preset",
            help="Per-symbol mode: the LSTM's preset (or a .toml); the best.toml of a "
            "`tune --universe` sets the global models.",
        ),
    ] = "default",
    lookback: Annotated[
        int, typer.Option("--lookback", help="Global model: days per window.")
    ] = 20,
    features: Annotated[
        str,
        typer.Option(
            "--features",
            help=f"Global models, comma-separated: each is trained on each set. {FEATURE_HELP}.",
        ),
    ] = "returns",
    target: Annotated[
        Target,
        typer.Option(
            "--target",
            help="Global models learn: return (the next log-return), or rank / zscore (the "
            "next return ranked or standardised across the day's symbols; no MSE reported).",
        ),
    ] = "return",
    normalise: Annotated[
        Normalise,
        typer.Option(
            "--normalise",
            help="Global models' inputs: symbol (each by its own training rows) or "
            "cross-section (then z-scored across each day's symbols).",
        ),
    ] = "symbol",
    embedding_dim: Annotated[
        int, typer.Option("--embedding-dim", help="Global model: symbol embedding width, 0 none.")
    ] = 0,
    quantiles: QuantilesOption = None,
    epochs: Annotated[int, typer.Option("--epochs", help="Global model: most epochs.")] = 20,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Global model: windows per step.")
    ] = 512,
    top_k: Annotated[
        int, typer.Option("--top-k", help="Symbols long and short in the portfolio.")
    ] = 10,
    cost_bps: Annotated[
        float, typer.Option("--cost-bps", help="Trading cost per unit of weight traded, bp.")
    ] = 5.0,
    ma_window: Annotated[
        int, typer.Option("--ma-window", help="Closes averaged by the moving average.")
    ] = 5,
    columns: ColumnsOption = None,
    fill: FillOption = None,
    quiet: QuietOption = False,
    save: Annotated[
        Path | None,
        typer.Option("--save", help="Also save the first global network as a universe bundle."),
    ] = None,
    track: TrackOption = None,
    tracking_uri: TrackingUriOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Run and judge every model on every symbol of a file, one by one and as a cross-section."""
    choose_backend(value(backend))
    tracking = inputs.tracking(track, tracking_uri, out)
    if symbols is not None and all_symbols:
        raise StockcasterError("--symbols and --all: expected one of them, received both")
    runner = EngineConfig(value(engine), workers, ray_address)
    sets = feature_sets(features)
    # A universe search's best.toml as --preset sets the global model it found.
    network = global_model(sets[0], preset_name=preset, quantiles=quantiles, lookback=lookback,
                           embedding_dim=embedding_dim, epochs=epochs, batch_size=batch_size,
                           target=value(target), normalise=value(normalise))  # fmt: skip
    plan = UniverseConfig(
        mode=value(mode),
        models=tuple(parse_models(models, universe_models())),
        test_fraction=test_fraction,
        min_history=min_history,
        retrain_every=retrain_every,
        top_k=top_k,
        cost_bps=cost_bps,
        ma_window=ma_window,
        global_model=network,
        preset=preset,
        features=sets,
        window=value(window),
        settings=model_settings(settings),
    )
    source = inputs.panel_source(data, symbols, columns, fill, strict)
    try:
        with native_log_filtered(), task_progress(show_progress(quiet, json_output)) as bar:
            result = universe_job(source, plan, out=out, resume=resume, engine=runner,
                                  progress=bar, save=save)  # fmt: skip
    except (KeyboardInterrupt, Interrupted) as stop:
        # Every symbol stored so far is complete (one transaction each); say how to go on.
        sys.stderr.write(
            f"interrupted: finished symbols are kept in {out}; add --resume to continue\n"
        )  # noqa: E501
        raise typer.Exit(getattr(stop, "exit_code", 130)) from None
    except OSError as err:  # a full disk, say: the store keeps every finished symbol
        sys.stderr.write(
            "error: "
            + machine_fault(err, f"finished symbols are kept in {out}, add --resume to continue")
            + " once there is room\n"
        )
        raise typer.Exit(1) from None
    tracked = inputs.maybe_track(tracking, context, result.folder, result.summary, json_output)
    if json_output:
        return print_json({**result.summary, "folder": str(result.folder), "tracked": tracked})
    print_scores(console, result.summary)
    folder = escape(str(result.folder))
    console.print(f"outputs: {folder} (report.html, universe.json, symbols.csv)")
