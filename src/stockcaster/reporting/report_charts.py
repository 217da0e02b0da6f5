"""The interactive charts of each report, drawn from the files its command wrote.

Each function reads what it needs from a run folder's CSVs (already checked by the report's
`readback`) and returns a chart's HTML (`interactive.chart_html`). A chart whose file a
folder lacks (one written before the file existed) falls back to the folder's PNG.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.reporting.html_parts import image_html, paragraph, table_html
from stockcaster.reporting.interactive import Band, Line, bars, chart, chart_html, linked
from stockcaster.reporting.risk_figures import annualised, per_cent_a_year
from stockcaster.store import files


def forecast_chart(predictions: pd.DataFrame) -> str:
    """A run's test period: actual, the model's and naive's forecasts; below, each one's
    error, on the same (linked) dates."""
    days = pd.to_datetime(predictions[C.DATE])
    actual = predictions[C.ACTUAL]
    top = chart("Actual vs predicted, test period", days,
                [Line("actual", actual, "black", width=1.8), Line("model", predictions[C.YHAT]),
                 Line("naive (yesterday's close)", predictions[C.NAIVE], "#7f7f7f",
                      dashed=True)], "close")  # fmt: skip
    errors = chart("Forecast error (forecast - actual)", days,
                   [Line("model", predictions[C.YHAT] - actual),
                    Line("naive", predictions[C.NAIVE] - actual, "#7f7f7f")], "error",
                   height=220)  # fmt: skip
    return chart_html(linked(top, errors))


def loss_chart(folder: Path) -> str:
    """A network's training and validation loss per epoch (history.csv)."""
    path = folder / files.HISTORY_FILE
    if not path.is_file():
        return image_html(folder, files.LOSS_FIGURE, "training vs validation loss")
    history = pd.read_csv(path)
    lines = [Line(name, history[key]) for key, name in (("loss", "training"),
             ("val_loss", "validation")) if key in history]  # fmt: skip
    return chart_html(chart("Training vs validation loss", history["epoch"], lines, "loss",
                            x_label="epoch"))  # fmt: skip


def backtest_chart(folder: Path, forecasts: pd.DataFrame) -> str:
    """Each model's one-step forecasts over the actual closes; below, the equity curves of
    their long/flat rules beside buy-and-hold (equity.csv), on linked dates."""
    one = forecasts[forecasts[C.HORIZON] == 1]
    wide = one.pivot_table(index=C.DATE, columns=C.MODEL, values=C.YHAT, sort=False)
    actual = one.groupby(C.DATE, sort=False)[C.ACTUAL].first().reindex(wide.index)
    days = pd.to_datetime(pd.Series(wide.index))
    lines = [Line("actual", actual.to_numpy(), "black", width=1.8)]
    lines += [Line(str(m), wide[m].to_numpy(), width=1.0) for m in wide.columns]
    top = chart("One-step forecasts vs actual (click a legend entry to hide it)", days, lines,
                "close")  # fmt: skip
    path = folder / files.EQUITY_FILE
    if not path.is_file():
        return chart_html(top) + image_html(folder, files.EQUITY_FIGURE, "equity curves")
    curves = pd.read_csv(path, parse_dates=[C.DATE])
    growth = [Line("buy and hold", curves["buy_and_hold"], "black", width=1.8)]
    growth += [Line(f"{m} long/flat", curves[m], width=1.0) for m in curves.columns[2:]]
    equity = chart("Equity curves, net of costs", curves[C.DATE], growth, "growth of 1")
    return chart_html(linked(top, equity))


def fan_chart(forecast: pd.DataFrame) -> str:
    """A prediction's path, with its interval where it has one."""
    days = pd.to_datetime(forecast[C.DATE])
    lo, hi = forecast.get(C.LO), forecast.get(C.HI)
    band = None
    if lo is not None and hi is not None and pd.notna(lo).any():
        band = Band("interval", lo, hi)
    return chart_html(chart("Forecast of the next sessions", days,
                            [Line("forecast", forecast[C.YHAT], kind="line")], "close",
                            band=band))  # fmt: skip


def risk_ahead_chart(forecast: pd.DataFrame) -> str:
    """A volatility bundle's forecast: the 1% and 5% VaR and ES of the log-return from the
    last close to each session ahead."""
    days = pd.to_datetime(forecast[C.DATE])
    names = {"var_0.05": "5% VaR", "var_0.01": "1% VaR", "es_0.01": "1% ES"}
    lines = [Line(name, forecast[key]) for key, name in names.items() if key in forecast]
    return chart_html(chart("Value-at-Risk of the log-return to each session", days, lines,
                            "log-return"))  # fmt: skip


def picks_chart(picks: pd.DataFrame) -> str:
    """A universe prediction's book: each pick's predicted return, long to short."""
    if "predicted_return" not in picks or not len(picks):
        return ""
    return chart_html(bars("Predicted return of each pick", list(picks[C.SYMBOL]),
                           picks["predicted_return"], "predicted return"))  # fmt: skip


