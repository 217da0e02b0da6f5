"""Score the walks of many symbols at once: what each symbol's work in a universe leaves.

A walk (`SymbolWalk`) holds one symbol's one-step forecasts, model by model, as arrays.
`score_walks` lays every walk's (symbol, model) pairs out as the rows of padded matrices
(`groups.Groups`), scores them all in one pass (`leaderboard.grouped_scores`), and cuts one
forecast table and one metrics table into each symbol's record. One symbol or a whole
universe, the numbers come from the same code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.evaluation.forecast_rows import Paths, failure_table
from stockcaster.evaluation.groups import Groups
from stockcaster.evaluation.leaderboard import board_frame, grouped_scores, mase_scale
from stockcaster.evaluation.trading import Trading, sessions_a_year

DONE, SKIPPED, FAILED = "done", "skipped", "failed"
FINISHED = (DONE, SKIPPED)  # failed symbols are tried again by --resume
ERROR_SCORES = ("mse", "rmse", "mae", "mape", "mase", "theil_u", "mse_ratio", "dm_statistic")
ERROR_SCORES += ("dm_pvalue", "lag_flag")


@dataclass(frozen=True)
class SymbolRecord:
    """Everything one symbol's work leaves, stored in one transaction."""

    symbol: str
    status: str  # DONE, SKIPPED or FAILED
    reason: str | None = None
    attempts: int = 1
    seconds: float = 0.0
    forecasts: pd.DataFrame | None = None  # STORED_FORECAST_COLUMNS but symbol
    metrics: pd.DataFrame | None = None  # one row per model, "model" plus scores
    failures: pd.DataFrame | None = None  # model, origin, stage, error


@dataclass(frozen=True)
class SymbolWalk:
    """One symbol's walk-forward, before scoring.

    Attributes:
        symbol: the symbol.
        values: its closes, oldest first.
        dates: their dates, datetime64[ns].
        first: the row of the last training day (the first origin).
        made: per model, its one-step `Paths` (rows forecast from, `[origins, 1]` yhat).
        failures: (model, origin, stage, error) of the windows that failed, or None when
            no model was walked (only the global models' forecasts are scored).
        seconds: the walk's time.
    """

    symbol: str
    values: np.ndarray
    dates: np.ndarray
    first: int
    made: list[tuple[str, Paths]]
    failures: list[tuple] | None
    seconds: float


def score_walks(
    walks: list[SymbolWalk], cost_bps: float, ranking_models: tuple[str, ...] = ()
) -> list[SymbolRecord]:
    """Each walk's "done" record: its stored forecasts and its metrics against naive.

    Args:
        walks: the symbols' walks.
        cost_bps: transaction cost of the trading rules, in basis points.
        ranking_models: models trained on a cross-sectional target: their errors against
            naive (MSE, MAE, Diebold-Mariano) mean nothing and are left empty.
    """
    pairs = [(i, model, p) for i, w in enumerate(walks) for model, p in w.made if len(p[0])]
    if not pairs:
        return [_record(w, _stored([]), _no_metrics(), 0.0) for w in walks]
    started = time.perf_counter()
    groups = Groups.of([len(p[0]) for _, _, p in pairs])
    horizons = np.ones(groups.count, dtype="int64")
    layout = _layout(walks, pairs)
    years = [sessions_a_year(w.dates) for w in walks]  # each symbol's rows a year
    scores = grouped_scores(
        groups,
        horizons,
        *(groups.matrix(layout[c]) for c in (C.ACTUAL, C.YHAT, C.NAIVE, C.NAIVE)),
        np.array([mase_scale(walks[i].values, walks[i].first + 1) for i, _, _ in pairs]),
        Trading(cost_bps, year=np.array([years[i] for i, _, _ in pairs])),
    )  # one step ahead: the close at the origin is also the close of the day before
    board = board_frame([model for _, model, _ in pairs], horizons, groups, scores)
    owner = np.array([i for i, _, _ in pairs])
    board = board.iloc[np.lexsort((board["mse"].to_numpy(), owner))]  # stable: ties keep order
    board = _blank_errors(board.drop(columns=[C.HORIZON]), ranking_models)
    stored = _stored([layout[c] for c in (C.MODEL, C.DATE, C.YHAT, C.ACTUAL, C.NAIVE)])
    rows = np.cumsum([0, *np.bincount(np.repeat(owner, groups.sizes), minlength=len(walks))])
    boards = np.cumsum([0, *np.bincount(owner, minlength=len(walks))])
    share = (time.perf_counter() - started) / len(walks)  # the scoring's time, split evenly
    return [
        _record(
            walk,
            stored.iloc[rows[i] : rows[i + 1]].reset_index(drop=True),
            board.iloc[boards[i] : boards[i + 1]].reset_index(drop=True),
            share,
        )
        for i, walk in enumerate(walks)
    ]


def _layout(walks: list[SymbolWalk], pairs: list[tuple]) -> dict[str, np.ndarray]:
    """The forecast days of every (symbol, model) pair as flat columns, pair after pair."""
    parts: dict[str, list] = {c: [] for c in (C.MODEL, C.DATE, C.YHAT, C.ACTUAL, C.NAIVE)}
    for i, model, (origins, yhat, _, _) in pairs:
        walk, day = walks[i], origins + 1
        parts[C.MODEL].append(np.full(len(day), model, dtype=object))
        parts[C.DATE].append(walk.dates[day])
        parts[C.YHAT].append(yhat[:, 0])
        parts[C.ACTUAL].append(walk.values[day])
        parts[C.NAIVE].append(walk.values[origins])
    return {c: np.concatenate(v) for c, v in parts.items()}


def _stored(columns: list[np.ndarray]) -> pd.DataFrame:
    """The store's forecast table (`C.STORED_FORECAST_COLUMNS` but symbol)."""
    names = C.STORED_FORECAST_COLUMNS[1:]
    if not columns:
        columns = [np.empty(0, object), np.empty(0, "datetime64[ns]"), *[np.empty(0)] * 3]
    return pd.DataFrame(dict(zip(names, columns, strict=True)))


def _no_metrics() -> pd.DataFrame:
    return board_frame([], np.empty(0, "int64"), Groups.of([]), {}).drop(columns=[C.HORIZON])


def _blank_errors(board: pd.DataFrame, ranking_models: tuple[str, ...]) -> pd.DataFrame:
    """A score, not a return forecast: its errors against naive mean nothing."""
    ranking = board[C.MODEL].isin(ranking_models)
    if ranking.any():
        board = board.astype({name: "object" for name in ERROR_SCORES})
        board.loc[ranking, list(ERROR_SCORES)] = None
    return board


def _record(walk: SymbolWalk, stored, metrics, seconds: float) -> SymbolRecord:
    failures = failure_table(walk.failures) if walk.failures is not None else None
    return SymbolRecord(
        walk.symbol,
        DONE,
        seconds=walk.seconds + seconds,
        forecasts=stored,
        metrics=metrics,
        failures=failures,
    )
