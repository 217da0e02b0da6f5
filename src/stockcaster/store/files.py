"""Write a run's outputs into its folder, all or nothing."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import Interrupted, MachineError, StockcasterError, check_interrupted
from stockcaster.models.base import NETWORK_FILE
from stockcaster.models.base import SCALES_FILE as SCALES_FILE

try:
    import resource  # POSIX only
except ImportError:  # pragma: no cover - Windows
    resource = None

# Every file name stockcaster writes, named once (a network's own, where it saves them).
MODEL_FILE = NETWORK_FILE
CONFIG_FILE = "config.toml"
BUNDLE_META_FILE = "bundle.json"
STORE_FILE = "results.sqlite"  # a universe run's results store
SUMMARY_FILE = "universe.json"
SYMBOLS_FILE = "symbols.csv"
IC_FILE = "ic_daily.csv"
PORTFOLIO_FILE = "portfolio_daily.csv"
RATIO_FIGURE = "ratios.png"
IC_FIGURE = "ic.png"
PORTFOLIO_FIGURE = "portfolio.png"

METRICS_FILE = "metrics.json"
PREDICTIONS_FILE = "predictions.csv"
HISTORY_FILE = "history.csv"
LEADERBOARD_CSV = "leaderboard.csv"
LEADERBOARD_JSON = "leaderboard.json"
FORECASTS_FILE = "forecasts.csv"
FORECASTS_FIGURE = "forecasts.png"
ERRORS_FIGURE = "errors.png"
EQUITY_FIGURE = "equity.png"
EQUITY_FILE = "equity.csv"  # a backtest's equity curves, each test day
PREDICT_FILE = "forecast.csv"
PREDICT_META = "prediction.json"
UNIVERSE_PREDICT_META = "universe_prediction.json"  # predict on a universe bundle
PICKS_FILE = "picks.csv"  # ... and the book it would hold
PRICES_FIGURE = "prices.png"
RESIDUALS_FIGURE = "residuals.png"
REPORT_FILE = "report.html"
FAN_FIGURE = "fan.png"
LOSS_FIGURE = "loss.png"
FORECAST_FIGURE = "forecast.png"
VAR_CSV = "var.csv"  # a variance run's VaR table
DISTRIBUTION_CSV = "distribution.csv"  # ... its CRPS and interval coverage
RISK_FIGURE = "risk.png"  # ... its volatility and VaR figure
RISK_UNIVERSE_FILE = "universe_risk.json"  # a universe's variance run
SIGNALS_FILE = "signals.json"  # `stockcaster signals`: every figure of every signal
TUNE_FILE = "tune.json"  # `stockcaster tune`: the search, its best and its verdict
TEAR_SHEET_FILE = "tear_sheet.csv"  # ... a row per signal and horizon
IC_DECAY_FILE = "ic_decay.csv"  # ... the mean rank IC of each signal at each horizon
RISK_DAILY_CSV = "risk_daily.csv"  # ... each model's cross-sectional means per day
RISK_CSV = "risk.csv"  # predict on a universe bundle: each symbol's risk ahead
VOLATILITY_FIGURE = "volatility.png"  # predict on a volatility bundle: the risk ahead


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


def global_network_file(folder: Path, model: str, fit: int) -> Path:
    """A universe's global network after its fit number `fit` (warm start of the next)."""
    return folder / f"global_{safe_name(model)}.fit{fit}.keras"


def new_run_name(symbol: str, preset: str, now: datetime | None = None) -> str:
    """A folder name that sorts by time: `MSFT-default-20261127-113405`.

    The symbol and preset are made safe (`safe_name`), so the folder is always inside `out`.
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{safe_name(symbol)}-{safe_name(preset)}-{stamp}"


ROOM = 64 * 2**20
"""Bytes a job may write at once (model files, checkpoints): checked before any work,
because a checkpoint write that fails halfway inside HDF5 can crash the process."""


def check_writable(folder: Path, option: str = "--out", room: int = ROOM) -> None:
    """Make sure `folder` can be created and written, before any work; leave no trace.

    A probe file is written and removed; a folder made for the probe is removed again.
    The file-size limit (`ulimit -f`) and the free space on the folder's disk must leave
    `room` bytes.

    Raises:
        StockcasterError: `folder` is a file, or cannot be created or written.
        MachineError: too little room, naming the limit or the free space.
    """
    folder = Path(folder)
    for _ in range(3):  # another command probing the same new folder may remove it meanwhile
        made: list[Path] = []
        try:
            _check_room(folder, option, room)
            made = _missing_folders(folder)
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".stockcaster-probe-"):
                return
        except FileNotFoundError as err:  # gone between our mkdir and our probe: again
            error = err
        except OSError as err:
            error = err
            break
        finally:
            _remove_if_empty(made)
    cause = "a file" if isinstance(error, FileExistsError | NotADirectoryError) else None
    raise StockcasterError(
        f"{option}: expected a folder that can be created and written, received {folder} "
        f"({cause or error.strerror or error.__class__.__name__})"
    ) from None


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and its parents that do not exist yet, deepest first."""
    return [p for p in (folder, *folder.parents) if not p.exists()]


