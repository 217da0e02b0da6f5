"""`stockcaster universe`: many symbols at once, judged one by one and as a cross-section.

The steps: load the long-format file, setting broken symbols aside (data/panel.py);
pick the symbols and one cutoff date for all of them; in global mode train one LSTM on
every symbol's training windows and forecast their test days (training/global_model.py);
walk each symbol's models forward and score them against naive as engine tasks
(symbol_work.py, engines/), storing each symbol as it finishes (reporting/store.py);
then aggregate across symbols (evaluation/cross_section.py) and write the report.

The run folder holds the store, so `--resume` in the same folder skips every symbol
already finished and ends with the same results as a run that was never interrupted.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.backtest import parse_models
from stockcaster.config import load_preset
from stockcaster.data import FillPolicy
from stockcaster.data.panel import Panel, load_panel, select_symbols
from stockcaster.engines import ENGINES, Outcome, make_engine
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.cross_section import cross_section
from stockcaster.provenance import command_line, versions
from stockcaster.reporting import run_folder as files
from stockcaster.reporting.store import DONE, FAILED, SKIPPED, ResultsStore, SymbolRecord
from stockcaster.symbol_work import (
    GLOBAL_MODEL,
    PanelArrays,
    SymbolJob,
    evaluate_symbol,
    history_shortfall,
)
from stockcaster.training.global_model import GlobalConfig

Mode = Literal["per-symbol", "global"]
MODES: tuple[str, ...] = ("per-symbol", "global")
DEFAULT_MODELS = ("naive", "drift", "ma", "arima", "lstm")
GLOBAL_STAGE = "global_model"

GLOBAL_MODEL_FILE = "global_model.keras"


@dataclass(frozen=True)
class UniverseConfig:
    """How a universe run is done (besides the data and the folder).

    Attributes:
        mode: "global" (one LSTM for all symbols) or "per-symbol" (one per symbol).
        models: model names; "lstm" is the global or the per-symbol LSTM.
        test_fraction: share of the panel's trading days, from the end, forecast.
        min_history: fewest closes up to the cutoff for a symbol to be run.
        retrain_every: refits of per-symbol models, in origins (0: fit once).
        top_k: symbols long and short in the cross-sectional portfolio.
        cost_bps: trading cost per unit of weight traded, in basis points.
        ma_window: closes averaged by the moving-average baseline.
        global_model: the global LSTM's config.
        preset: the per-symbol LSTM's preset.
    """

    mode: Mode = "global"
    models: tuple[str, ...] = DEFAULT_MODELS
    test_fraction: float = 0.25
    min_history: int = 60
    retrain_every: int = 0
    top_k: int = 10
    cost_bps: float = 5.0
    ma_window: int = 5
    global_model: GlobalConfig = field(default_factory=GlobalConfig)
    preset: str = "default"

    def check(self) -> None:
        """Raises: StockcasterError for a value out of range."""
        if self.mode not in MODES:
            raise StockcasterError(
                f"--mode: expected one of {', '.join(MODES)}, received {self.mode!r}"
            )
        if not 0 < self.test_fraction < 1:
            raise StockcasterError(
                f"--test-fraction: expected a share in (0, 1), received {self.test_fraction}"
            )
        for name in ("min_history", "top_k", "ma_window"):
            if getattr(self, name) < 1:
                raise StockcasterError(
                    f"--{name.replace('_', '-')}: expected at least 1, "
                    f"received {getattr(self, name)}"
                )
        if self.cost_bps < 0 or self.retrain_every < 0:
            raise StockcasterError(
                f"--cost-bps and --retrain-every: expected 0 or more, received "
                f"{self.cost_bps} and {self.retrain_every}"
            )


@dataclass(frozen=True)
class UniverseRun:
    """What a universe run leaves: its folder, per-symbol results and aggregates."""

    folder: Path
    symbols: pd.DataFrame  # symbol, status, reason, tries, seconds
    metrics: pd.DataFrame  # one row per symbol and model
    summary: dict


def parse_universe_models(text: str | None) -> tuple[str, ...]:
    """`--models` for a universe run; None gives naive, drift, ma, arima and lstm."""
    if text is None:
        return DEFAULT_MODELS
    return tuple(parse_models(text))


def universe(
    data: str | Path,
    config: UniverseConfig,
    symbols: list[str] | None = None,
    *,
    out: str | Path = "runs/universe",
    resume: bool = False,
    engine: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    strict: bool = False,
    columns: Mapping[str, str] | None = None,
    fill: FillPolicy | None = None,
    progress: Callable[[str, int], Callable[[], None]] | None = None,
    on_symbol: Callable[[SymbolRecord], None] | None = None,
) -> UniverseRun:
    """Run and judge every model on every symbol of a long-format price file.

    Args:
        data: the price file (one row per date and symbol).
        config: mode, models, split and portfolio settings.
        symbols: symbols to run, in order; None for every symbol in the file.
        out: the run folder; it holds the results store.
        resume: continue the run in `out`, skipping symbols already finished.
        engine: "local" (processes on this machine) or "ray".
        workers: processes (local) or CPUs of a Ray instance started here.
        ray_address: an existing Ray cluster.
        strict: stop at the first broken row instead of skipping its symbol.
        columns, fill: as for the other commands.
        progress: given a stage's name and its number of steps, returns the function to
            call after each step.
        on_symbol: called with each symbol's record once it is stored.

    Raises:
        StockcasterError: bad input or a folder that cannot be used, before any result
            is written.
    """
    config.check()
    if engine not in ENGINES:
        raise StockcasterError(
            f"--engine: expected one of {', '.join(ENGINES)}, received {engine!r}"
        )
    preset = load_preset(config.preset)
    runner = make_engine(engine, workers, ray_address)
    runner.check()
    panel = load_panel(data, columns, fill, strict)
    chosen = select_symbols(panel, symbols)
    runnable = [s for s in chosen if s not in panel.broken]
    prices = panel.prices[panel.prices[C.SYMBOL].isin(runnable)].reset_index(drop=True)
    if prices.empty:
        raise StockcasterError(
            f"{panel.source}: expected at least one symbol without broken rows, received "
            f"none among {len(chosen)}"
        )
    cutoff = _cutoff(prices, config.test_fraction)
    eligible = _eligible(prices, cutoff, config.min_history)
    if not eligible:
        raise StockcasterError(
            f"{panel.source}: expected at least one symbol with {config.min_history} closes up "
            f"to the cutoff {pd.Timestamp(cutoff):%Y-%m-%d} and one after it, received none "
            f"among {len(runnable)} (lower --min-history or --test-fraction)"
        )
    settings = _settings(panel, chosen, config, cutoff)
    folder = _open_folder(Path(out), resume, settings)
    started = time.perf_counter()
    with ResultsStore(folder) as store:
        store.save_settings(settings)
        done = store.finished()
        for name in chosen:
            if name in panel.broken and name not in done:
                store.write(SymbolRecord(name, SKIPPED, panel.broken[name]))
        job = SymbolJob(
            cutoff=cutoff,
            models=tuple(m for m in config.models if not _is_global(m, config)),
            given_models=tuple(m for m in config.models if _is_global(m, config)),
            min_history=config.min_history,
            retrain_every=config.retrain_every,
            ma_window=config.ma_window,
            cost_bps=config.cost_bps,
            preset=preset,
        )
        given = None
        if job.given_models:
            given = _global_forecasts(store, folder, prices, eligible, cutoff, config, progress)
        shared = PanelArrays.from_prices(prices, given)
        todo = [s for s in runnable if s not in done]
        advance = progress("symbols", len(todo)) if progress and todo else None

        def keep(outcome: Outcome) -> None:
            record = outcome.value if outcome.ok else _failed(outcome)
            store.write(record)
            if advance:
                advance()
            if on_symbol:
                on_symbol(record)

        runner.run(evaluate_symbol_task, shared, job, todo, keep)
        seconds = time.perf_counter() - started
        result = _finish(folder, store, config, settings, seconds)
    return result


def evaluate_symbol_task(shared: PanelArrays, job: SymbolJob, symbol: str) -> SymbolRecord:
    """The engine task: one symbol's walk-forward and scores."""
    return evaluate_symbol(shared, job, symbol)


