"""Judging a model across many symbols: score distributions, daily IC, a top-k portfolio.

Inputs are the per-symbol results of a universe run: `metrics` (one row per symbol and
model, from the leaderboard) and `forecasts` (symbol, model, date, yhat, actual, naive:
one-step forecasts, where `naive` is the last close known when the forecast was made).
A forecast's predicted return is `yhat / naive - 1`; the realised one `actual / naive - 1`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster.evaluation.trading import TRADING_DAYS, return_profile

SIGNIFICANCE = 0.05
RATIO_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def score_summary(metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per model: how its MSE ratio to naive and its DM tests spread over symbols.

    Columns: model, symbols, median_mse_ratio, mse_ratio_q10 .. q90, share_beating_naive
    (ratio < 1), dm_wins and dm_losses (Diebold-Mariano p < 0.05 with the model's errors
    smaller, resp. larger, than naive's), mean_directional_accuracy.
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
        row["dm_wins"] = int((significant & (statistic < 0)).sum())
        row["dm_losses"] = int((significant & (statistic > 0)).sum())
        row["mean_directional_accuracy"] = float(accuracy.mean()) if len(accuracy) else None
        rows.append(row)
    return pd.DataFrame(rows)


def returns_panel(forecasts: pd.DataFrame, model: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Predicted and realised one-step returns of `model`, each `[days, symbols]`."""
    rows = forecasts[forecasts["model"] == model]
    predicted = rows.pivot(index="date", columns="symbol", values="yhat")
    naive = rows.pivot(index="date", columns="symbol", values="naive")
    actual = rows.pivot(index="date", columns="symbol", values="actual")
    return predicted / naive - 1, actual / naive - 1


def information_coefficients(predicted: pd.DataFrame, realised: pd.DataFrame) -> pd.DataFrame:
    """Per day: Pearson (IC) and Spearman (rank IC) correlation across symbols.

    A day needs at least 3 symbols and predictions that are not all equal; other days
    are left out (a model that predicts no move, like naive, has no IC).

    Returns:
        `[days]` frame with columns ic, rank_ic, symbols.
    """
    both = predicted.notna() & realised.notna()
    records = {}
    for day in predicted.index:
        used = both.loc[day]
        p, r = predicted.loc[day, used], realised.loc[day, used]
        if used.sum() < 3 or p.nunique() < 2 or r.nunique() < 2:
            continue
        records[day] = {
            "ic": float(np.corrcoef(p, r)[0, 1]),
            "rank_ic": float(np.corrcoef(p.rank(), r.rank())[0, 1]),
            "symbols": int(used.sum()),
        }
    return pd.DataFrame.from_dict(records, orient="index", columns=["ic", "rank_ic", "symbols"])


def ic_summary(daily: pd.DataFrame) -> dict:
    """Mean IC and rank IC, their standard deviations and ICIR (mean / std, per day)."""
    if len(daily) < 2:
        return {"days": len(daily), "mean_ic": None, "mean_rank_ic": None, "icir": None,
                "rank_icir": None}  # fmt: skip
    ic_sd, rank_sd = daily["ic"].std(ddof=1), daily["rank_ic"].std(ddof=1)
    return {
        "days": len(daily),
        "mean_ic": float(daily["ic"].mean()),
        "mean_rank_ic": float(daily["rank_ic"].mean()),
        "icir": float(daily["ic"].mean() / ic_sd) if ic_sd > 0 else None,
        "rank_icir": float(daily["rank_ic"].mean() / rank_sd) if rank_sd > 0 else None,
    }


def top_k_weights(predicted: pd.DataFrame, k: int) -> pd.DataFrame:
    """Each day: +1/k on the k highest predicted returns, -1/k on the k lowest.

    Ties are broken by symbol name, so the book is reproducible. A day with fewer than
    2k symbols forecast, or with all predictions equal, holds nothing.
    """
    weights = pd.DataFrame(0.0, index=predicted.index, columns=predicted.columns)
    for day in predicted.index:
        row = predicted.loc[day].dropna()
        if len(row) < 2 * k or row.nunique() < 2:
            continue
        ranked = row.sort_index(kind="stable").sort_values(kind="stable")
        weights.loc[day, ranked.index[-k:]] = 1.0 / k
        weights.loc[day, ranked.index[:k]] = -1.0 / k
    return weights


def portfolio(
    predicted: pd.DataFrame, realised: pd.DataFrame, k: int, cost_bps: float
) -> tuple[dict, pd.DataFrame]:
    """A long/short top-k book rebuilt daily from the forecasts, against equal weight.

    The book's return on a day is the weighted sum of realised returns, less `cost_bps`
    per unit of weight traded (turnover = sum of absolute weight changes; the first day
    pays for building the book). The benchmark holds every symbol forecast that day in
    equal weights, without costs.

    Returns:
        The summary (annual_return, volatility, sharpe, information_ratio against the
        benchmark, max_drawdown, mean daily turnover, and the benchmark's annual_return,
        volatility and max_drawdown) and the daily returns (portfolio, benchmark).
    """
    weights = top_k_weights(predicted, k)
    moves = realised.reindex_like(weights).fillna(0.0)
    turnover = weights.diff().abs().sum(axis=1)
    turnover.iloc[0] = weights.iloc[0].abs().sum()
    book = (weights * moves).sum(axis=1) - turnover * cost_bps / 1e4
    benchmark = realised.mean(axis=1).reindex(weights.index).fillna(0.0)
    daily = pd.DataFrame({"portfolio": book, "benchmark": benchmark})
    active = book - benchmark
    active_sd = float(active.std(ddof=1)) if len(active) > 1 else 0.0
    summary = {
        "k": k,
        "cost_bps": cost_bps,
        "days": len(book),
        **_performance(book.to_numpy()),
        "information_ratio": float(active.mean() / active_sd * np.sqrt(TRADING_DAYS))
        if active_sd > 0
        else None,
        "mean_turnover": float(turnover.mean()),
        "benchmark": _performance(benchmark.to_numpy()),
    }
    return summary, daily


def _performance(returns: np.ndarray) -> dict:
    """Annualised (geometric) return and volatility, Sharpe ratio, maximum drawdown.

    None where undefined: all four without returns, the Sharpe ratio of returns that
    never vary (a book that never trades).
    """
    if not len(returns):
        return {"annual_return": None, "volatility": None, "sharpe": None, "max_drawdown": None}
    profile = return_profile(returns)
    return {
        "annual_return": profile["annual_return"],
        "volatility": profile["volatility"],
        "sharpe": profile["sharpe"] if profile["volatility"] > 0 else None,
        "max_drawdown": profile["max_drawdown"],
    }


def cross_section(
    metrics: pd.DataFrame, forecasts: pd.DataFrame, k: int = 10, cost_bps: float = 5.0
) -> dict:
    """Every aggregate of a universe run, per model.

    Returns:
        `{"scores": [...], "models": {model: {"ic": ..., "portfolio": ...}}}`, plus the
        daily series (IC per day, portfolio returns) under "daily" for the figures.
    """
    scores = score_summary(metrics)
    models, daily = {}, {}
    for model in sorted(forecasts["model"].unique()):
        predicted, realised = returns_panel(forecasts, model)
        ic = information_coefficients(predicted, realised)
        book, returns = portfolio(predicted, realised, k, cost_bps)
        models[model] = {"ic": ic_summary(ic), "portfolio": book}
        daily[model] = {"ic": ic, "returns": returns}
    return {"scores": scores, "models": models, "daily": daily}
