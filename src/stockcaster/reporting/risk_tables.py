"""Terminal tables (Rich) of the variance target: one symbol's and a universe's."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape

from stockcaster.reporting import verdicts
from stockcaster.reporting.numbers import share
from stockcaster.reporting.tables import cell, fitted_table


def risk_table(console: Console, board: pd.DataFrame, var: pd.DataFrame, title: str) -> None:
    """Print a variance backtest: each model's QLIKE against the random walk and EWMA, and
    its one-day 1% VaR (Student-t shape) backtest."""
    columns = [("model", 0), ("h", 1), ("QLIKE", 2), ("xRW", 0), ("xEWMA", 1), ("DM p", 2),
               ("MCS", 3), ("VaR 1%", 1), ("Kupiec p", 4), ("CC p", 4), ("light", 3)]  # fmt: skip
    best = set(board.groupby("horizon")["qlike"].idxmin())
    one = var[(var["shape"] == "t") & (var["level"] == 0.01)].set_index("model")
    rows = []
    for i, row in board.iterrows():
        tested = one.loc[row["model"]] if row["horizon"] == 1 else None
        rows.append([
            f"{escape(str(row['model']))}{' *' if i in best else ''}", str(row["horizon"]),
            *(cell(row.get(key), digits) for key, digits in (
                ("qlike", 4), ("qlike_x_random_walk", 3), ("qlike_x_ewma", 3),
                ("dm_pvalue", 3))),
            "in" if row["in_mcs_90"] else "",
            *(("", "", "", "") if tested is None else (
                f"{tested['rate']:.2%}", cell(tested["kupiec_p"], 2),
                cell(tested["conditional_p"], 2), str(tested["traffic_light"]))),
        ])  # fmt: skip
    fitted_table(console, title, columns, rows)
    for h, group in board.groupby("horizon", sort=True):  # the * in words, with its test
        best = group.loc[group["qlike"].idxmin()]
        ratio, pvalue = best.get("qlike_x_random_walk"), best.get("dm_pvalue")
        said = verdicts.best_against_naive(best["model"], ratio, pvalue, "QLIKE", "random_walk")
        if said:
            console.print(escape(f"h = {h}: {said}{_confidence_set(group)}"))
    console.print(
        "* best QLIKE per horizon (the variance's loss robust to a noisy proxy); xRW, xEWMA: "
        "QLIKE / the random walk's, EWMA's; DM p: Diebold-Mariano p vs the random walk; MCS: "
        "in the 90% model confidence set; VaR 1%: share of days below the Student-t 1% VaR, "
        "with Kupiec's and Christoffersen's conditional-coverage p and Basel's light"
    )


def risk_universe_table(
    console: Console, board: pd.DataFrame, var: pd.DataFrame, title: str
) -> None:
    """Print a universe's variance run: each model's pooled QLIKE against the random walk
    and EWMA, the symbols it beats the random walk on, and its pooled 1% VaR (Student-t)."""
    columns = [("model", 0), ("h", 1), ("QLIKE", 2), ("xRW", 0), ("xEWMA", 1),
               ("DM-better", 2), ("MCS", 3), ("VaR 1%", 1), ("Kupiec ok", 3), ("CC ok", 3),
               ("80% in", 4)]  # fmt: skip
    best = set(board.groupby("horizon")["qlike"].idxmin())
    one = var[var["shape"] == "t"].set_index("model")
    rows = []
    for i, row in board.iterrows():
        tested = one.loc[row["model"]] if row["horizon"] == 1 else None
        better = row.get("dm_better_after_bh")
        rows.append([
            f"{escape(str(row['model']))}{' *' if i in best else ''}", str(row["horizon"]),
            *(cell(row.get(key), digits) for key, digits in (
                ("qlike", 4), ("qlike_x_random_walk", 3), ("qlike_x_ewma", 3))),
            "" if better is None or pd.isna(better) else f"{int(better)}/{int(row['symbols'])}",
            "in" if row.get("in_mcs_90") in (True,) else "",
            *(("", "", "", "") if tested is None else (
                share(tested["rate_0.01"], 2), share(tested["kupiec_pass_0.01"], 0),
                share(tested["cc_pass_0.01"], 0), share(tested["coverage_0.8"]))),
        ])  # fmt: skip
    fitted_table(console, title, columns, rows)
    for h, group in board.groupby("horizon", sort=True):  # the * in words
        console.print(escape(f"h = {h}: {pooled_verdict(group)}"))
    console.print(
        "* best pooled QLIKE per horizon; xRW, xEWMA: pooled QLIKE / the random walk's, "
        "EWMA's; DM-better: symbols where Diebold-Mariano finds it better than the random "
        "walk after Benjamini-Hochberg at 5%; MCS: in tomorrow's 90% model confidence set of "
        "the daily mean QLIKE; VaR 1%: pooled share of symbol-days below the "
        "Student-t 1% VaR, the share of symbols passing Kupiec's and Christoffersen's tests "
        "at 5%; 80% in: pooled coverage of the central 80% interval"
    )


def pooled_verdict(group: pd.DataFrame) -> str:
    """One horizon of a universe's variance board in words: the lowest pooled QLIKE against
    the random walk's, on how many symbols it is significantly better, the confidence set
    (tomorrow's only: none is computed for a longer horizon)."""
    best = group.loc[group["qlike"].idxmin()]
    confidence = _confidence_set(group)
    if best["model"] == "random_walk":
        return f"no model's pooled QLIKE is below the random walk's{confidence}"
    ratio, better = best.get("qlike_x_random_walk"), best.get("dm_better_after_bh")
    words = [f"lowest pooled QLIKE, {best['model']}:"]
    if ratio is not None and pd.notna(ratio):
        words.append(f" {share(abs(1 - ratio))} {'below' if ratio < 1 else 'above'} the random "
                     "walk's")  # fmt: skip
    if better is not None and pd.notna(better):
        words.append(f"; better than it on {int(better)} of {int(best['symbols'])} symbols "
                     "(Diebold-Mariano after Benjamini-Hochberg)")  # fmt: skip
    return "".join(words) + confidence


def _confidence_set(group: pd.DataFrame) -> str:
    """One horizon's 90% model confidence set as a clause ("" where none was computed: a
    universe's longer horizon)."""
    members = group["in_mcs_90"]
    if not members.notna().any():
        return ""
    kept = ", ".join(group.loc[members.eq(True), "model"]) or "none"  # None or NaN: out
    return f"; the 90% model confidence set: {kept}"


def risk_line(console: Console, risk: list[dict] | None) -> None:
    """Print the risk of the sessions ahead: the next one's and the last one's deviation,
    1% VaR and ES of the log-return from the last close (`predict`)."""
    if not risk:
        console.print(
            "risk: not measured (too short a history, or too few days with a price range, for HAR)"
        )
        return
    for row in (risk[0], risk[-1]) if len(risk) > 1 else risk[:1]:
        console.print(
            f"risk to session {row['horizon']}: deviation {row['sigma']:.2%}, 1% VaR "
            f"{row['var_0.01']:.2%}, 1% ES {row['es_0.01']:.2%} (log-return from the last close)"
        )


def variance_table(console: Console, forecast: pd.DataFrame, estimator: str) -> None:
    """Print a volatility bundle's forecast: per session ahead, the mean daily variance to
    it and the deviation, 1% VaR and ES of the log-return from the last close."""
    columns = [("date", 0), ("h", 1), ("daily vol", 2), ("deviation", 0), ("1% VaR", 1),
               ("1% ES", 1), ("5% VaR", 3)]  # fmt: skip
    rows = [
        [f"{row['date']:%Y-%m-%d}", str(row["horizon"]), f"{row['variance'] ** 0.5:.2%}",
         f"{row['sigma']:.2%}", f"{row['var_0.01']:.2%}", f"{row['es_0.01']:.2%}",
         f"{row['var_0.05']:.2%}"]
        for _, row in forecast.iterrows()
    ]  # fmt: skip
    symbol = escape(str(forecast["symbol"].iloc[0]))
    fitted_table(console, f"{symbol} · the risk ahead ({estimator})", columns, rows)
