"""`stockcaster signals`: return signals judged as a quant judges them, against the factors.

The steps: read and check the panel as a universe does (`universe_plan.py`); score every
symbol-day with each price-only factor (`features/factors.py`); for each horizon h, fit
each (panel model, feature set) pair once at the cutoff on the log-return of the next h
sessions (a direct target, `features/panel.py`) and take its forecast made at each test
day's close as that day's score; then judge every signal on the test days by the same
tear sheet (`evaluation/tear_sheet.py`): IC and rank IC with Newey-West t, quantile
returns, decile books rebalanced every h sessions with their break-even cost, and an
SPA test of each against the best factor. The factors are fitted on nothing; the models
on days up to the cutoff only, whose targets end there.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.frames import data_label
from stockcaster.data.quality import price_notes
from stockcaster.errors import failing_fit
from stockcaster.evaluation.cross_section import returns_panel
from stockcaster.evaluation.tear_sheet import DECILES, against_best, judge
from stockcaster.features.factors import (
    FACTORS,
    available,
    factor_scores,
    longest_history,
    short_of_history,
    warmup_notes,
)
from stockcaster.jobs.envelope import check_output, job, output_folder, reproducibility
from stockcaster.jobs.signals_plan import SignalsPlan
from stockcaster.jobs.universe_panel import pair_name
from stockcaster.jobs.universe_plan import (
    PanelSource,
    UniverseConfig,
    check_judgeable,
    plan_universe,
)
from stockcaster.models.options import ModelOptions
from stockcaster.models.registry import MODELS
from stockcaster.reporting.html import write_report
from stockcaster.store import files


@dataclass(frozen=True)
class SignalsRun:
    """A finished `signals` run: its folder, its board (a row per signal and horizon) and
    the summary written to `signals.json`."""

    folder: Path
    board: pd.DataFrame
    summary: dict


@job
def signals(
    source: PanelSource,
    plan: SignalsPlan | None = None,
    *,
    out: str | Path = "runs/signals",
    advance: Callable[[str], None] | None = None,
) -> SignalsRun:
    """Judge every factor and model of `plan` on the panel `source` (see the module).

    Args:
        advance: called with each signal's name as its scores are ready.

    Raises:
        StockcasterError: bad input or settings, before anything is fitted or written.
    """
    plan = plan or SignalsPlan()
    plan.check()
    started = time.perf_counter()
    config = UniverseConfig(
        models=plan.models, test_fraction=plan.test_fraction, min_history=plan.min_history,
        global_model=plan.global_model, features=plan.features, settings=plan.settings,
    )  # fmt: skip
    config.check()  # the test fraction, the history and the feature sets, as a universe's
    universe = plan_universe(source, config)
    check_judgeable(universe, plan.horizons)
    check_output(out)
    learn = universe.prices[universe.prices[C.SYMBOL].isin(universe.eligible)]
    rows, daily = judge_signals(learn.reset_index(drop=True), universe.cutoff, plan, advance)
    return _write(out, (source, plan, universe), rows, daily, time.perf_counter() - started)


def judge_signals(
    prices: pd.DataFrame, cutoff, plan: SignalsPlan, advance: Callable[[str], None] | None = None
) -> tuple[list[dict], dict]:
    """Every factor's and model's tear sheet at every horizon of `plan`, on the days from
    `cutoff` (the work of `signals` between reading the panel and writing the folder).

    Args:
        prices: the eligible symbols' prices, sorted by symbol and date.

    Returns:
        A row per signal and horizon, and each one's daily rank IC by (signal, horizon).
    """
    close, origins, scores = _factor_signals(prices, cutoff, plan.factors)
    rows, daily = [], {}
    for h in plan.horizons:
        found = dict(scores)
        for model, feature_set in [(m, f) for m in plan.models for f in plan.features]:
            name = pair_name(model, feature_set)
            found[name] = _model_scores(prices, cutoff, origins, plan, (model, feature_set, h))
            if advance:
                advance(f"{name}, h={h}")
        judged = {name: judge(score, close, h, plan.bins, plan.cost_bps, plan.buffer or None)
                  for name, score in found.items()}  # fmt: skip
        spa = against_best({n: d for n, (_, d) in judged.items()}, list(scores))
        for name, (row, series) in judged.items():
            daily[(name, h)] = series
            kind = "factor" if name in scores else "model"
            rows.append({"signal": name, "kind": kind, **row, "best_factor": spa["best"],
                         "spa_p_vs_best_factor": spa["pvalues"].get(name)})  # fmt: skip
    return rows, daily


def _factor_signals(prices: pd.DataFrame, cutoff, names: tuple[str, ...] | None = None) -> tuple:
    """The closes `[days, symbols]`, the days judged (from `cutoff`) and each factor's
    scores on them (`names`; None: every factor the prices allow)."""
    close = prices.pivot(index=C.DATE, columns=C.SYMBOL, values=C.CLOSE)
    origins = close.index[close.index >= cutoff]
    names = available(prices) if names is None else names
    scores = dict(zip(names, _wide(prices, factor_scores(prices, names), origins), strict=True))
    return close, origins, scores


def _wide(prices: pd.DataFrame, values: np.ndarray, origins: pd.Index) -> list[pd.DataFrame]:
    """Each column of `values` (per row of `prices`) as `[origins, symbols]`, symbols in
    name order."""
    column, symbols = pd.factorize(prices[C.SYMBOL], sort=True)
    row = origins.get_indexer(prices[C.DATE])
    kept = row >= 0
    out = []
    for j in range(values.shape[1]):
        wide = np.full((len(origins), len(symbols)), np.nan)
        wide[row[kept], column[kept]] = values[kept, j]
        out.append(pd.DataFrame(wide, index=origins, columns=pd.Index(symbols, name=C.SYMBOL)))
    return out


def _model_scores(prices, cutoff, origins, plan: SignalsPlan, pair) -> pd.DataFrame:
    """A pair's forecast of the log-return over the next h sessions, made at each test
    day's close: `[origins, symbols]`."""
    model, feature_set, horizon = pair
    settings = plan.global_model.with_inputs(feature_set)
    settings = dataclasses.replace(
        settings, features=dataclasses.replace(settings.features, horizon=horizon)
    )
    options = ModelOptions(global_model=settings, settings=plan.settings)
    forecaster = MODELS[model].make_panel(options)
    with failing_fit(f"--models: expected {model} to fit the panel at h = {horizon}"):
        forecaster.fit(prices, cutoff)
    table = forecaster.predict_after(prices)  # the close of the day after each origin
    previous = prices[[C.SYMBOL, C.DATE]].assign(
        origin=prices.groupby(C.SYMBOL)[C.DATE].shift(1),
        last=prices.groupby(C.SYMBOL)[C.CLOSE].shift(1),
    )
    table = table.merge(previous, on=[C.SYMBOL, C.DATE], how="left")
    table["v"] = np.log(table[C.YHAT].to_numpy() / table["last"].to_numpy())
    wide = table.pivot(index="origin", columns=C.SYMBOL, values="v")
    return wide.reindex(index=origins, columns=sorted(prices[C.SYMBOL].unique()))


