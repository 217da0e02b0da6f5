"""`stockcaster universe --target variance`: tomorrow's risk for every symbol of a panel.

The steps: load and validate the panel (data/), measure each day's variance with the range
estimator (features/volatility.py), walk the per-symbol models forward over each symbol's
test period (the panel's last `test_fraction` of trading days) as engine tasks (the
baselines and any family on the symbol's own log variance, models/variance.py), fit each
global family once on every symbol's days up to the cutoff (models/variance_panel.py),
score every symbol and pool the scores (evaluation/risk_pool.py), and write the run folder.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.frames import data_label
from stockcaster.data.panel import load_panel, select_symbols
from stockcaster.data.quality import price_notes
from stockcaster.engines import EngineConfig, Outcome, make_engine
from stockcaster.errors import StockcasterError, failing_fit
from stockcaster.evaluation.risk_pool import (
    daily,
    day_rows,
    pooled,
    symbol_scores,
    with_confidence_set,
)
from stockcaster.features.split import last_training_day
from stockcaster.features.volatility import daily_variance, log_returns
from stockcaster.jobs.envelope import check_output, job, reproducibility
from stockcaster.jobs.risk import HISTORY, MEASURED, RESIDUALS_FROM, still_training_days
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.models.options import ModelOptions, check_settings_run
from stockcaster.models.presets import RunConfig, load_preset
from stockcaster.models.registry import DEFAULT_MODEL
from stockcaster.models.variance import FAMILIES, VOLATILITY_MODELS, variance_walk, walk_variance
from stockcaster.models.variance_panel import PanelVariance, SymbolVariance
from stockcaster.models.volatility import BASELINES, training_residuals
from stockcaster.reporting.html import write_report
from stockcaster.reporting.risk_figures import universe_risk_figure
from stockcaster.settings import check_count, check_names, check_share
from stockcaster.store import files


@dataclass(frozen=True)
class RiskUniversePlan:
    """What a universe's variance run walks.

    Attributes:
        models: per-symbol models: baselines and families by name (each symbol its own).
        global_models: families fitted once over every symbol (`variance_panel.py`).
        horizon: the mean variance of the next h days is scored beside tomorrow's.
        retrain_every: origins between the per-symbol models' refits; 0 fits once.
        test_fraction: the panel's share of trading days, from the end, tested.
        estimator: a day's variance (`features/volatility.py`).
    """

    models: tuple[str, ...] = tuple(BASELINES)
    global_models: tuple[str, ...] = (DEFAULT_MODEL,)
    horizon: int = 1
    retrain_every: int = 21
    test_fraction: float = 0.25
    estimator: str = "garman_klass"
    preset: RunConfig = field(default_factory=lambda: load_preset("default"))
    global_model: RunConfig = field(default_factory=lambda: load_preset("universe"))
    settings: tuple = ()

    def horizons(self) -> tuple[int, ...]:
        return tuple(sorted({1, self.horizon}))

    def check(self) -> None:
        """Raises: StockcasterError naming the option, as the command's would (a Python
        caller's string of names, a horizon of 2.5, a test fraction of "0.3")."""
        check_names(self.models, "--models", VOLATILITY_MODELS)
        check_names(self.global_models, "--global", FAMILIES)
        check_count(self.horizon, "--horizon")
        check_count(self.retrain_every, "--retrain-every", 0)
        check_share(self.test_fraction, "--test-fraction")

    def options(self) -> ModelOptions:
        return ModelOptions(self.preset, global_model=self.global_model, settings=self.settings)


@dataclass(frozen=True)
class RiskUniverseRun:
    folder: Path
    leaderboard: pd.DataFrame  # pooled, a row per model and horizon
    var: pd.DataFrame  # pooled, a row per model and shape
    summary: dict


@job
def risk_universe(
    source: PanelSource,
    plan: RiskUniversePlan | None = None,
    *,
    out: str | Path = "runs",
    engine: EngineConfig | None = None,
) -> RiskUniverseRun:
    """Forecast every symbol's variance, walk it forward, and pool the scores.

    Raises:
        StockcasterError: bad input, before anything is fitted or written.
    """
    plan = plan or RiskUniversePlan()
    plan.check()
    started = time.perf_counter()
    check_settings_run(plan.settings, [*plan.models, *plan.global_models])
    panel, cutoff, failed, notes = _panel(source, plan)
    for name in plan.models:
        variance_walk(name, plan.options())  # an unknown name is refused before any work
    check_output(out)
    runner = make_engine(engine or EngineConfig())
    runner.check()
    scores: dict[str, dict] = {}
    rows: list[pd.DataFrame] = []
    forecasts = _global_forecasts(panel, plan)

    def keep(outcome: Outcome) -> None:
        if not outcome.ok:
            failed[outcome.key] = outcome.error
            return
        days, mine = panel[outcome.key], outcome.value
        for name, (walked, residuals) in forecasts.get(outcome.key, {}).items():
            mine["forecasts"][name], mine["residuals"][name] = walked, residuals
        origins = np.arange(days.first, len(days.v) - 1)
        try:
            scores[outcome.key] = symbol_scores(days.v, days.r, origins, plan.horizons(),
                                                mine["forecasts"], mine["residuals"])  # fmt: skip
        except StockcasterError as err:  # no VaR shape fits (a global model's days still)
            failed[outcome.key] = str(err)
            return
        one_day = {m: f[:, 0] for m, f in mine["forecasts"].items()}
        rows.append(day_rows(days.dates[origins + 1], days.v[origins + 1], one_day,
                             scores[outcome.key]))  # fmt: skip

    runner.run(risk_symbol_task, panel, plan, list(panel), keep)
    if not scores:  # each symbol run failed: the first one's reason
        why = next((f" ({s}: {failed[s]})" for s in failed if s in panel), "")
        raise StockcasterError(
            f"{data_label(source.data)}: expected a symbol whose models ran, received none{why}"
        )
    seconds = time.perf_counter() - started
    return _write(out, source, plan, (scores, daily(rows)), (failed, notes), cutoff, seconds)