def _is_global(model: str, config: UniverseConfig) -> bool:
    return model == GLOBAL_MODEL and config.mode == "global"


def _cutoff(prices: pd.DataFrame, test_fraction: float) -> np.datetime64:
    """The last training day: the same share of the panel's trading days for all symbols."""
    days = np.unique(prices[C.DATE].to_numpy(dtype="datetime64[ns]"))
    return days[max(0, int((1 - test_fraction) * len(days)) - 1)]


def _settings(panel: Panel, chosen: list[str], config: UniverseConfig, cutoff) -> dict:
    """What makes two runs comparable; a resumed run must match it exactly."""
    prices = panel.prices
    digest = hashlib.sha256()
    digest.update(prices[C.SYMBOL].to_numpy().astype(str).astype("U").tobytes())
    digest.update(prices[C.DATE].to_numpy(dtype="datetime64[ns]").tobytes())
    digest.update(prices[C.CLOSE].to_numpy(dtype="float64").tobytes())
    settings = {
        "data": {"source": panel.source, "rows": len(prices), "sha256": digest.hexdigest()},
        "symbols": chosen,
        "cutoff": f"{pd.Timestamp(cutoff):%Y-%m-%d}",
        "config": asdict(config),
        "backend": _keras_backend(),
    }
    # Through JSON and back: tuples become lists, as they will be when read from the store.
    return json.loads(json.dumps(settings, default=files.jsonable))


