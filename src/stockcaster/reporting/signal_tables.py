"""`stockcaster signals` in the terminal: a tear sheet per horizon, then the IC decay."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.markup import escape

from stockcaster.reporting.numbers import p_value, share
from stockcaster.reporting.tables import fitted_table
from stockcaster.reporting.verdicts import SIGNIFICANT, T_SIGNIFICANT, ic_t_words

COLUMNS = [("signal", 0), ("rank IC", 0), ("NW t", 0), ("IC", 2), ("share > 0", 3),
           ("monotone", 2), ("decile net/yr", 1), ("break-even bp", 1), ("buffered net/yr", 2),
           ("turnover/day", 3), ("SPA p vs best factor", 1)]  # fmt: skip


def _cell(value, spec) -> str:
    """A table's cell: "-" for none, else `value` by a format spec or a writer (`share`: a
    return of 0.04% is not written 0.0%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return spec(value) if callable(spec) else format(value, spec)


def no_quantiles_note(monotonicity, books, bins: int) -> str | None:
    """Why every signal's monotonicity and quantile books are empty, when they are: no day
    had `bins` symbols with a score (a day with fewer has no quantiles); why monotonicity
    alone is, with 2 quantiles (it ranks the quantiles' mean returns); None otherwise.

    Args:
        monotonicity: each signal's monotonicity.
        books: each signal's quantile book (a figure of it: NaN where it is empty).
        bins: the quantile groups asked (`--bins`).
    """
    if any(pd.notna(v) for v in monotonicity):
        return None
    if not any(pd.notna(v) for v in books):
        return (
            f"Monotonicity and the quantile books are empty: no day had {bins} symbols with a "
            f"score ({bins} quantile groups need at least that many)."
        )
    return (
        f"Monotonicity is empty: it is the rank correlation of the quantiles' mean returns "
        f"with their order, which {bins} quantile groups cannot give (3 or more can)."
    )


def t_bar(rows: pd.DataFrame) -> str:
    """The |t| a horizon's signals must reach to be more than chance, in a few words: 2 one
    session ahead, more beyond (overlapping returns: `tear_sheet.t_needed`); a range where
    signals were judged on different numbers of days; "" where no signal has a t (or a
    folder written before the bar was recorded)."""
    needed = rows["t_needed"].dropna() if "t_needed" in rows else pd.Series([], dtype=float)
    if needed.empty:
        return ""
    low, high = f"{needed.min():.2f}", f"{needed.max():.2f}"
    return f"|t| {low if low == high else f'{low}-{high}'} needed"


def verdict_lines(board: pd.DataFrame) -> list[str]:
    """One line per horizon: the best factor (and whether its rank IC's t-statistic says more
    than chance), the best model, and whether it beats that factor under SPA."""
    lines = []
    for h, rows in board.groupby("horizon", sort=True):
        rows = rows[rows["mean_rank_ic"].notna()]  # a signal judged on some day
        if rows.empty:  # the test days end before a return h sessions on is known
            lines.append(f"h = {h}: no day judged: no test day has the return {h} sessions "
                         "on of 3 symbols or more")  # fmt: skip
            continue
        factors, models = rows[rows["kind"] == "factor"], rows[rows["kind"] == "model"]
        best = factors[factors["signal"] == factors.get("best_factor")]  # the one SPA is against
        best = best if len(best) else factors.sort_values("mean_rank_ic", ascending=False)[:1]
        line = f"h = {h}: "
        if len(best):
            b = best.iloc[0]
            needed = b.get("t_needed", T_SIGNIFICANT)
            said = ic_t_words(b["rank_ic_t"], 1, T_SIGNIFICANT if pd.isna(needed) else needed)
            line += f"the best factor is {b['signal']} (rank IC {b['mean_rank_ic']:.4f}, {said})"
        if len(models):
            m = models.sort_values("mean_rank_ic", ascending=False).iloc[0]
            beats = pd.notna(m["spa_p_vs_best_factor"]) and m["spa_p_vs_best_factor"] < SIGNIFICANT
            line += (f"; the best model, {m['signal']}, {'beats' if beats else 'does not beat'} "
                     f"it (SPA {p_value(m['spa_p_vs_best_factor'], 2)})")  # fmt: skip
        lines.append(line)
    return lines


def print_signals(console: Console, board, summary: dict) -> None:
    """Each horizon's signals, best rank IC first; then mean rank IC by horizon; then the
    verdict of each horizon in words, as the report says it."""
    for h, rows in board.groupby("horizon", sort=True):
        rows = rows.sort_values("mean_rank_ic", ascending=False)
        cells = [[escape(str(r.signal)) + (" (factor)" if r.kind == "factor" else ""),
                  _cell(r.mean_rank_ic, ".4f"), _cell(r.rank_ic_t, ".1f"), _cell(r.mean_ic, ".4f"),
                  _cell(r.share_positive, ".0%"), _cell(r.monotonicity, ".2f"),
                  _cell(r.decile_annual_return_net, share), _cell(r.decile_break_even_bps, ".1f"),
                  _cell(getattr(r, "buffered_annual_return_net", None), share),
                  _cell(r.decile_daily_turnover, ".2f"), _cell(r.spa_p_vs_best_factor, ".2f")]
                 for r in rows.itertuples()]  # fmt: skip
        title = (
            f"{summary['symbols']} symbols · the return over {h} session{'s' * (h > 1)} "
            f"after {summary['cutoff']} · {summary['cost_bps']:g} bp a half-turn"
        ) + (f" · {bar}" if (bar := t_bar(rows)) else "")
        fitted_table(console, title, COLUMNS, cells)
    decay = board.pivot(index="signal", columns="horizon", values="mean_rank_ic")
    columns = [("signal", 0), *((f"h = {h}", 0) for h in decay.columns)]
    rows = [[escape(str(name)), *(_cell(v, ".4f") for v in values)]
            for name, values in zip(decay.index, decay.to_numpy(), strict=True)]  # fmt: skip
    fitted_table(console, "IC decay: mean rank IC by horizon", columns, rows)
    books = board["decile_annual_return_gross"]
    if note := no_quantiles_note(board["monotonicity"], books, summary["quantiles"]):
        console.print(escape(note))
    for line in verdict_lines(board):
        console.print(f"verdict, {escape(line)}")
