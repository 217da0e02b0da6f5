"""One symbol's share of a universe run: walk its models forward and score them.

Every engine (engines/) runs `evaluate_symbol` once per symbol, in this process, in
worker processes or as Ray tasks, so the results cannot depend on where it ran; symbols
whose models are closed forms are run in batches by `evaluate_symbols` in this process,
with the same results. The price data arrive once per worker as a `PanelArrays` (flat
arrays plus each symbol's row range), never re-read from the file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.panel import symbol_rows
from stockcaster.evaluation.backtest import BacktestConfig, walk_paths
from stockcaster.evaluation.forecast_rows import Paths, paths
from stockcaster.evaluation.symbol_scores import SKIPPED, SymbolRecord, SymbolWalk, score_walks
from stockcaster.models.registry import ModelOptions, forecaster_factory


@dataclass(frozen=True)
class PanelArrays:
    """All symbols' closes as flat arrays, shared read-only by every task.

    Attributes:
        symbols: symbol names; symbol i owns rows `starts[i]:stops[i]`, oldest first.
        dates: `[rows]` datetime64[ns].
        close: `[rows]` float64 closes.
        given: per model name, `[rows]` float64 one-step forecasts made elsewhere (the
            global models), NaN where none.
    """

    symbols: tuple[str, ...]
    starts: np.ndarray
    stops: np.ndarray
    dates: np.ndarray
    close: np.ndarray
    given: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_prices(
        cls, prices: pd.DataFrame, given: dict[str, pd.Series] | None = None
    ) -> PanelArrays:
        """Build from a price table sorted by symbol and date.

        Args:
            prices: the validated price table.
            given: per model, forecasts indexed like `prices` (NaN where none).
        """
        symbols, starts, stops = symbol_rows(prices)
        return cls(
            symbols=tuple(symbols),
            starts=starts,
            stops=stops,
            dates=prices[C.DATE].to_numpy(dtype="datetime64[ns]"),
            close=prices[C.CLOSE].to_numpy(dtype="float64"),
            given={name: v.to_numpy(dtype="float64") for name, v in (given or {}).items()},
        )

    def rows(self, symbol: str) -> slice:
        i = self.symbols.index(symbol)
        return slice(int(self.starts[i]), int(self.stops[i]))

    def series(self, symbol: str) -> pd.Series:
        """One symbol's closes, indexed by date."""
        rows = self.rows(symbol)
        return pd.Series(self.close[rows], index=pd.DatetimeIndex(self.dates[rows]))


@dataclass(frozen=True)
class SymbolJob:
    """What to do with each symbol: the same for every symbol of a run.

    Attributes:
        cutoff: the last training day, common to all symbols (so no symbol's training
            rows are later than another symbol's test days).
        models: models walked forward per symbol.
        given_models: the names the global models' forecasts (`PanelArrays.given`) are
            scored under.
        ranking_models: those of them trained on a cross-sectional target: their errors
            against naive (MSE, MAE, Diebold-Mariano) are not reported, only what ranks.
        min_history: fewest closes up to the cutoff for a symbol to be run.
        retrain_every: origins between refits of per-symbol models (0: fit once).
        options: what the models are built with (the LSTM's preset, the MA window).
    """

    cutoff: np.datetime64
    models: tuple[str, ...] = ()
    given_models: tuple[str, ...] = ()
    ranking_models: tuple[str, ...] = ()
    min_history: int = 60
    retrain_every: int = 0
    cost_bps: float = 5.0
    options: ModelOptions = field(default_factory=ModelOptions)


