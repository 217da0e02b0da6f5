"""Write a run's outputs into its folder, all or nothing."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
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


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}  # fmt: skip
_MOST = 60  # characters of a name component, hash suffix included


def safe_name(text: str) -> str:
    """A file-name component made from any symbol or preset name: data, never a path.

    Keeps letters, digits, ".", "_" and "-"; anything else (path separators, "..",
    control characters, spaces, markup), a leading dot, a name Windows reserves or one
    too long is replaced, and then a short hash of the original is appended, so two
    names that differ stay apart: `MSFT` stays `MSFT`, `../x` becomes `_x-1f2e3d4c`.
    """
    kept = _UNSAFE.sub("_", text).lstrip(".") or "_"
    if kept.split(".")[0].upper() in _RESERVED:
        kept = f"_{kept}"
    if kept == text and len(kept) <= _MOST:
        return kept
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{kept[: _MOST - 9]}-{digest}"


def new_run_name(symbol: str, preset: str, now: datetime | None = None) -> str:
    """A folder name that sorts by time: `MSFT-default-20261127-113405`.

    The symbol and preset are made safe (`safe_name`), so the folder is always inside `out`.
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{safe_name(symbol)}-{safe_name(preset)}-{stamp}"


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
    path.write_text(json_text(data) + "\n")


def json_text(data: object, indent: int | None = 2) -> str:
    """Strict JSON (RFC 8259): NaN and infinities become null, NumPy scalars plain values."""
    return json.dumps(strict(data), indent=indent, allow_nan=False)


def strict(value: object) -> object:
    """`value` with every NaN or infinity replaced by None and NumPy scalars made plain."""
    if isinstance(value, dict):
        return {key: strict(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strict(item) for item in value]
    value = jsonable(value) if hasattr(value, "item") else value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


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