def _keras_backend() -> str:
    """The backend Keras runs on here, or will when first imported."""
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


def _open_folder(out: Path, resume: bool, settings: dict) -> Path:
    """Create the run folder, or check that a resumed one holds the same run."""
    from stockcaster.reporting.store import STORE_FILE

    store = out / STORE_FILE
    if store.exists() and not resume:
        raise StockcasterError(
            f"{out}: expected a new folder, received one that holds a universe run "
            "(add --resume to continue it, or choose another --out)"
        )
    if store.exists():
        with ResultsStore(out) as existing:
            before = existing.settings()
        if before is not None and before != settings:
            key = next(k for k in settings if before.get(k) != settings[k])
            raise StockcasterError(
                f"{out}: expected --resume with the settings of the stored run, received "
                f"a different {key!r} (start a new run with another --out)"
            )
    elif out.exists() and any(out.iterdir()):
        raise StockcasterError(
            f"{out}: expected an empty or new folder for the run, received one with files"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def _global_forecasts(
    store: ResultsStore,
    folder: Path,
    prices: pd.DataFrame,
    eligible: list[str],
    cutoff: np.datetime64,
    config: UniverseConfig,
    progress,
) -> pd.Series:
    """The global model's test forecasts aligned with `prices` rows.

    Trained once per run, on the `eligible` symbols; a resumed run reads them from the store.
    """
    if store.stage(GLOBAL_STAGE) is None:
        from stockcaster.training.global_model import forecast_test_days, train_global

        learn = prices[prices[C.SYMBOL].isin(eligible)].reset_index(drop=True)
        advance = progress("global lstm", 1) if progress else None
        fit = train_global(learn, cutoff, config.global_model)
        forecasts = forecast_test_days(fit, config.global_model)
        files.write_atomic(folder / GLOBAL_MODEL_FILE, fit.network.save)
        store.write_stage(
            GLOBAL_STAGE,
            {
                "symbols": len(eligible),
                "train_windows": fit.train_windows,
                "validation_windows": fit.validation_windows,
                "best_epoch": fit.best_epoch,
                "epochs": len(fit.history["loss"]),
                "seconds": fit.seconds,
                "history": fit.history,
            },
            forecasts,
        )
        if advance:
            advance()
    stored = store.stage_forecasts(GLOBAL_STAGE)
    keys = pd.MultiIndex.from_frame(prices[[C.SYMBOL, C.DATE]])
    values = stored.set_index(["symbol", "date"])["yhat"]
    return pd.Series(values.reindex(keys).to_numpy(), index=prices.index)


def _eligible(prices: pd.DataFrame, cutoff: np.datetime64, min_history: int) -> list[str]:
    """Symbols with enough closes up to the cutoff and at least one day after it."""
    dates = prices[C.DATE]
    before = (dates <= cutoff).groupby(prices[C.SYMBOL]).sum()
    after = (dates > cutoff).groupby(prices[C.SYMBOL]).sum()
    return sorted(
        name
        for name in before.index
        if history_shortfall(before[name], after[name], cutoff, min_history) is None
    )


def _failed(outcome: Outcome) -> SymbolRecord:
    return SymbolRecord(outcome.key, FAILED, outcome.error, attempts=outcome.tries)


def _finish(
    folder: Path, store: ResultsStore, config: UniverseConfig, settings: dict, seconds: float
) -> UniverseRun:
    """Aggregate the stored results and write the summary, tables, figures and report."""
    symbols = store.symbols()
    metrics = store.metrics()
    forecasts = store.forecasts()
    runnable = int((symbols["status"] == DONE).sum())
    k = max(1, min(config.top_k, runnable // 2))
    aggregates = cross_section(metrics, forecasts, k, config.cost_bps) if len(metrics) else None
    counts = symbols["status"].value_counts().to_dict()
    summary = {
        "settings": settings,
        "symbols": {"done": 0, "skipped": 0, "failed": 0, **counts},
        "skipped": _reasons(symbols, SKIPPED),
        "failed": _reasons(symbols, FAILED),
        "global_model": store.stage(GLOBAL_STAGE),
        "scores": files.records(aggregates["scores"]) if aggregates else [],
        "cross_section": aggregates["models"] if aggregates else {},
        "seconds_this_session": seconds,
        "reproducibility": {"command": command_line(), "versions": versions()},
    }
    from stockcaster.reporting.universe_report import write_universe_outputs

    write_universe_outputs(folder, summary, metrics, aggregates)
    return UniverseRun(folder, symbols, metrics, summary)


def _reasons(symbols: pd.DataFrame, status: str) -> dict[str, str]:
    rows = symbols[symbols["status"] == status]
    return dict(zip(rows["symbol"], rows["reason"].fillna(""), strict=True))


__all__ = ["MODES", "UniverseConfig", "UniverseRun", "universe"]