def risk_symbol_task(panel: dict, plan: RiskUniversePlan, symbol: str) -> dict:
    """The engine task: one symbol's per-symbol models walked over its test period."""
    days = panel[symbol]
    origins = np.arange(days.first, len(days.v) - 1)
    found = {"forecasts": {}, "residuals": {}}
    for name in plan.models:
        walk = variance_walk(name, plan.options())
        found["residuals"][name] = training_residuals(walk, days.v, days.r, days.first,
                                                      RESIDUALS_FROM)  # fmt: skip
        found["forecasts"][name] = walk_variance(walk, days.v, days.r, origins,
                                                 plan.horizons(), plan.retrain_every)  # fmt: skip
    return found


def _panel(source: PanelSource, plan: RiskUniversePlan) -> tuple:
    """Each symbol with `HISTORY` days before the cutoff and 60 after it, as days of
    variance and returns; the cutoff; why each other symbol was left out; and what the
    prices of those kept say of themselves (`price_notes`)."""
    loaded = load_panel(source.data, source.columns, source.fill, source.strict)
    chosen = select_symbols(loaded, source.symbols)
    prices = loaded.prices[loaded.prices[C.SYMBOL].isin(chosen)]
    days = np.unique(prices[C.DATE].to_numpy(dtype="datetime64[ns]"))
    if not len(days):
        raise StockcasterError(f"{loaded.source}: expected a symbol without broken rows")
    cutoff = last_training_day(days, plan.test_fraction)
    panel, left_out = {}, dict(loaded.broken)
    after = max(60, plan.horizon + 1)  # the cutoff and a test day for each day of --horizon
    asked = f" (--horizon {plan.horizon})" if after > 60 else ""
    for symbol, table in prices.groupby(C.SYMBOL, sort=True):
        table = table.reset_index(drop=True)
        first = int(np.searchsorted(table[C.DATE].to_numpy(), cutoff, side="right")) - 1
        if first + 1 < HISTORY or len(table) - first < after:
            left_out[symbol] = (
                f"expected {HISTORY} days before the cutoff and {after} after it{asked}"
            )
            continue
        v, _ = daily_variance(table, plan.estimator)
        if np.isfinite(v[first + 1 :]).sum() < MEASURED:
            left_out[symbol] = f"expected {MEASURED} test days whose variance it measures"
            continue
        r = log_returns(table)
        still = still_training_days(r, first)
        if still:
            left_out[symbol] = still
            continue
        panel[symbol] = SymbolVariance(v, r, first, table[C.DATE].to_numpy())
    if not panel:
        raise StockcasterError(
            f"{loaded.source}: expected a symbol with {HISTORY} days before the cutoff "
            f"{pd.Timestamp(cutoff):%Y-%m-%d} and {after} after it{asked}, received none"
        )
    return panel, cutoff, left_out, price_notes(prices[prices[C.SYMBOL].isin(list(panel))])


def _global_forecasts(panel: dict, plan: RiskUniversePlan) -> dict[str, dict]:
    """symbol -> global model -> (`[origins, horizons]` forecasts, training residuals)."""
    found: dict[str, dict] = {s: {} for s in panel}
    for name in plan.global_models:
        columns: dict[str, list] = {s: [] for s in panel}
        residuals = {}
        for h in plan.horizons():
            model = PanelVariance(name, plan.options(), h)
            with failing_fit(f"--models: expected global {name} to fit the panel's log variance"):
                model.fit(panel)
            for symbol, days in panel.items():
                columns[symbol].append(model.forecast(symbol)[1][:-1])  # the last: no next day
                if h == 1:
                    residuals[symbol] = model.training_residuals(symbol, RESIDUALS_FROM, days.r)
        for symbol in panel:
            found[symbol][f"global_{name}"] = (np.column_stack(columns[symbol]), residuals[symbol])
    return found


def _write(out, source, plan, scored, said, cutoff, seconds) -> RiskUniverseRun:
    (scores, days), (failed, notes) = scored, said
    board, var = pooled(scores, plan.horizons())
    board = with_confidence_set(board, days)
    summary = {
        "source": data_label(source.data), "target": "variance", "estimator": plan.estimator,
        "cutoff": f"{pd.Timestamp(cutoff):%Y-%m-%d}", "symbols": len(scores),
        "left_out": failed, "notes": notes, "models": list(plan.models),
        "global_models": list(plan.global_models), "horizon": plan.horizon,
        "retrain_every": plan.retrain_every, "seconds": seconds,
        "leaderboard": files.records(board), "var": files.records(var),
        "global_model": asdict(plan.global_model),
        "reproducibility": reproducibility(plan.global_model.training.seed),
    }  # fmt: skip
    folder = files.RunFolder(Path(out), files.new_run_name("universe", "risk"))
    with folder:
        board.to_csv(folder.path / files.LEADERBOARD_CSV, index=False)
        var.to_csv(folder.path / files.VAR_CSV, index=False)
        files.write_json(folder.path / files.RISK_UNIVERSE_FILE, summary)
        files.write_csv(days, folder.path / files.RISK_DAILY_CSV, date_format="%Y-%m-%d")
        universe_risk_figure(days, board, folder.path / files.RISK_FIGURE)
    write_report(folder.final)
    return RiskUniverseRun(folder.final, board, var, files.strict(summary))
