"""`stockcaster universe`: many symbols at once, judged one by one and as a cross-section.

The steps: read the long-format file, setting broken symbols aside, and pick the symbols
and one cutoff date for all of them (`universe_plan.py`); in global mode train one model
on every symbol's training windows and forecast their test days (models/global_model.py);
walk each symbol's models forward and score them against naive as engine tasks
(evaluation/symbol_work.py, engines/), storing each symbol as it finishes (store/);
then aggregate across symbols (evaluation/cross_section.py) and write the report.

The run folder holds the store, so `--resume` in the same folder skips every symbol
already finished and ends with the same results as a run that was never interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.data.quality import price_notes
from stockcaster.engines import Engine, EngineConfig, LocalEngine, Outcome, make_engine
from stockcaster.evaluation.cross_section import cross_section
from stockcaster.evaluation.forecast_rows import check_some_forecast, failing_models
from stockcaster.evaluation.intervals import interval_scores
from stockcaster.evaluation.risk_books import predicted_deviation
from stockcaster.evaluation.symbol_scores import DONE, FAILED, SKIPPED, SymbolRecord
from stockcaster.evaluation.symbol_work import (
    PanelArrays,
    SymbolJob,
    evaluate_symbol,
    evaluate_symbols,
)
from stockcaster.jobs.envelope import job, reproducibility
from stockcaster.jobs.signals import universe_tear_sheet
from stockcaster.jobs.universe_bundle import check_save, check_saved_days, save_from_run
from stockcaster.jobs.universe_panel import (
    GLOBAL_STAGE,
    fit_records,
    panel_forecasts,
    schedule,
)
from stockcaster.jobs.universe_plan import (
    PanelSource,
    UniverseConfig,
    UniversePlan,
    plan_universe,
)
from stockcaster.models.registry import ModelOptions, all_closed_form
from stockcaster.reporting.universe_outputs import write_universe_outputs
from stockcaster.store import files
from stockcaster.store.lock import locked_folder
from stockcaster.store.results import ResultsStore
from stockcaster.store.universe_folder import open_run_folder

__all__ = ["GLOBAL_STAGE", "UniverseRun", "universe"]

Progress = Callable[[str, int], Callable[[], None]]
"""Given a stage's name and its number of steps, the function to call after each step."""


@dataclass(frozen=True)
class UniverseRun:
    """What a universe run leaves: its folder, per-symbol results and aggregates."""

    folder: Path
    symbols: pd.DataFrame  # symbol, status, reason, tries, seconds
    metrics: pd.DataFrame  # one row per symbol and model
    summary: dict


@job
def universe(
    source: PanelSource,
    config: UniverseConfig | None = None,
    *,
    out: str | Path = "runs/universe",
    resume: bool = False,
    engine: EngineConfig | None = None,
    progress: Progress | None = None,
    on_symbol: Callable[[SymbolRecord], None] | None = None,
    save: str | Path | None = None,
) -> UniverseRun:
    """Run and judge every model on every symbol of a long-format price file.

    Args:
        source: the price file and the symbols to run.
        config: mode, models, split and portfolio settings.
        out: the run folder; it holds the results store.
        resume: continue the run in `out`, skipping symbols already finished.
        engine: where the per-symbol work runs (here, worker processes, Ray).
        progress: for progress bars (see `Progress`).
        on_symbol: called with each symbol's record once it is stored.
        save: also write a universe bundle of the first global network there
            (`jobs/universe_bundle.py`), for `predict`.

    Raises:
        StockcasterError: bad input or a folder that cannot be used, before any result
            is written.
    """
    config = config or UniverseConfig()
    config.check()
    check_save(save, config.panel_models())
    options = config.model_options()
    runner = make_engine(engine or EngineConfig())
    runner.check()
    plan = plan_universe(source, config)
    check_saved_days(save, plan.prices, plan.panel.source)
    with (  # one command at a time in a run folder: a second one alongside is refused
        locked_folder(Path(out)) as folder,
        ResultsStore(open_run_folder(folder, resume, plan.settings)) as store,
    ):
        started = time.perf_counter()
        store.save_settings(plan.settings)
        done = store.finished()
        for name in plan.chosen:
            if name in plan.panel.broken and name not in done:
                store.write(SymbolRecord(name, SKIPPED, plan.panel.broken[name]))
        when = schedule(plan, config) if config.panel_models() else None
        made = _global_forecasts(store, folder, when, plan, config, options, progress)
        given = {name: frame[C.YHAT] for name, frame in made.items()}
        job = _symbol_job(plan, config, options, tuple(given))
        shared = PanelArrays.from_prices(plan.prices, given)
        todo = [s for s in plan.runnable if s not in done]
        _run_symbols(runner, shared, job, todo, store, progress, on_symbol)
        fits = fit_records(store, config, len(when.cutoffs)) if when else {}
        bands = interval_scores(plan.prices, made, config.global_model.model.quantiles)
        sigma = predicted_deviation(plan.prices, plan.cutoff) if config.weights != "equal" else None
        seconds = time.perf_counter() - started
        if save is not None:
            save_from_run(Path(save), folder, when, config, plan.panel.source)
        return _finish(folder, store, config, plan, seconds, fits, (bands, sigma))


def _symbol_job(plan, config: UniverseConfig, options: ModelOptions, given: tuple) -> SymbolJob:
    """Each symbol's share of the run: its own models, and the global models' forecasts."""
    return SymbolJob(
        cutoff=plan.cutoff,
        models=tuple(m for m in config.models if m not in config.panel_models()),
        given_models=given,
        ranking_models=given if config.global_model.features.target != "log_return" else (),
        min_history=config.min_history,
        retrain_every=config.retrain_every,
        cost_bps=config.cost_bps,
        options=options,
    )


