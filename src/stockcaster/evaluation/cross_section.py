"""Judging a model across many symbols: score distributions, daily IC, a top-k portfolio.

Inputs are the per-symbol results of a universe run: `metrics` (one row per symbol and
model, from the leaderboard) and `forecasts` (symbol, model, date, yhat, actual, naive:
one-step forecasts, where `naive` is the last close known when the forecast was made).
A forecast's predicted return is `yhat / naive - 1`; the realised one `actual / naive - 1`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster.evaluation.risk_books import inverse_vol, predicted_volatility
from stockcaster.evaluation.rows import row_pearson, row_ranks, varied
from stockcaster.evaluation.trading import TRADING_DAYS, return_profile, sessions_a_year

SIGNIFICANCE = 0.05
RATIO_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def score_summary(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per model: how its MSE ratio to naive and its DM tests spread over symbols.

    Columns: model, symbols, median_mse_ratio, mse_ratio_q10 .. q90, share_beating_naive
    (ratio < 1), dm_wins and dm_losses (Diebold-Mariano p < 0.05 with the model's errors
    smaller, resp. larger, than naive's), dm_wins_bh and dm_losses_bh (the same after a
    Benjamini-Hochberg correction across the model's symbols: false discovery rate 5%),
    mean_directional_accuracy.
    """
    rows = []
    for model, group in metrics.groupby("model", sort=True):
        ratio = pd.to_numeric(group["mse_ratio"], errors="coerce").dropna()
        pvalue = pd.to_numeric(group["dm_pvalue"], errors="coerce")
        statistic = pd.to_numeric(group["dm_statistic"], errors="coerce")
        significant = pvalue < SIGNIFICANCE
        accuracy = pd.to_numeric(group["directional_accuracy"], errors="coerce").dropna()
        row = {
            "model": model,
            "symbols": len(group),
            "median_mse_ratio": float(ratio.median()) if len(ratio) else None,
        }
        for q in RATIO_QUANTILES:
            row[f"mse_ratio_q{round(q * 100)}"] = float(ratio.quantile(q)) if len(ratio) else None
        row["share_beating_naive"] = float((ratio < 1).mean()) if len(ratio) else None
        discovered = benjamini_hochberg(pvalue.to_numpy(dtype="float64"))
        tested = bool(pvalue.notna().any())  # a ranking model's errors are not tested
        for key, chosen in (("dm", significant.to_numpy()), ("dm_bh", discovered)):
            wins = int((chosen & (statistic < 0).to_numpy()).sum())
            losses = int((chosen & (statistic > 0).to_numpy()).sum())
            suffix = key.removeprefix("dm")
            row[f"dm_wins{suffix}"] = wins if tested else None
            row[f"dm_losses{suffix}"] = losses if tested else None
        row["mean_directional_accuracy"] = float(accuracy.mean()) if len(accuracy) else None
        rows.append(row)
    return _whole_counts(pd.DataFrame(rows))


COUNTS = ("dm_wins", "dm_losses", "dm_wins_bh", "dm_losses_bh")


def _whole_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """The DM counts as integers where a column of them and None would turn to floats."""
    return frame.astype({name: "Int64" for name in COUNTS if name in frame.columns})


def benjamini_hochberg(pvalues: np.ndarray, rate: float = SIGNIFICANCE) -> np.ndarray:
    """Which tests are discoveries at false discovery rate `rate` (NaN p-values: none).

    Benjamini and Hochberg's step-up rule over the tests with a p-value: sorted, the k-th
    smallest is compared with k / m * rate, and every test up to the largest k that passes
    is a discovery. statsmodels' `multipletests(method="fdr_bh")` in NumPy, with its order
    of operations: importing statsmodels costs ~1 s, a tenth of a universe of baselines
    (`tests/test_cross_section.py` checks that the two agree).
    """
    found = np.zeros(len(pvalues), bool)
    known = np.flatnonzero(np.isfinite(pvalues))
    order = known[np.argsort(pvalues[known], kind="mergesort")]
    passed = np.flatnonzero(pvalues[order] <= np.arange(1, len(order) + 1) / len(order) * rate)
    if len(passed):
        found[order[: passed[-1] + 1]] = True
    return found


