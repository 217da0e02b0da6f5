"""`stockcaster explain RUN`: what a universe run's global models looked at, or which days
of its window one symbol's network read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from stockcaster.cli.options import BundleCovariatesOption, ConfigOption, JsonOption
from stockcaster.cli.output import busy, console, print_json
from stockcaster.jobs import requests
from stockcaster.jobs.explain import explain as explain_job
from stockcaster.jobs.explained import EXPLAIN_FILE, REPEATS
from stockcaster.process import choose_backend, native_log_filtered
from stockcaster.reporting.numbers import figure, share
from stockcaster.reporting.tables import fitted_table

SHOWN = 10  # features per model in the terminal (explain.json has them all)


def explain(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A universe run's folder (--mode global), a universe bundle with --data, "
            "or one symbol's network: a run's folder or a bundle.",
            show_default=False,
        ),
    ],
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="A universe bundle's panel: its validation days are read from it; for a "
            "symbol's run or bundle, its file if moved.",
        ),
    ] = None,
    covariates: BundleCovariatesOption = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="One global model of the run (lightgbm:technical, ...). Default: every one.",
        ),
    ] = None,  # fmt: skip
    repeats: Annotated[
        int, typer.Option("--repeats", help="Shuffles per feature.", min=1)
    ] = REPEATS,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Say which features a universe run's global models (or a universe bundle's network)
    used, or which days of its window a symbol's network read: permutation importance on
    their validation days, SHAP for linear and lightgbm."""
    choose_backend(None)
    with native_log_filtered(), busy("explaining", not json_output):
        done = explain_job(folder, model, repeats, requests.bundle_panel(data, covariates))
    if json_output:
        print_json({e.name: e.record for e in done} | {"folder": str(folder)})
        return
    for e in done:
        columns = [("feature", 0), ("group", 2), ("MSE growth", 1), ("of MSE", 1), ("sd", 3)]
        keys = ["importance", "share", "std"]
        if "shap" in e.features:
            columns.append(("mean |SHAP|", 1))
            keys.append("shap")
        rows = [[escape(str(r["feature"])), escape(str(r["group"])),
                 *(figure(r[k]) if k != "share" else share(r[k]) for k in keys)]
                for _, r in e.features.head(SHOWN).iterrows()]  # fmt: skip
        held, shuffled = e.record.get("windows", "validation"), e.record.get("shuffled", "features")
        title = (f"{escape(e.name)} · {e.record['validation_windows']} {held} windows, "
                 f"shuffled {shuffled}")  # fmt: skip
        fitted_table(console, title, columns, rows)
        if e.record["caveat"]:
            console.print(f"[yellow]caveat:[/yellow] {escape(e.record['caveat'])}")
    written = Path(folder) / EXPLAIN_FILE
    if written.is_file():
        console.print(f"outputs: {escape(str(written))}")