def _write(out, run: tuple, rows: list[dict], daily: dict, seconds: float) -> SignalsRun:
    """The run folder: signals.json (every figure), tear_sheet.csv (a row per signal and
    horizon), ic_decay.csv (mean rank IC by signal and horizon), ic_daily.csv (each day's
    rank IC) and report.html."""
    source, plan, universe = run
    board = _board(rows)
    decay = board.pivot(index="signal", columns="horizon", values="mean_rank_ic")
    judged = universe.prices[universe.prices[C.SYMBOL].isin(universe.eligible)]
    longest = longest_history(judged)
    short = short_of_history(board["signal"].unique(), longest)
    summary = {
        "data": data_label(source.data), "symbols": len(universe.eligible),
        "cutoff": f"{pd.Timestamp(universe.cutoff):%Y-%m-%d}", "horizons": list(plan.horizons),
        "quantiles": plan.bins, "cost_bps": plan.cost_bps, "buffer": plan.buffer or None,
        "models": list(plan.models), "features": list(plan.features), "signals": rows,
        "notes": price_notes(judged) + warmup_notes(short, longest) + _unranked(board, short),
        "left_out": universe.left_out,  # symbols with broken rows or too little history
        "seconds": round(seconds, 1),
        "reproducibility": reproducibility(plan.global_model.training.seed),
    }  # fmt: skip
    days = pd.concat(
        [s.rename("rank_ic").rename_axis("date").reset_index().assign(horizon=h, signal=name)
         for (name, h), s in daily.items()]
    )  # fmt: skip
    with output_folder(out, "panel", "signals") as folder:
        files.write_json(folder.path / files.SIGNALS_FILE, files.strict(summary))
        files.write_csv(board, folder.path / files.TEAR_SHEET_FILE)
        files.write_csv(decay.reset_index(), folder.path / files.IC_DECAY_FILE)
        files.write_csv(days[["date", "horizon", "signal", "rank_ic"]],
                        folder.path / files.IC_FILE, date_format="%Y-%m-%d")  # fmt: skip
    write_report(folder.final)
    return SignalsRun(folder.final, board, files.strict(summary))