def universe_charts(folder: Path) -> str:
    """A universe's cumulative daily rank IC per model, and the growth of each model's
    long/short book beside the equal-weight universe, on linked dates."""
    ic_path, book_path = folder / files.IC_FILE, folder / files.PORTFOLIO_FILE
    if not (ic_path.is_file() and book_path.is_file()):
        return image_html(folder, files.IC_FIGURE, "cumulative rank IC") + image_html(
            folder, files.PORTFOLIO_FIGURE, "portfolio growth"
        )
    ic = pd.read_csv(ic_path, parse_dates=["date"])
    book = pd.read_csv(book_path, parse_dates=["date"])
    days = pd.Series(sorted(set(ic["date"]) | set(book["date"])))
    top = chart("Cumulative daily rank IC (flat: no skill)", days, [
        Line(str(m), g.set_index("date")["rank_ic"].cumsum().reindex(days).to_numpy())
        for m, g in ic.groupby("model", sort=False)], "cumulative rank IC")  # fmt: skip
    growth = [Line(f"{m} long/short", (1 + g.set_index("date")["portfolio"]).cumprod()
                   .reindex(days).to_numpy()) for m, g in book.groupby("model", sort=False)
              if g["portfolio"].any()]  # fmt: skip
    if len(book):
        first = book[book["model"] == book["model"].iloc[0]].set_index("date")["benchmark"]
        growth.append(Line("equal weight", (1 + first).cumprod().reindex(days).to_numpy(),
                           "black", dashed=True))  # fmt: skip
    return chart_html(linked(top, chart("Growth of 1", days, growth, "growth of 1")))


def history_chart(trials: pd.DataFrame) -> str:
    """A search's validation ratio per trial, and the best so far."""
    scored = trials[trials["validation_ratio"].notna()]
    return chart_html(chart("Optimisation history (below 1: better than the benchmark)",
                            scored["trial"],
                            [Line("trial", scored["validation_ratio"], kind="points"),
                             Line("best so far", scored["validation_ratio"].cummin(),
                                  "black")], "validation ratio", x_label="trial"))  # fmt: skip


def importance_chart(importances: dict) -> str:
    """Each parameter's share of the validation ratio's variance (none: no chart)."""
    if not importances:
        return ""
    return chart_html(bars("Parameter importances (fANOVA)", list(importances),
                           list(importances.values()), "share", 3))  # fmt: skip


def risk_chart(rows: pd.DataFrame, best: str) -> str:
    """One symbol's variance backtest: realised volatility of each next day with EWMA's and
    the best model's forecasts, annualised; below, each day's return and the best model's
    1% VaR, on linked dates."""
    one = rows[rows["horizon"] == 1]
    mine = one[one["model"] == best]
    days = pd.to_datetime(mine["origin"])
    lines = [Line("realised", annualised(mine["realised"], days), "#7f7f7f", width=0.8, digits=1)]
    for model in dict.fromkeys(("ewma", best)):
        theirs = one[one["model"] == model]
        if len(theirs):
            lines.append(Line(f"{model} forecast", annualised(theirs["variance"], days), digits=1))
    top = chart("Tomorrow's volatility, % a year", days, lines, "volatility")
    var = chart(f"Return and {best}'s 1% VaR (Student-t)", days,
                [Line("log-return", mine["return"], "#555555", width=0.8),
                 Line("1% VaR", mine["var_0.01"], "#d62728")], "log-return")  # fmt: skip
    return chart_html(linked(top, var))


def risk_universe_chart(days: pd.DataFrame, best: str) -> str:
    """A universe's daily mean realised and forecast deviation (annualised), and the share
    of symbols below the best model's 1% VaR, on linked dates."""
    mine = days[days["model"] == best]
    dates = pd.to_datetime(mine["date"])
    scale = per_cent_a_year(dates)
    lines = [Line("realised", scale * mine["realised"], "#7f7f7f", digits=1)]
    for model in dict.fromkeys(("ewma", best)):
        theirs = days[days["model"] == model]
        if len(theirs):
            lines.append(Line(f"{model} forecast", scale * theirs["predicted"], digits=1))
    top = chart("Tomorrow's volatility across the universe, % a year", dates, lines, "volatility")
    share = Line("% of symbols", 100 * mine["exceeded"], digits=2)
    below = chart(f"Share of symbols below {best}'s 1% VaR", dates, [share], "%")
    return chart_html(linked(top, below))


def explain_sections(folder: Path) -> list[tuple[str, str]]:
    """`stockcaster explain`'s result, when the run has one: per global model, its features
    ranked by how much shuffling each grows its validation error, and any caveat."""
    path = folder / "explain.json"
    if not path.is_file():
        return []
    found = json.loads(path.read_text())
    parts = []
    for name, record in found.get("models", {}).items():
        features = pd.DataFrame(record["features"]).head(15)
        caveat = (
            f"<p class='verdict'>{html.escape(record['caveat'])}</p>" if record["caveat"] else ""
        )
        shuffled = bars(f"{name}: MSE growth when shuffled", list(features["feature"]),
                        features["importance"], "MSE growth")  # fmt: skip
        parts.append(f"<h3>{html.escape(name)}</h3>" + caveat + table_html(features)
                     + chart_html(shuffled))  # fmt: skip
    if "symbol" in found:  # one symbol's network run: the days of its window
        held = next(iter(found["models"].values()), {}).get("windows", "validation")
        text = (f"Each day of the window (lag 1: the last return before the forecast day) "
                f"shuffled across the {held} windows: the growth of the network's error and "
                "its share of that error (stockcaster explain).")  # fmt: skip
        return [("What the network looked at", paragraph(text) + "".join(parts))]
    text = ("Each feature shuffled across the validation windows (the last training days, "
            "before the test period): the growth of the model's error, its share of that "
            "error, and for linear and lightgbm the mean absolute SHAP value (stockcaster "
            "explain).")  # fmt: skip
    return [("What the global models looked at", f"<p>{text}</p>" + "".join(parts))]