def history_shortfall(
    before: int, after: int, cutoff: np.datetime64, min_history: int, levels: int = 2
) -> str | None:
    """Why a symbol with `before` closes up to the cutoff (`levels` of them distinct) and
    `after` after it is not run.

    The one rule for which symbols a universe run trains on and scores: None when the
    symbol has at least `min_history` closes up to the cutoff, not all the same, and one
    after it. A close that never changed gives a model no move to learn the symbol's scale
    from (a global model would take a z-score of 1 for a 100% move) and the naive forecast
    no error to compare with; `run` refuses such a symbol too.
    """
    day = f"{pd.Timestamp(cutoff):%Y-%m-%d}"
    if before >= min_history and after >= 1:
        return None if levels > 1 else f"the same close on all {before} days up to {day}"
    return (
        f"too little history: {before} closes up to {day}"
        f" (expected at least {min_history}) and {max(after, 0)} after it"
    )


def shortfalls(
    prices: pd.DataFrame, cutoff: np.datetime64, min_history: int
) -> dict[str, str | None]:
    """Each symbol's `history_shortfall`: None for one a universe runs (trains on, scores),
    else why not."""
    dates, symbol = prices[C.DATE], prices[C.SYMBOL]
    before = (dates <= cutoff).groupby(symbol).sum()
    after = (dates > cutoff).groupby(symbol).sum()
    levels = prices[C.CLOSE].where(dates <= cutoff).groupby(symbol).nunique()
    return {
        name: history_shortfall(before[name], after[name], cutoff, min_history, levels[name])
        for name in before.index
    }


def evaluate_symbol(panel: PanelArrays, job: SymbolJob, symbol: str) -> SymbolRecord:
    """Walk every model forward over one symbol's days after the cutoff and score it.

    Returns:
        A "done" record with forecasts and per-model metrics, or a "skipped" one that
        says why (too little history before the cutoff, or no day after it).
    """
    return evaluate_symbols(panel, job, [symbol])[0]


def evaluate_symbols(panel: PanelArrays, job: SymbolJob, symbols: list[str]) -> list[SymbolRecord]:
    """`evaluate_symbol` of each symbol, their scores made in one pass (`score_walks`).

    For closed-form models the walks cost microseconds, and one grouped pass over every
    symbol's forecasts replaces thousands of small NumPy and pandas calls: a universe of
    baselines is scored in a batch. A symbol's record is the same either way (a test).
    """
    records, walks = {}, []
    for symbol in symbols:
        walked = _walk(panel, job, symbol)
        if isinstance(walked, SymbolRecord):
            records[symbol] = walked
        else:
            walks.append(walked)
    for record in score_walks(walks, job.cost_bps, job.ranking_models):
        records[record.symbol] = record
    return [records[symbol] for symbol in symbols]


def _walk(panel: PanelArrays, job: SymbolJob, symbol: str) -> SymbolWalk | SymbolRecord:
    """One symbol's walk-forward, or its "skipped" record."""
    started = time.perf_counter()
    series = panel.series(symbol)
    first = int(np.searchsorted(series.index.to_numpy(), job.cutoff, side="right")) - 1
    test_days = len(series) - 1 - first
    levels = series.iloc[: first + 1].nunique()
    reason = history_shortfall(first + 1, test_days, job.cutoff, job.min_history, levels)
    if reason:
        return SymbolRecord(symbol, SKIPPED, reason, seconds=time.perf_counter() - started)
    config = BacktestConfig(retrain_every=job.retrain_every)  # one step ahead
    made, failures = [], []
    for name in job.models:
        walked = walk_paths(series, forecaster_factory(name, job.options), config, first)
        made.append(walked[:2])
        failures += walked[2]
    for name in job.given_models:
        made.append((name, _given_paths(panel, symbol, first, name)))
    values, dates = series.to_numpy(dtype="float64"), series.index.to_numpy("datetime64[ns]")
    seconds = time.perf_counter() - started
    return SymbolWalk(symbol, values, dates, first, made, failures if job.models else None, seconds)


def _given_paths(panel: PanelArrays, symbol: str, first: int, model: str) -> Paths:
    """The panel model's one-step forecasts of this symbol's test days (where it made one)."""
    yhat = panel.given[model][panel.rows(symbol)][first + 1 :]
    made = np.flatnonzero(np.isfinite(yhat))
    return paths(first + made, yhat[made])
