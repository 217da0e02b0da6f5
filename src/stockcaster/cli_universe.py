"""The `stockcaster universe` command: its options, then one call into `stockcaster.universe`.

Kept apart from cli.py because it has twice the options of any other command.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from stockcaster.cli_options import ColumnsOption, ConfigOption, FillOption, JsonOption
from stockcaster.errors import StockcasterError

BACKENDS = ("tensorflow", "jax", "torch")
_DEFAULT_OUT = Path("runs/universe")


def universe(
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
        str,
        typer.Option("--mode", help="global (one LSTM for all symbols) or per-symbol."),
    ] = "global",
    models: Annotated[
        str | None,
        typer.Option(
            "--models",
            help="Comma-separated: lstm,naive,drift,ma,arima,prophet. Default: "
            "naive,drift,ma,arima,lstm.",
        ),
    ] = None,  # fmt: skip
    engine: Annotated[
        str, typer.Option("--engine", help="local (processes here) or ray.")
    ] = "local",
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
    backend: Annotated[
        str, typer.Option("--backend", help="Keras backend: tensorflow, jax or torch.")
    ] = "tensorflow",
    test_fraction: Annotated[
        float, typer.Option("--test-fraction", help="Share of trading days, from the end, tested.")
    ] = 0.25,
    min_history: Annotated[
        int, typer.Option("--min-history", help="Fewest closes before the test period.")
    ] = 60,
    retrain_every: Annotated[
        int, typer.Option("--retrain-every", help="Per-symbol refits, in origins; 0 fits once.")
    ] = 0,
    preset: Annotated[
        str, typer.Option("--preset", help="Per-symbol mode: the LSTM's preset (or a .toml).")
    ] = "default",
    lookback: Annotated[
        int, typer.Option("--lookback", help="Global model: days per window.")
    ] = 20,
    features: Annotated[
        str, typer.Option("--features", help="Global model: returns or ohlcv.")
    ] = "returns",
    embedding_dim: Annotated[
        int, typer.Option("--embedding-dim", help="Global model: symbol embedding width, 0 none.")
    ] = 0,
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
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bars.")] = False,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Run and judge every model on every symbol of a file, one by one and as a cross-section."""
    _choose_backend(backend)
    if symbols is not None and all_symbols:
        raise StockcasterError("--symbols and --all: expected one of them, received both")
    from stockcaster.cli import _print_json, _show_progress, _source, console
    from stockcaster.cli_options import native_log_filtered
    from stockcaster.reporting.progress import task_progress
    from stockcaster.training.global_model import GlobalConfig
    from stockcaster.universe import UniverseConfig, parse_universe_models
    from stockcaster.universe import universe as universe_job

    base = GlobalConfig()
    global_model = GlobalConfig(
        lookback=lookback,
        features=features,
        embedding_dim=embedding_dim,
        model=base.model,
        training=dataclasses.replace(base.training, epochs=epochs, batch_size=batch_size),
    )
    plan = UniverseConfig(
        mode=mode,
        models=parse_universe_models(models),
        test_fraction=test_fraction,
        min_history=min_history,
        retrain_every=retrain_every,
        top_k=top_k,
        cost_bps=cost_bps,
        ma_window=ma_window,
        global_model=global_model,
        preset=preset,
    )
    wanted = None if symbols is None else [s.strip() for s in symbols.split(",") if s.strip()]
    show = _show_progress(quiet, json_output)
    try:
        with native_log_filtered(), task_progress(console, show) as bar:
            result = universe_job(
                data, plan, wanted, out=out, resume=resume, engine=engine, workers=workers,
                ray_address=ray_address, strict=strict, **_source(columns, fill), progress=bar,
            )  # fmt: skip
    except KeyboardInterrupt:
        # Every symbol stored so far is complete (one transaction each); say how to go on.
        sys.stderr.write(
            f"interrupted: finished symbols are kept in {out}; add --resume to continue\n"
        )
        raise typer.Exit(130) from None
    if json_output:
        _print_json({**result.summary, "folder": str(result.folder)})
        return
    _print_scores(console, result.summary)
    console.print(f"outputs: {result.folder} (report.html, universe.json, symbols.csv)")


def _choose_backend(backend: str) -> None:
    """Set the Keras backend before Keras is first imported.

    Raises:
        StockcasterError: an unknown backend, or Keras already running another one.
    """
    if backend not in BACKENDS:
        raise StockcasterError(
            f"--backend: expected one of {', '.join(BACKENDS)}, received {backend!r}"
        )
    if "keras" in sys.modules:
        running = sys.modules["keras"].backend.backend()
        if running != backend:
            raise StockcasterError(
                f"--backend: expected {running!r}, the backend Keras already runs in this "
                f"process, received {backend!r}"
            )
        return
    os.environ["KERAS_BACKEND"] = backend


def _print_scores(console: Console, summary: dict) -> None:
    from rich.table import Table

    counts = summary["symbols"]
    table = Table(
        title=f"{counts.get('done', 0)} symbols run, {counts.get('skipped', 0)} skipped, "
        f"{counts.get('failed', 0)} failed · one step ahead, against naive"
    )
    for name in ("model", "median MSE ratio", "beats naive", "DM wins", "DM losses",
                 "mean rank IC", "L/S annual", "L/S IR"):  # fmt: skip
        table.add_column(name, justify="left" if name == "model" else "right")
    for row in summary["scores"]:
        cross = summary["cross_section"].get(row["model"], {})
        ic, book = cross.get("ic", {}), cross.get("portfolio", {})
        table.add_row(
            row["model"],
            _num(row["median_mse_ratio"]),
            _num(row["share_beating_naive"], "{:.0%}"),
            str(row["dm_wins"]),
            str(row["dm_losses"]),
            _num(ic.get("mean_rank_ic")),
            _num(book.get("annual_return"), "{:.1%}"),
            _num(book.get("information_ratio"), "{:.2f}"),
        )
    console.print(table)


def _num(value: float | None, form: str = "{:.4f}") -> str:
    return "" if value is None else form.format(value)