def _remove_if_empty(folders: list[Path]) -> None:
    """Remove folders made here, deepest first, each only if nothing was left in it."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _check_room(folder: Path, option: str, room: int) -> None:
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0] if resource else -1
    if limit != getattr(resource, "RLIM_INFINITY", -1) and 0 <= limit < room:
        raise MachineError(
            f"{option}: expected room for files of {room / 2**20:.0f} MB, received a file-size "
            f"limit of {limit} bytes (ulimit -f)"
        )
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    if existing is not None and existing.is_dir():
        free = shutil.disk_usage(existing).free
        if free < room:
            raise MachineError(
                f"{option}: expected {room / 2**20:.0f} MB free for the outputs, received "
                f"{free / 2**20:.1f} MB free on the disk of {existing}"
            )


class RunFolder:
    """A run's folder, written all or nothing.

    Inside the `with` block files go to a hidden scratch folder, `path`, named uniquely
    (two runs into the same `out` never share one); when the block ends without error the
    scratch folder is renamed to `final`, the first free name, so both runs are kept.
    Otherwise, on any error or interruption, it is removed (with `out`, if this run
    created it), so a failed run leaves nothing behind.
    """

    def __init__(self, out: Path, name: str):
        self.out = Path(out)
        self.name = name
        self.final = self.out / name
        self.path = self.out / f".{name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.partial"
        self._created = _missing_folders(self.out)

    def __enter__(self) -> RunFolder:
        self.path.mkdir(parents=True)
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        if error_type is None:
            try:
                check_interrupted()  # a signal swallowed on the way: do not commit
            except Interrupted:
                self._remove()
                raise
            self.final = _rename_free(self.path, self.out, self.name)
            return
        self._remove()

    def _remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        _remove_if_empty(self._created)


def write_csv(frame: pd.DataFrame, path: Path, **options) -> None:
    """Write a table as CSV, a symbol that a spreadsheet would run as a formula (one that
    starts with =, +, - or @) written with a leading quote, as OWASP advises."""
    if C.SYMBOL in frame.columns:
        frame = frame.assign(**{C.SYMBOL: frame[C.SYMBOL].map(_not_a_formula)})
    frame.to_csv(path, index=False, **options)


def _not_a_formula(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


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
    value = value.item() if hasattr(value, "item") else value  # a NumPy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as plain dicts for JSON: None where pandas holds NaN, dates as ISO.

    One object array for the whole frame: `to_dict("records")` boxes every cell through
    pandas' indexing, ~7 ms for one symbol's leaderboard of a universe run.
    """
    cells = frame.to_numpy(dtype=object)  # plain float, int and bool; Timestamp for dates
    cells[frame.isna().to_numpy(dtype=bool)] = None
    for j, dtype in enumerate(frame.dtypes):
        if dtype.kind in "OM":
            cells[:, j] = [
                f"{v:%Y-%m-%d}" if isinstance(v, pd.Timestamp) else v for v in cells[:, j]
            ]
    names = frame.columns.tolist()
    return [dict(zip(names, row, strict=True)) for row in cells.tolist()]


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Write one file whole or not at all: `write` fills a hidden scratch file beside
    `path` (same suffix, for writers that check it), which then replaces `path`."""
    scratch = path.with_name(f".{path.name}.partial{path.suffix}")
    try:
        write(scratch)
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)


def _rename_free(scratch: Path, out: Path, name: str) -> Path:
    """Rename `scratch` to `out/name`, or `name-2`, `name-3`, ... if that is taken.

    The rename itself decides: a second run finishing in the same second finds the name
    taken (a non-empty folder) and takes the next one.
    """
    n = 1
    while True:
        candidate = out / (name if n == 1 else f"{name}-{n}")
        if not candidate.exists():
            try:
                os.rename(scratch, candidate)
                return candidate
            except OSError as err:
                if err.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
        n += 1
