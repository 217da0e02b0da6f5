"""The report sections of a run, a backtest and a prediction, read back from their folders."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.reporting.html_parts import (
    image_html,
    notes_html,
    paragraph,
    record_html,
    table_html,
)
from stockcaster.reporting.numbers import share
from stockcaster.reporting.readback import Damaged, csv_table, json_object
from stockcaster.reporting.report_charts import (
    backtest_chart,
    explain_sections,
    fan_chart,
    forecast_chart,
    loss_chart,
    risk_ahead_chart,
)
from stockcaster.reporting.verdicts import plain_verdict
from stockcaster.store import files

_RUN_KEYS = ("model", "naive", "mse_ratio", "test_period", "symbol", "preset", "source")


def run_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    m = json_object(folder / files.METRICS_FILE, _RUN_KEYS)
    period = json_object_in(m, "test_period", folder / files.METRICS_FILE)
    predictions = csv_table(folder / files.PREDICTIONS_FILE, C.RUN_FORECAST_COLUMNS,
                            rows=period.get("days"), filled=_FILLED)  # fmt: skip
    data = m.get("data", {})
    rows = pd.DataFrame(
        [{"forecast": key, **{k: v for k, v in m[key].items()}} for key in ("model", "naive")]
    )
    verdict = plain_verdict(m["mse_ratio"], m.get("dm_pvalue"), m.get("lag_flag"))
    notes = "".join(paragraph(n) for n in m.get("notes", []))
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
        (
            "Actual vs predicted",
            forecast_chart(predictions)
            + paragraph(
                f"The last test days ({files.PREDICTIONS_FILE} has all {len(predictions)}):"
            )
            + table_html(predictions.tail(5), 2),
        ),
        *_training(folder, m),
        ("Residual diagnostics", image_html(folder, files.RESIDUALS_FIGURE, "residuals")),
        *explain_sections(folder),
        ("Reproducibility", record_html(m, _read(folder / files.CONFIG_FILE))),
    ]


def backtest_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    s = json_object(folder / files.LEADERBOARD_JSON, ("leaderboard", "symbol", "test_period"))
    board = pd.DataFrame(s["leaderboard"])
    csv_table(folder / files.LEADERBOARD_CSV, ("model", "horizon", "mse"), rows=len(board))
    forecasts = csv_table(folder / files.FORECASTS_FILE,
                          (C.DATE, C.MODEL, C.HORIZON, C.YHAT, C.ACTUAL),
                          filled=(C.DATE, C.MODEL, C.HORIZON, C.ACTUAL))  # fmt: skip
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
            )
            + notes_html(s),
        ),
        ("Leaderboard", table_html(board[shown])),
        ("Forecasts vs actual, and each rule's equity", backtest_chart(folder, forecasts)),
        ("Error distribution", image_html(folder, files.ERRORS_FIGURE, "errors")),
        (
            "Trading",
            paragraph(
                f"Buy and hold: total return {share(hold['total_return'])}, Sharpe "
                f"{hold['sharpe']:.2f}, maximum drawdown {share(hold['max_drawdown'])}; costs "
                f"{s['cost_bps']:g} bp per unit of position change. The equity curves are "
                "under the forecasts above, on the same dates."
            ),
        ),
        ("Failures", table_html(failures) if len(failures) else paragraph("None.")),
        ("Reproducibility", record_html(s)),
    ]


def predict_sections(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    meta = json_object(folder / files.PREDICT_META, ("bundle_meta", "data", "symbol"))
    if meta.get("target") == "variance":
        return _risk_ahead_sections(folder, meta)
    forecast = csv_table(folder / files.PREDICT_FILE, C.FUTURE_FORECAST_COLUMNS,
                         filled=(C.DATE, C.SYMBOL, C.HORIZON, C.YHAT))  # fmt: skip
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
            + _caveat(meta)
            + table_html(forecast, 2)
            + fan_chart(forecast),
        ),
        ("Reproducibility", record_html(meta)),
    ]


def _caveat(meta: dict) -> str:
    """A prediction's caveat (a bundle has no test score) and its notes on the prices it read
    (a split, a halt: `data/quality.py`), a paragraph each; "" for an older prediction
    without them."""
    said = paragraph(f"Note: {meta['caveat']}.") if meta.get("caveat") else ""
    return said + notes_html(meta)


def _risk_ahead_sections(folder: Path, meta: dict) -> tuple[str, list[tuple[str, str]]]:
    """A volatility bundle's prediction: the risk of each session ahead."""
    forecast = csv_table(folder / files.PREDICT_FILE, (C.DATE, C.HORIZON, "variance", "sigma"),
                         filled=(C.DATE, C.HORIZON, "variance", "sigma"))  # fmt: skip
    return f"{meta['symbol']}: the risk of the sessions ahead", [
        (
            "Forecast",
            paragraph(
                f"The next {len(forecast)} trading days after {meta['data']['end']}, from "
                f"the volatility bundle {meta['bundle']} ({meta['bundle_meta']['model']} on "
                f"{meta['estimator']}): sigma is the deviation of the log-return from the "
                "last close to each session, with its normal 1% and 5% VaR and ES."
            )
            + _caveat(meta)
            + table_html(forecast, 4)
            + risk_ahead_chart(forecast),
        ),
        ("Reproducibility", record_html(meta)),
    ]


_FILLED = (C.DATE, C.HORIZON, C.ACTUAL, C.YHAT, C.NAIVE)


def json_object_in(record: dict, key: str, path: Path) -> dict:
    """`record[key]`, which must be an object, else the file is damaged."""
    if not isinstance(record.get(key), dict):
        raise Damaged(path, f"{key!r} that is not an object")
    return record[key]


def _read(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None


def _training(folder: Path, m: dict) -> list[tuple[str, str]]:
    """The network's training curves (a run of another model, `--model`, has none)."""
    if "epochs_run" not in m:
        return []
    return [
        (
            "Training",
            paragraph(
                f"{m['epochs_run']} epochs, weights of epoch {m['best_epoch']} kept; final "
                f"losses {m['final_train_loss']:.4f} (training) and {m['final_val_loss']:.4f} "
                f"(validation), in {m['loss_units']}."
            )
            + loss_chart(folder),
        ),
    ]
