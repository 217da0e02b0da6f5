"""`stockcaster tune`: the options of a hyper-parameter search of one symbol.

The search's folder is `--out` itself (its study is kept there, for `--resume`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli import inputs
from stockcaster.cli.options import (
    ColumnsOption,
    ConfigOption,
    DataOption,
    FillOption,
    JsonOption,
    PresetOption,
    SymbolOption,
)
from stockcaster.cli.output import console, native_log_filtered, print_json
from stockcaster.jobs.tune import TuneConfig
from stockcaster.jobs.tune import tune as tune_job
from stockcaster.models.families import NEURAL
from stockcaster.settings import choose_backend
from stockcaster.tuning.search import PRUNERS, SAMPLERS


def tune(
    model: Annotated[
        str, typer.Option("--model", help=f"The network family searched: {', '.join(NEURAL)}.")
    ] = "lstm",
    trials: Annotated[int, typer.Option("--trials", help="Trials to finish.", min=1)] = 20,
    space: Annotated[
        Path | None,
        typer.Option("--space", help="TOML file overriding the family's search space."),
    ] = None,
    sampler: Annotated[
        str, typer.Option("--sampler", help=f"Optuna's sampler: {', '.join(SAMPLERS)}.")
    ] = "tpe",
    pruner: Annotated[
        str, typer.Option("--pruner", help=f"Stops poor trials early: {', '.join(PRUNERS)}.")
    ] = "median",
    folds: Annotated[
        int, typer.Option("--folds", help="Validation folds in the training part.", min=1)
    ] = 3,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Start no trial after this many minutes.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="The sampler's and networks' seed.")] = 0,
    data: DataOption = None,
    symbol: SymbolOption = None,
    preset: PresetOption = "default",
    out: Annotated[
        Path, typer.Option("--out", help="The search's folder (its study, trials, verdict).")
    ] = Path("runs/tune"),
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the search stored in --out.")
    ] = False,
    columns: ColumnsOption = None,
    fill: FillOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Search a network's hyper-parameters on the training years, then judge the search."""
    choose_backend(None)
    search = TuneConfig(
        family=model, trials=trials, space=space, sampler=sampler, pruner=pruner,
        folds=folds, timeout_minutes=timeout, seed=seed, preset=preset,
    )  # fmt: skip
    with native_log_filtered():
        summary = tune_job(inputs.source(data, symbol, columns, fill), search, out, resume)
    if json_output:
        print_json({**summary, "folder": str(out)})
        return
    best, verdict = summary["best"], summary["verdict"]
    console.print(
        f"best of {summary['trials']['finished']} trials: trial {best['trial']}, "
        f"validation ratio {best['validation_ratio']:.4f}, test ratio {best['test_ratio']:.4f}"
    )
    console.print(
        escape(verdict["sentence"]) + f"; deflated Sharpe {verdict['deflated_sharpe']:.2f}"
    )
    console.print(f"outputs: {escape(str(out))} (trials.csv, best.toml, tune.json)")
