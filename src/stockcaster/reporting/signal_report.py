"""The report of `stockcaster signals`: the verdict, a tear sheet per horizon, the IC decay and
the cumulative rank IC of every signal, read back from the files the command wrote."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from stockcaster.reporting.html_parts import (
    left_out_html,
    notes_html,
    paragraph,
    record_html,
    table_html,
)
from stockcaster.reporting.interactive import Line, chart, chart_html
from stockcaster.reporting.readback import csv_table, json_object
from stockcaster.reporting.signal_tables import no_quantiles_note, verdict_lines
from stockcaster.store import files

COLUMNS = {"signal": "signal", "mean_rank_ic": "mean rank IC", "rank_ic_t": "Newey-West t",
           "t_needed": "|t| needed",
           "rank_icir": "ICIR", "share_positive": "share of days > 0",
           "monotonicity": "monotonicity", "decile_annual_return_net": "decile book, net a year",
           "decile_break_even_bps": "break-even bp",
           "buffered_annual_return_net": "buffered book, net a year",
           "decile_daily_turnover": "turnover a day",
           "spa_p_vs_best_factor": "SPA p against the best factor"}  # fmt: skip


def signal_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    """Title and sections of a signals run's report."""
    s = json_object(folder / files.SIGNALS_FILE, ("signals", "horizons", "cutoff", "symbols"))
    board = csv_table(folder / files.TEAR_SHEET_FILE, ("signal", "kind", "horizon"))
    decay = csv_table(folder / files.IC_DECAY_FILE, ("signal",))
    verdict = f"<ul class='verdict'>{_verdicts(board)}</ul>"
    books = board["decile_annual_return_gross"]
    if note := no_quantiles_note(board["monotonicity"], books, s["quantiles"]):
        verdict += paragraph(note)
    verdict += notes_html(s) + left_out_html(s, files.SIGNALS_FILE)
    sections = [("Verdict", verdict)]
    for h, rows in board.groupby("horizon", sort=True):
        rows = rows.sort_values("mean_rank_ic", ascending=False)
        named = zip(rows["signal"], rows["kind"], strict=True)
        rows = rows.assign(signal=[f"{n} (factor)" if k == "factor" else n for n, k in named])
        shown = rows[[c for c in COLUMNS if c in rows.columns]].rename(columns=COLUMNS)
        sections.append((f"The return over {h} session{'s' * (h > 1)}", table_html(shown)))
    sections += [
        ("IC decay: the mean rank IC at each horizon", table_html(decay)),
        ("Cumulative rank IC", _ic_chart(folder)),
        (
            "How each signal is judged",
            paragraph(
                f"{s['symbols']} symbols; every day from {s['cutoff']} is an origin. A signal "
                "is each symbol's score at a day's close: a factor's, or a model's forecast of "
                "the log-return of the next h sessions (fitted once on days up to the first "
                "origin). Rank IC: the day's Spearman correlation of the scores with the "
                "returns that followed; its t-statistic uses Newey-West errors (none with fewer "
                "than 5 times as many days as lags + 1). One session ahead a |t| of 2 is "
                "more than chance; beyond, returns over h days overlap, so the lags are 2h "
                "or 1.3 times the square root of the days, whichever is more, and the |t| "
                "needed is Kiefer and Vogelsang's fixed-b critical value for so many lags "
                "(on noise, 5-9% of panels reach it). The books hold the top and "
                f"bottom of {s['quantiles']} quantiles in equal weights, rebalanced every h "
                f"sessions; net of {s['cost_bps']:g} bp a half-turn; the buffered book keeps a "
                "name until it leaves the top or bottom share of ranks. SPA: Hansen's test "
                "that the signal's daily rank IC beats the best factor's."
            ),
        ),
        (
            "Reproducibility",
            record_html(s)
            + "<pre>"
            + html.escape(
                json.dumps(
                    {k: s[k] for k in ("data", "horizons", "models", "features") if k in s},
                    indent=2,
                )
            )
            + "</pre>",
        ),  # fmt: skip
    ]
    return f"stockcaster signals: {s['symbols']} symbols", sections


def _verdicts(board: pd.DataFrame) -> str:
    """One line per horizon (`signal_tables.verdict_lines`), as a list's items."""
    return "".join(f"<li>{html.escape(line)}</li>" for line in verdict_lines(board))


def _ic_chart(folder: Path) -> str:
    """Each signal's cumulative daily rank IC, one chart per horizon (flat: no skill)."""
    path = folder / files.IC_FILE
    if not path.is_file():
        return paragraph("No daily IC was written.")
    daily = pd.read_csv(path, parse_dates=["date"])
    parts = []
    for h, rows in daily.groupby("horizon", sort=True):
        days = pd.Series(sorted(rows["date"].unique()))
        lines = [Line(str(name), g.set_index("date")["rank_ic"].cumsum().reindex(days).to_numpy())
                 for name, g in rows.groupby("signal", sort=False)]  # fmt: skip
        figure = chart(f"Cumulative daily rank IC, h = {h}", days, lines, "cumulative rank IC")
        if figure is not None:
            parts.append(chart_html(figure))
    return "".join(parts) or paragraph("No day had a cross-section to judge.")