def evaluate_symbol_task(shared: PanelArrays, job: SymbolJob, symbol: str) -> SymbolRecord:
    """The engine task: one symbol's walk-forward and scores."""
    return evaluate_symbol(shared, job, symbol)


def _run_symbols(
    runner: Engine,
    shared: PanelArrays,
    job: SymbolJob,
    todo: list[str],
    store: ResultsStore,
    progress: Progress | None,
    on_symbol: Callable[[SymbolRecord], None] | None,
) -> None:
    """Run every symbol still to do on the engine, storing each as it finishes.

    Closed-form models (naive, drift, moving average), or none (only the global models'
    forecasts to score), run in this process whatever the engine, in batches of
    `BATCH` symbols scored in one pass and stored in one transaction: a symbol's work is
    a millisecond of arithmetic, less than what sending it to a worker costs, and starting
    workers costs seconds. Results are the same.
    """
    advance = progress("symbols", len(todo)) if progress and todo else None

    def keep(batch: list[SymbolRecord]) -> None:
        store.write_many(batch)
        for record in batch:
            if advance:
                advance()
            if on_symbol:
                on_symbol(record)

    if all_closed_form(job.models):
        for start in range(0, len(todo), BATCH):
            keep(_batch(shared, job, todo[start : start + BATCH]))
        return
    runner.run(
        evaluate_symbol_task,
        shared,
        job,
        todo,
        lambda outcome: keep([outcome.value if outcome.ok else _failed(outcome)]),
    )


BATCH = 100
"""Symbols of closed-form models scored and stored at once: a tenth of a second's work."""


def _batch(shared: PanelArrays, job: SymbolJob, symbols: list[str]) -> list[SymbolRecord]:
    """The batch's records, in one pass; if that fails, symbol by symbol (each its own error)."""
    try:
        return evaluate_symbols(shared, job, symbols)
    except Exception:  # a symbol's failure is a result: find which, as the engine would
        records: list[SymbolRecord] = []
        LocalEngine(workers=1).run(
            evaluate_symbol_task,
            shared,
            job,
            symbols,
            lambda o: records.append(o.value if o.ok else _failed(o)),
        )
        return records


def _global_forecasts(store, folder, when, plan, config, options, progress) -> dict:
    """Every global model's test forecasts (none without one), trained or read back."""
    if when is None:
        return {}
    advance = (
        progress("global models", len(config.panel_pairs()) * len(when.cutoffs))
        if progress
        else None
    )
    return panel_forecasts(store, folder, when, plan.prices, config, options, advance)


def _failed(outcome: Outcome) -> SymbolRecord:
    return SymbolRecord(outcome.key, FAILED, outcome.error, attempts=outcome.tries)


def _finish(
    folder: Path,
    store: ResultsStore,
    config: UniverseConfig,
    plan: UniversePlan,
    seconds: float,
    fits: dict[str, list[dict]],
    bands_sigma: tuple[dict[str, dict], pd.DataFrame | None],
) -> UniverseRun:
    """Aggregate the stored results and write the summary, tables, figures and report
    (`bands_sigma`: each global model's interval scores, and each symbol-day's predicted
    deviation when the books are weighted by it)."""
    bands, sigma = bands_sigma
    symbols = store.symbols()
    metrics = store.metrics()
    forecasts = store.forecasts()
    runnable = int((symbols["status"] == DONE).sum())
    k = max(1, min(config.top_k, runnable // 2))
    training = {name: sum(r.get("seconds", 0.0) for r in records) for name, records in fits.items()}
    aggregates = (
        cross_section(metrics, forecasts, k, config.cost_bps, training, sigma)
        if len(metrics)
        else None
    )
    counts = symbols["status"].value_counts().to_dict()
    failed = failing_models(store.failures(), metrics)
    if failed:  # a run whose symbols all failed, not its models, still completes
        first_errors = {model: f["first"] for model, f in failed.items()}
        check_some_forecast(len(metrics), first_errors, f"a symbol of {plan.panel.source}")
    sheet = (universe_tear_sheet(plan.prices, plan.cutoff, forecasts, config.cost_bps)
             if len(forecasts) else [])  # fmt: skip
    summary = {
        "settings": plan.settings,
        "tear_sheet": sheet,
        "symbols": {"done": 0, "skipped": 0, "failed": 0, **counts},
        "skipped": _reasons(symbols, SKIPPED),
        "failed": _reasons(symbols, FAILED),
        "model_failures": failed,
        "notes": price_notes(plan.prices),  # days that moved as a split would, long gaps
        "global_model": next((r[-1] for r in fits.values() if r), None),
        "global_models": fits,
        "intervals": bands,
        "scores": files.records(aggregates["scores"]) if aggregates else [],
        "cross_section": aggregates["models"] if aggregates else {},
        "leaderboard": files.records(aggregates["leaderboard"]) if aggregates else [],
        "seconds_this_session": seconds,
        "reproducibility": reproducibility(),
    }
    write_universe_outputs(folder, summary, metrics, aggregates)
    return UniverseRun(folder, symbols, metrics, summary)


def _reasons(symbols: pd.DataFrame, status: str) -> dict[str, str]:
    rows = symbols[symbols["status"] == status]
    return dict(zip(rows["symbol"], rows["reason"].fillna(""), strict=True))