def returns_panel(forecasts: pd.DataFrame, model: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predicted and realised one-step returns of `model`, each `[days, symbols]`."""
    rows = forecasts[forecasts["model"] == model]
    wide = rows.pivot(index="date", columns="symbol", values=["yhat", "naive", "actual"])
    return wide["yhat"] / wide["naive"] - 1, wide["actual"] / wide["naive"] - 1


def information_coefficients(predicted: pd.DataFrame, realised: pd.DataFrame) -> pd.DataFrame:
    """Per day: Pearson (IC) and Spearman (rank IC) correlation across symbols.

    A day needs at least 3 symbols and predictions that are not all equal; other days
    are left out (a model that predicts no move, like naive, has no IC). Computed for
    every day at once on the `[days, symbols]` matrices; ranks are SciPy's `rankdata`
    (ties share their mean rank), so the rank IC is Spearman's. `DataFrame.corrwith` and
    `rank(axis=1)` gave the same numbers at three times the cost; `tests/test_cross_section.py`
    checks them against a loop over days (pandas' ranks, NumPy's `corrcoef`).

    Returns:
        `[days]` frame with columns ic, rank_ic, symbols.
    """
    realised = realised.reindex_like(predicted)
    p, r = predicted.to_numpy(dtype="float64"), realised.to_numpy(dtype="float64")
    both = np.isfinite(p) & np.isfinite(r)
    used = both.sum(axis=1)
    p, r = np.where(both, p, np.nan), np.where(both, r, np.nan)
    days = np.flatnonzero(used >= 3)
    days = days[varied(p[days]) & varied(r[days])]
    p, r = p[days], r[days]
    daily = pd.DataFrame(
        {
            "ic": row_pearson(p, r),
            "rank_ic": row_pearson(row_ranks(p), row_ranks(r)),
            "symbols": used[days].astype(int),
        },
        index=predicted.index[days],
    )
    daily.index.name = None
    return daily


def ic_summary(daily: pd.DataFrame) -> dict:
    """Mean IC and rank IC, ICIR (mean / std, per day) and the t-statistic of each mean.

    The t-statistic is ICIR x sqrt(days): it treats days as independent, which daily ICs
    of one-step forecasts nearly are.
    """
    if len(daily) < 2:
        return {"days": len(daily), "mean_ic": None, "mean_rank_ic": None, "icir": None,
                "rank_icir": None, "ic_t": None, "rank_ic_t": None}  # fmt: skip
    ic_sd, rank_sd = daily["ic"].std(ddof=1), daily["rank_ic"].std(ddof=1)
    icir = float(daily["ic"].mean() / ic_sd) if ic_sd > 0 else None
    rank_icir = float(daily["rank_ic"].mean() / rank_sd) if rank_sd > 0 else None
    root = float(np.sqrt(len(daily)))
    return {
        "days": len(daily),
        "mean_ic": float(daily["ic"].mean()),
        "mean_rank_ic": float(daily["rank_ic"].mean()),
        "icir": icir,
        "rank_icir": rank_icir,
        "ic_t": None if icir is None else icir * root,
        "rank_ic_t": None if rank_icir is None else rank_icir * root,
    }


def top_k_weights(predicted: pd.DataFrame, k: int) -> pd.DataFrame:
    """Each day: +1/k on the k highest predicted returns, -1/k on the k lowest.

    Ties are broken by symbol name, so the book is reproducible. A day with fewer than
    2k symbols forecast, or with all predictions equal, holds nothing.
    """
    names = predicted.columns.sort_values()  # a stable sort in name order breaks ties by name
    values = predicted[names].to_numpy(dtype="float64")  # [days, symbols]
    weights = np.zeros_like(values)
    count = np.isfinite(values).sum(axis=1)
    days = np.flatnonzero(count >= 2 * k)
    days = days[varied(values[days])]
    order = np.argsort(values[days], axis=1, kind="stable")  # lowest first, NaN last
    top = np.take_along_axis(order, count[days, None] - k + np.arange(k)[None, :], axis=1)
    weights[days[:, None], top] = 1.0 / k
    weights[days[:, None], order[:, :k]] = -1.0 / k
    book = pd.DataFrame(weights, index=predicted.index, columns=names)
    return book.reindex(columns=predicted.columns)


def portfolio(
    predicted: pd.DataFrame,
    realised: pd.DataFrame,
    k: int,
    cost_bps: float,
    sigma: pd.DataFrame | None = None,
) -> tuple[dict, pd.DataFrame]:
    """A long/short top-k book rebuilt daily from the forecasts, against equal weight.

    The book's return on a day is the weighted sum of realised returns, less `cost_bps`
    per unit of weight traded (turnover = sum of absolute weight changes; the first day
    pays for building the book). The benchmark holds every symbol forecast that day in
    equal weights, without costs.

    With `sigma` (each symbol-day's predicted deviation), each leg is weighted by inverse
    predicted volatility (`risk_books.py`) and the book's predicted volatility is reported.

    Returns:
        The summary (annual_return, volatility, sharpe, information_ratio against the
        benchmark, max_drawdown, mean daily turnover, and the benchmark's annual_return,
        volatility and max_drawdown) and the daily returns (portfolio, benchmark).
    """
    weights = top_k_weights(predicted, k)
    if sigma is not None:
        weights = inverse_vol(weights, sigma)
    moves = realised.reindex_like(weights).fillna(0.0)
    turnover = weights.diff().abs().sum(axis=1)
    turnover.iloc[0] = weights.iloc[0].abs().sum()
    book = (weights * moves).sum(axis=1) - turnover * cost_bps / 1e4
    benchmark = realised.mean(axis=1).reindex(weights.index).fillna(0.0)
    daily = pd.DataFrame({"portfolio": book, "benchmark": benchmark})
    active = book - benchmark
    # A book that never held a position (naive's, whose forecasts never rank; one symbol's)
    # has no return or ratio of its own: not 0%, nor the benchmark's ratio turned around.
    held = bool(weights.to_numpy().any())
    active_sd = float(active.std(ddof=1)) if len(active) > 1 and held else 0.0
    year = sessions_a_year(weights.index)  # the book's days: 252 for an exchange's prices
    summary = {
        "k": k,
        "cost_bps": cost_bps,
        "days": len(book),
        **_performance(book.to_numpy() if held else np.zeros(0), year),
        "information_ratio": float(active.mean() / active_sd * np.sqrt(year))
        if active_sd > 0
        else None,
        "mean_turnover": float(turnover.mean()),
        "benchmark": _performance(benchmark.to_numpy(), year),
        "weights": "equal" if sigma is None else "inverse-vol",
    }
    if sigma is not None:
        summary["predicted_volatility"] = predicted_volatility(weights, sigma, year)
    return summary, daily


def _performance(returns: np.ndarray, year: float = TRADING_DAYS) -> dict:
    """Annualised (geometric) return and volatility, Sharpe ratio, maximum drawdown.

    None where undefined: all four without returns, the Sharpe ratio of returns that
    never vary (a book that never trades).
    """
    if not len(returns):
        return {"annual_return": None, "volatility": None, "sharpe": None, "max_drawdown": None}
    profile = return_profile(returns, year)
    return {
        "annual_return": profile["annual_return"],
        "volatility": profile["volatility"],
        "sharpe": profile["sharpe"] if profile["volatility"] > 0 else None,
        "max_drawdown": profile["max_drawdown"],
    }


def cross_section(
    metrics: pd.DataFrame,
    forecasts: pd.DataFrame,
    k: int = 10,
    cost_bps: float = 5.0,
    training_seconds: dict[str, float] | None = None,
    sigma: pd.DataFrame | None = None,
) -> dict:
    """Every aggregate of a universe run, per model.

    Args:
        training_seconds: seconds spent training each global model (all its fits).
        sigma: each symbol-day's predicted deviation, to weight books by inverse volatility.

    Returns:
        `{"scores": [...], "models": {model: {"ic": ..., "portfolio": ...}},
        "leaderboard": [...]}`, plus the daily series (IC per day, portfolio returns)
        under "daily" for the figures.
    """
    scores = score_summary(metrics)
    models, daily = {}, {}
    for model in sorted(forecasts["model"].unique()):
        predicted, realised = returns_panel(forecasts, model)
        ic = information_coefficients(predicted, realised)
        book, returns = portfolio(predicted, realised, k, cost_bps, sigma)
        models[model] = {"ic": ic_summary(ic), "portfolio": book}
        daily[model] = {"ic": ic, "returns": returns}
    board = leaderboard(scores, models, training_seconds or {})
    return {"scores": scores, "models": models, "daily": daily, "leaderboard": board}


LEADERBOARD_COLUMNS = (
    "model", "symbols", "median_mse_ratio", "share_beating_naive", "dm_wins_bh",
    "dm_losses_bh", "dm_wins", "dm_losses", "mean_ic", "mean_rank_ic", "icir", "rank_icir",
    "ic_t", "rank_ic_t", "annual_return", "information_ratio", "max_drawdown",
    "mean_turnover", "train_seconds",
)  # fmt: skip


def leaderboard(scores: pd.DataFrame, models: dict, training_seconds: dict) -> pd.DataFrame:
    """One row per model: its scores against naive, its IC and its book, side by side."""
    rows = []
    for score in scores.to_dict("records"):
        cross = models.get(score["model"], {})
        ic, book = cross.get("ic", {}), cross.get("portfolio", {})
        row = {**score, **ic, **book, "train_seconds": training_seconds.get(score["model"])}
        rows.append({name: row.get(name) for name in LEADERBOARD_COLUMNS})
    return _whole_counts(pd.DataFrame(rows, columns=list(LEADERBOARD_COLUMNS)))
