"""The report sections of a run, a backtest and a prediction, read back from their folders."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from stockcaster.reporting.html_parts import (
    image_html,
    paragraph,
    plain_verdict,
    record_html,
    table_html,
)
from stockcaster.store import files


def run_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    m = json.loads((folder / files.METRICS_FILE).read_text())
    data = m.get("data", {})
    rows = pd.DataFrame(
        [{"forecast": key, **{k: v for k, v in m[key].items()}} for key in ("model", "naive")]
    )
    verdict = plain_verdict(m["mse_ratio"], m.get("dm_pvalue"), m.get("lag_flag"))
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


def backtest_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    s = json.loads((folder / files.LEADERBOARD_JSON).read_text())
    board = pd.DataFrame(s["leaderboard"])
    shown = [c for c in ("model", "horizon", "n", "mse", "mse_ratio", "mase", "theil_u",
                         "directional_accuracy", "dm_pvalue", "lag_flag", "coverage",
                         "interval_score", "long_flat_sharpe", "long_short_sharpe", "error")
             if c in board.columns and board[c].notna().any()]  # fmt: skip
    verdicts = "".join(
        f"<li><b>{html.escape(str(r['model']))}</b>: "
        + html.escape(plain_verdict(r["mse_ratio"], r.get("dm_pvalue"), r.get("lag_flag")))
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


def predict_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
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