def _unranked(board: pd.DataFrame, short: list[str]) -> list[str]:
    """The note on signals with no rank IC at any horizon, but those `short` of history:
    on no day did their scores differ across the day's symbols (a factor of volume where
    volume never changed, or is 0 every day)."""
    none = board.groupby("signal", sort=False)["mean_rank_ic"].apply(lambda ic: ic.isna().all())
    names = [s for s in none.index[none.to_numpy()] if s not in short]
    if not names:
        return []
    reads = sorted({c for n in names if n in FACTORS for c in FACTORS[n].needs} - {C.CLOSE})
    read = f"; {' and '.join(names)} also read{'s' * (len(names) == 1)} {', '.join(reads)}"
    return [f"{' and '.join(names)} {'is' if len(names) == 1 else 'are'} judged on no day: on "
            f"none did the scores differ across the day's symbols (missing, or one value for "
            f"all{read if reads else ''})"]  # fmt: skip


BOARD = ("signal", "kind", "horizon", "days", "mean_ic", "ic_t", "mean_rank_ic", "rank_ic_t",
         "hac_lags", "t_needed", "rank_icir", "share_positive", "monotonicity", "top_turnover",
         "best_factor", "spa_p_vs_best_factor")  # fmt: skip


def _board(rows: list[dict]) -> pd.DataFrame:
    """One row per signal and horizon: the IC columns, then each book's figures."""
    flat = []
    for row in rows:
        line = {key: row.get(key) for key in BOARD}
        for book in ("decile", "buffered"):
            for key, v in (row.get(book) or {}).items():
                line[f"{book}_{key}"] = v
        flat.append(line)
    return pd.DataFrame(flat)


def factor_names() -> str:
    """The factor baselines with their one line each, for `--help`."""
    return "; ".join(f"{f.name} ({f.help})" for f in FACTORS.values())


def universe_tear_sheet(
    prices: pd.DataFrame, cutoff, forecasts: pd.DataFrame, cost_bps: float, bins: int = DECILES
) -> list[dict]:
    """A universe run's tear sheet, one day ahead: each model's predicted return made at
    each test day's close, and every factor baseline the prices allow, on the same days
    and symbols. No SPA test here (`stockcaster signals` runs it); a model without a
    day of IC (naive: every prediction equal) has no row.

    Args:
        prices: the run's price table (sorted by symbol and date).
        forecasts: its one-step forecasts (symbol, model, date, yhat, actual, naive).
    """
    close, origins, found = _factor_signals(prices, cutoff)
    names = list(found)
    for model in forecasts["model"].unique():
        predicted, _ = returns_panel(forecasts, model)  # dated by the day forecast
        found[model] = predicted.reindex(close.index).shift(-1).reindex(origins)
    rows = []
    for name, score in found.items():
        row, _ = judge(score.reindex(columns=close.columns), close, 1, bins, cost_bps)
        if row["days"]:
            rows.append({"signal": name, "kind": "factor" if name in names else "model", **row})
    return rows
