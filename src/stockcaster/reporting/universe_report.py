"""The report sections of a universe run, read back from its folder."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.evaluation.tear_sheet import DECILES
from stockcaster.reporting.book_tables import book_held
from stockcaster.reporting.html_parts import (
    image_html,
    notes_html,
    paragraph,
    record_html,
    table_html,
)
from stockcaster.reporting.numbers import share
from stockcaster.reporting.readback import csv_table, json_object
from stockcaster.reporting.report_charts import explain_sections, picks_chart, universe_charts
from stockcaster.reporting.signal_tables import no_quantiles_note
from stockcaster.store import files
from stockcaster.store.files import (
    RATIO_FIGURE,
    SUMMARY_FILE,
    SYMBOLS_FILE,
)


def universe_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    """Title and sections of a universe run's report."""
    s = json_object(folder / SUMMARY_FILE, ("scores", "settings", "symbols", "cross_section"))
    scores = pd.DataFrame(s["scores"])
    settings = s["settings"]
    counts = s["symbols"]
    cross = _cross_table(s["cross_section"])
    bench = next(iter(s["cross_section"].values()), {}).get("portfolio", {})
    per_symbol = csv_table(folder / SYMBOLS_FILE, ("symbol",), filled=("symbol",))
    reasons = {**s["skipped"], **s["failed"]}
    skipped = pd.DataFrame({"symbol": list(reasons), "reason": list(reasons.values())})
    fits = _fits_table(s.get("global_models") or {})
    done = counts.get("done", 0)
    return f"stockcaster universe: {done} symbol{'s' * (done != 1)}", [
        ("Verdict", f"<ul class='verdict'>{_verdicts(s['scores'])}</ul>"),
        ("Tear sheet: the signals, one day ahead", _tear_sheet_html(s.get("tear_sheet") or [])),
        (
            "Data",
            paragraph(
                f"{settings['data']['source']}: {len(settings['symbols'])} symbol"
                f"{'s' * (len(settings['symbols']) != 1)} chosen, {done} run, "
                f"{counts.get('skipped', 0)} skipped, "
                f"{counts.get('failed', 0)} failed. Training days up to {settings['cutoff']} "
                f"for every symbol; every later day forecast one step ahead. Mode "
                f"{settings['config']['mode']}."
            )
            + notes_html(s),
        ),
        ("Leaderboard", _leaderboard_html(s.get("leaderboard") or [])),
        ("Scores across symbols", table_html(scores)),
        ("MSE ratio to naive, per symbol", image_html(folder, RATIO_FIGURE, "ratio histogram")),
        (
            "Cross-section: information coefficient and top-k portfolio",
            paragraph(
                f"Daily IC: correlation across symbols of predicted and realised one-day "
                f"returns. Portfolio: long the top {bench.get('k', '?')} and short the bottom "
                f"{bench.get('k', '?')} predicted returns, rebuilt daily, "
                f"{bench.get('cost_bps', 0):g} bp per unit traded; benchmark: the equal-weight "
                f"universe (annual return "
                f"{_pct(bench.get('benchmark', {}).get('annual_return'))})."
            )
            + table_html(cross)
            + universe_charts(folder),
        ),
        ("Global models", _fits_html(fits) + _intervals_html(s.get("intervals") or {})),
        (
            "Per symbol",
            table_html(per_symbol) if len(per_symbol) else paragraph("No symbol finished."),
        ),
        ("Skipped and failed symbols", _failures_html(skipped, s.get("model_failures") or {})),
        *explain_sections(folder),
        (
            "Reproducibility",
            record_html(s) + "<pre>" + html.escape(json.dumps(settings, indent=2)) + "</pre>",
        ),  # fmt: skip
    ]


def _failures_html(skipped: pd.DataFrame, models: dict[str, dict]) -> str:
    """The symbols set aside or failed, and each model that failed on some symbol's windows."""
    html_text = table_html(skipped) if len(skipped) else paragraph("None.")
    if models:
        failed = pd.DataFrame([{"model": m, **f} for m, f in models.items()])
        html_text += paragraph("Models that failed on windows (symbols; with no forecast at "
                               "all; the first error):") + table_html(failed)  # fmt: skip
    return html_text


