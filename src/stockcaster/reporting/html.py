"""One self-contained HTML report per run folder: figures embedded, no script, no network.

It reads only what the run wrote (`metrics.json`, `leaderboard.json` or `prediction.json`,
the CSVs and PNGs), so `stockcaster report RUN_DIR` can rebuild it at any time.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from stockcaster.errors import StockcasterError
from stockcaster.reporting import run_folder as files

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { border-bottom: 1px solid #ddd; margin-top: 2em; }
.verdict { background: #f6f6f0; border-left: 4px solid #c80; padding: 0.6em 1em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.5em 0; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.muted { color: #666; font-size: 0.9em; }
.wide { overflow-x: auto; }
"""


def write_report(folder: str | Path) -> Path:
    """Write `report.html` into a run, backtest or predict folder and return its path.

    Raises:
        StockcasterError: the folder is not one that stockcaster wrote.
    """
    from stockcaster.reporting.universe_report import SUMMARY_FILE, universe_sections

    folder = Path(folder)
    if (folder / SUMMARY_FILE).is_file():
        title, sections = universe_sections(folder)
    elif (folder / files.METRICS_FILE).is_file():
        title, sections = _run_sections(folder)
    elif (folder / files.LEADERBOARD_JSON).is_file():
        title, sections = _backtest_sections(folder)
    elif (folder / files.PREDICT_META).is_file():
        title, sections = _predict_sections(folder)
    else:
        raise StockcasterError(
            f"{folder}: expected a folder written by stockcaster run, backtest, predict or "
            "universe, received one without metrics.json, leaderboard.json, prediction.json "
            "or universe.json"
        )
    body = "\n".join(f"<h2>{html.escape(name)}</h2>\n{content}" for name, content in sections)
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>"
        f"<p class='muted'>{html.escape(str(folder))}</p>\n{body}</body></html>\n"
    )
    path = folder / files.REPORT_FILE
    # A report is never seen half-written.
    files.write_atomic(path, lambda scratch: scratch.write_text(page, encoding="utf-8"))
    return path


def image_html(folder: Path, name: str, alt: str) -> str:
    """A PNG of the folder embedded as a data URI (empty if the file is missing)."""
    path = folder / name
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"


def table_html(frame: pd.DataFrame, digits: int = 4) -> str:
    """A frame as an HTML table, numbers to `digits` decimals, scrolling if wide."""
    table = frame.to_html(index=False, na_rep="", float_format=lambda v: f"{v:.{digits}f}")
    return f"<div class='wide'>{table}</div>"


def paragraph(value: str) -> str:
    """Escaped text as one paragraph."""
    return f"<p>{html.escape(value)}</p>"


def record_html(meta: dict, config_text: str | None = None) -> str:
    """The reproducibility record: config, data fingerprint, versions, command."""
    parts = []
    if config_text is not None:
        parts.append("<h3>config</h3><pre>" + html.escape(config_text) + "</pre>")
    shown = {k: meta[k] for k in ("data", "reproducibility", "source") if k in meta}
    parts.append("<pre>" + html.escape(json.dumps(shown, indent=2)) + "</pre>")
    return "\n".join(parts)


def _plain_verdict(ratio: float, pvalue: float | None, lag: bool | None) -> str:
    """Say in words what the numbers mean for one model against naive."""
    gap = abs(1 - ratio) * 100
    words = [
        f"Its squared error is {gap:.1f}% {'below' if ratio < 1 else 'above'} that of "
        "repeating yesterday's close (the naive forecast)."
    ]
    if pvalue is not None:
        significant = pvalue < 0.05
        words.append(
            f"The Diebold-Mariano test gives p = {pvalue:.3f}: the difference "
            + ("is unlikely to be chance." if significant else "could well be chance.")
        )
    if lag:
        words.append(
            "Its forecasts line up better with the previous day's close than with the actual "
            "close: the curve mostly follows the price a day late."
        )
    elif lag is not None:
        words.append("Its forecasts do not merely trail the price by a day.")
    return " ".join(words)


