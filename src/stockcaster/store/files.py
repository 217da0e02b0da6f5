"""Write a run's outputs into its folder, all or nothing."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd

# Every file name stockcaster writes, named once.
MODEL_FILE = "model.keras"
CONFIG_FILE = "config.toml"
SCALER_FILE = "scaler.json"  # a bundle's fitted scaler
BUNDLE_META_FILE = "bundle.json"
STORE_FILE = "results.sqlite"  # a universe run's results store
SUMMARY_FILE = "universe.json"
SYMBOLS_FILE = "symbols.csv"
IC_FILE = "ic_daily.csv"
PORTFOLIO_FILE = "portfolio_daily.csv"
RATIO_FIGURE = "ratios.png"
IC_FIGURE = "ic.png"
PORTFOLIO_FIGURE = "portfolio.png"
GLOBAL_MODEL_FILE = "global_model.keras"
METRICS_FILE = "metrics.json"
PREDICTIONS_FILE = "predictions.csv"
HISTORY_FILE = "history.csv"
LEADERBOARD_CSV = "leaderboard.csv"
LEADERBOARD_JSON = "leaderboard.json"
FORECASTS_FILE = "forecasts.csv"
FORECASTS_FIGURE = "forecasts.png"
ERRORS_FIGURE = "errors.png"
EQUITY_FIGURE = "equity.png"
PREDICT_FILE = "forecast.csv"
PREDICT_META = "prediction.json"
PRICES_FIGURE = "prices.png"
RESIDUALS_FIGURE = "residuals.png"
REPORT_FILE = "report.html"
FAN_FIGURE = "fan.png"
LOSS_FIGURE = "loss.png"
FORECAST_FIGURE = "forecast.png"


def new_run_name(symbol: str, preset: str, now: datetime | None = None) -> str:
    """A folder name that sorts by time: `MSFT-default-20261127-113405`."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{symbol}-{preset}-{stamp}"


class RunFolder:
    """A run's folder, written all or nothing.

    Inside the `with` block files go to a hidden scratch folder, `path`; when the block
    ends without error the scratch folder becomes `final`, otherwise it is removed (with
    `out`, if this run created it), so a failed run leaves nothing behind.
    """

    def __init__(self, out: Path, name: str):
        self.out = out
        self.final = _free_name(out, name)
        self.path = out / f".{self.final.name}.partial"
        self._created_out = False

    def __enter__(self) -> RunFolder:
        self._created_out = not self.out.exists()
        self.path.mkdir(parents=True)
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        if error_type is None:
            os.replace(self.path, self.final)
            return
        shutil.rmtree(self.path, ignore_errors=True)
        if self._created_out and not any(self.out.iterdir()):
            self.out.rmdir()


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, default=jsonable) + "\n")


def jsonable(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {value!r}")


def records(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as plain dicts for JSON: None where pandas holds NaN, dates as ISO."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        {k: (f"{v:%Y-%m-%d}" if isinstance(v, pd.Timestamp) else v) for k, v in row.items()}
        for row in clean.to_dict(orient="records")
    ]


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write one file whole or not at all: `write` fills a hidden scratch file beside
    `path` (same suffix, for writers that check it), which then replaces `path`."""
    scratch = path.with_name(f".{path.name}.partial{path.suffix}")
    write(scratch)
    os.replace(scratch, path)


def _free_name(out: Path, name: str) -> Path:
    candidate, n = out / name, 2
    while candidate.exists():
        candidate, n = out / f"{name}-{n}", n + 1
    return candidate