def _tear_sheet_html(rows: list[dict]) -> str:
    """Each model's predicted return and each factor baseline as a signal: rank IC with its
    Newey-West t, the deciles' monotonicity, the decile book net of costs, break-even."""
    if not rows:
        return paragraph("No signal had a day of cross-section to judge.")
    table = pd.DataFrame(
        {
            "signal": [r["signal"] + (" (factor)" if r["kind"] == "factor" else "") for r in rows],
            "days": [r["days"] for r in rows],
            "mean rank IC": [r["mean_rank_ic"] for r in rows],
            "Newey-West t": [r["rank_ic_t"] for r in rows],
            "share of days > 0": [r["share_positive"] for r in rows],
            "monotonicity": [r["monotonicity"] for r in rows],
            "decile book, net a year": [(r.get("decile") or {}).get("annual_return_net")
                                        for r in rows],
            "break-even bp": [(r.get("decile") or {}).get("break_even_bps") for r in rows],
        }
    ).sort_values("mean rank IC", ascending=False)  # fmt: skip
    note = no_quantiles_note(table["monotonicity"], table["decile book, net a year"], DECILES)
    return (
        paragraph(
            "Each model's predicted return for tomorrow, made at a test day's close, and each "
            "price-only factor, judged as a cross-sectional signal: the day's rank correlation "
            "with the realised returns (t-statistic with Newey-West errors), how monotone the "
            "deciles' mean returns are, and a long-short book of the top and bottom deciles "
            "rebuilt daily, net of the run's cost per half-turn, with the cost at which it "
            "breaks even. `stockcaster signals` adds horizons of 5 and 21 sessions and an SPA "
            "test against the best factor."
        )
        + table_html(table)
        + (paragraph(note) if note else "")
    )


def _intervals_html(intervals: dict) -> str:
    """The quantile heads' intervals: coverage overall and across symbols, interval score."""
    if not intervals:
        return ""
    rows = [{"model": name, "level": v["level"], "coverage": v["coverage"],
             "median symbol": v["median_symbol_coverage"], "symbols' p10": v["symbol_coverage_p10"],
             "symbols' p90": v["symbol_coverage_p90"],
             "interval score / close": v["interval_score_share"]}
            for name, v in intervals.items()]  # fmt: skip
    return paragraph(
        "Intervals of the quantile heads: the share of test closes inside each interval, "
        "overall and per symbol (median, 10th and 90th percentiles), and the interval score "
        "as a share of the close (lower is better)."
    ) + table_html(pd.DataFrame(rows))


def _cross_table(cross_section: dict) -> pd.DataFrame:
    """One row per model: its IC and its top-k portfolio's figures."""
    rows = []
    for model, parts in cross_section.items():
        ic, book = parts["ic"], parts["portfolio"]
        rows.append(
            {
                "model": model,
                "mean IC": ic["mean_ic"],
                "mean rank IC": ic["mean_rank_ic"],
                "ICIR": ic["icir"],
                "annual return": book["annual_return"],
                "information ratio": book["information_ratio"],
                "max drawdown": book["max_drawdown"],
                "turnover/day": book["mean_turnover"],
            }
        )
    return pd.DataFrame(rows)


def _verdicts(scores: list[dict]) -> str:
    """One line per model scored against naive; `scores` as stored in the summary."""
    items = []
    for r in scores:
        if r["model"] == "naive" or r["median_mse_ratio"] is None:
            continue
        items.append(
            f"<li><b>{html.escape(str(r['model']))}</b>: median MSE ratio to naive "
            f"{r['median_mse_ratio']:.4f}; an MSE below naive's on "
            f"{share(r['share_beating_naive'], 0)} of {r['symbols']} symbols, significantly "
            f"(Diebold-Mariano, 5%, Benjamini-Hochberg across symbols) on "
            f"{r.get('dm_wins_bh', '?')} ({r['dm_wins']} before the "
            f"correction), significantly worse on {r.get('dm_losses_bh', '?')} "
            f"({r['dm_losses']}).</li>"
        )
    return "".join(items) or "<li>No model was scored.</li>"