def _run_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    m = json.loads((folder / files.METRICS_FILE).read_text())
    data = m.get("data", {})
    rows = pd.DataFrame(
        [{"forecast": key, **{k: v for k, v in m[key].items()}} for key in ("model", "naive")]
    )
    verdict = _plain_verdict(m["mse_ratio"], m.get("dm_pvalue"), m.get("lag_flag"))
    notes = "".join(paragraph(n) for n in m.get("notes", []))
    period = m["test_period"]
    return f"{m['symbol']}: stockcaster run, preset {m['preset']}", [
        ("Verdict", f"<div class='verdict'>{html.escape(verdict)}</div>{notes}"),
        (
            "Data",
            paragraph(
                f"{m['source']}, symbol {m['symbol']}: {data.get('rows', '?')} trading days, "
                f"{data.get('start', '?')} to {data.get('end', '?')}; validated, no missing "
                f"values left. Test period: {period['days']} days, {period['start']} to "
                f"{period['end']}."
            )
            + image_html(folder, files.PRICES_FIGURE, "price chart"),
        ),
        ("Test-period metrics", table_html(rows)),
        ("Actual vs predicted", image_html(folder, files.FORECAST_FIGURE, "actual vs predicted")),
        (
            "Training",
            paragraph(
                f"{m['epochs_run']} epochs, weights of epoch {m['best_epoch']} kept; final "
                f"losses {m['final_train_loss']:.4f} (training) and {m['final_val_loss']:.4f} "
                f"(validation), in {m['loss_units']}."
            )
            + image_html(folder, files.LOSS_FIGURE, "training vs validation loss"),
        ),
        ("Residual diagnostics", image_html(folder, files.RESIDUALS_FIGURE, "residuals")),
        ("Reproducibility", record_html(m, _read(folder / files.CONFIG_FILE))),
    ]


def _backtest_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    s = json.loads((folder / files.LEADERBOARD_JSON).read_text())
    board = pd.DataFrame(s["leaderboard"])
    shown = [c for c in ("model", "horizon", "n", "mse", "mse_ratio", "mase", "theil_u",
                         "directional_accuracy", "dm_pvalue", "lag_flag", "coverage",
                         "interval_score", "long_flat_sharpe", "long_short_sharpe", "error")
             if c in board.columns and board[c].notna().any()]  # fmt: skip
    verdicts = "".join(
        f"<li><b>{html.escape(str(r['model']))}</b>: "
        + html.escape(_plain_verdict(r["mse_ratio"], r.get("dm_pvalue"), r.get("lag_flag")))
        + "</li>"
        for _, r in board[(board["horizon"] == 1) & (board["model"] != "naive")].iterrows()
        if pd.notna(r.get("mse_ratio"))
    )
    hold = s["buy_and_hold"]
    period = s["test_period"]
    failures = pd.DataFrame(s["failures"])
    return f"{s['symbol']}: stockcaster backtest", [
        ("Verdict, one step ahead", f"<ul class='verdict'>{verdicts}</ul>"),
        (
            "Data",
            paragraph(
                f"{s['source']}, symbol {s['symbol']}; walk-forward over {period['days']} "
                f"test days, {period['start']} to {period['end']}, settings {s['backtest']}."
            ),
        ),
        ("Leaderboard", table_html(board[shown])),
        ("Forecasts vs actual", image_html(folder, files.FORECASTS_FIGURE, "forecasts")),
        ("Error distribution", image_html(folder, files.ERRORS_FIGURE, "errors")),
        (
            "Trading",
            paragraph(
                f"Buy and hold: total return {hold['total_return']:.1%}, Sharpe "
                f"{hold['sharpe']:.2f}, maximum drawdown {hold['max_drawdown']:.1%}; costs "
                f"{s['cost_bps']:g} bp per unit of position change."
            )
            + image_html(folder, files.EQUITY_FIGURE, "equity curves"),
        ),
        ("Failures", table_html(failures) if len(failures) else paragraph("None.")),
        ("Reproducibility", record_html(s)),
    ]


def _predict_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    meta = json.loads((folder / files.PREDICT_META).read_text())
    forecast = pd.read_csv(folder / files.PREDICT_FILE)
    trained = meta["bundle_meta"]["data"]
    return f"{meta['symbol']}: stockcaster predict", [
        (
            "Forecast",
            paragraph(
                f"The next {len(forecast)} trading days after {meta['data']['end']}, from "
                f"the bundle {meta['bundle']} (trained on {trained['rows']} days to "
                f"{trained['end']}); lo and hi are the {meta['quantiles'][0]:.0%} and "
                f"{meta['quantiles'][-1]:.0%} quantiles."
                if meta["quantiles"]
                else f"The next {len(forecast)} trading days after {meta['data']['end']}."
            )
            + table_html(forecast, 2)
            + image_html(folder, files.FAN_FIGURE, "fan chart"),
        ),
        ("Reproducibility", record_html(meta)),
    ]


def _read(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None