def _leaderboard_html(rows: list[dict]) -> str:
    return paragraph(
        "One row per model (global models: per feature set). DM wins and losses after a "
        "Benjamini-Hochberg correction across symbols (false discovery rate 5%), raw counts "
        "beside them; IC and the book from the forecasts, as below."
    ) + table_html(pd.DataFrame(rows))


def _fits_html(fits: pd.DataFrame) -> str:
    if not len(fits):
        return paragraph("Not used.")
    return paragraph(
        "Each global model's fits: the cutoff it learned up to and the last day whose "
        "forecasts it made; a refit of a network starts from the weights before it."
    ) + table_html(fits)


def _fits_table(fits: dict[str, list[dict]]) -> pd.DataFrame:
    """One row per fit of each global model (its training history left out)."""
    rows = [
        {key: value for key, value in record.items() if key != "history"}
        for records in fits.values()
        for record in records
    ]
    return pd.DataFrame(rows)


def _legend(ax, **options) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**options)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else share(value)


def universe_predict_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    """Title and sections of `predict` on a universe bundle: the book, the spread, the rest."""
    meta = json_object(folder / files.UNIVERSE_PREDICT_META, ("bundle_meta", "set_aside"))
    picks = csv_table(folder / files.PICKS_FILE, (C.SYMBOL,), filled=(C.SYMBOL,))
    forecast = csv_table(folder / files.PREDICT_FILE, (C.DATE, C.SYMBOL, C.YHAT, C.LO, C.HI),
                         filled=(C.DATE, C.SYMBOL, C.YHAT))  # fmt: skip
    aside = pd.DataFrame({"symbol": list(meta["set_aside"]),
                          "reason": list(meta["set_aside"].values())})  # fmt: skip
    trained = meta["bundle_meta"]
    horizon = meta.get("horizon", 1)  # an older prediction was always one session
    own = (
        " Symbols end on different days, so each is forecast from its own last close."
        if meta["own_last_close"]
        else ""
    )
    made = meta["symbols"]["forecast"]
    k, held = len(picks) // 2, book_held(picks, meta)  # held: fewer than asked
    return f"stockcaster predict: {made} symbol{'s' * (made != 1)}", [
        (
            "The book",
            paragraph(
                (
                    f"The {k} highest and lowest predicted next-session returns"
                    if k
                    else "The next-session forecasts"
                )
                + f" of the global {trained['model']} (bundle {meta['bundle']}, trained to "
                f"{trained['trained_until']}), from data ending {', '.join(meta['last_dates'])}."
                + own
                + (f" {held[0].upper()}{held[1:]}." if held else "")
            )
            + notes_html(meta)
            + table_html(picks)
            + picks_chart(picks)
            + image_html(folder, "picks.png", "the book's picks"),
        ),
        (
            "Each pick's forecast",
            paragraph(
                f"The last closes of each pick, then its forecast over {horizon} "
                f"session{'s' if horizon > 1 else ''}"
                + (" with its interval" if forecast["lo"].notna().all() else "")
                + (
                    ". After the first session the network is fed its own median forecasts, "
                    "and the interval widens as a random walk's: the one-step bands' log "
                    "half-widths add in squares."
                    if horizon > 1
                    else "."
                )
            )
            + image_html(folder, "pick_fans.png", "each pick's forecast"),
        ),
        ("Predicted returns", image_html(folder, "predicted_returns.png", "predicted returns")),
        (f"Set aside ({len(aside)})", table_html(aside) if len(aside) else paragraph("None.")),
        ("Forecasts", table_html(forecast, 2)),
        ("Reproducibility", record_html(meta)),
    ]
