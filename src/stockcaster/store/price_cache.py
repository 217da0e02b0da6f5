"""The local cache of downloaded prices: one Parquet file per source, ticker and price kind.

`<cache>/<source>/<TICKER>.<adjusted|raw>.parquet` holds the validated table (date,
symbol, open, high, low, close, volume, and adj_close for raw closes), and in its schema's
metadata under `stockcaster` the source, the request (ticker, start, end, price kind) and
the time of each download. A file is written whole or not at all (a scratch file renamed
over it), so a later run reads either the last good download or none; a run that names a
cached ticker reads this file and nothing else, without the network.

The cache is `--cache DIR`, else `STOCKCASTER_CACHE`, else `$XDG_CACHE_HOME/stockcaster`,
else `~/.cache/stockcaster`.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from stockcaster.errors import StockcasterError

CACHE_ENV = "STOCKCASTER_CACHE"
_KEY = b"stockcaster"


def cache_root(given: str | Path | None = None) -> Path:
    """The cache folder (see the module)."""
    if given is not None:
        return Path(given)
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(home) / "stockcaster"


def cached_path(root: Path, source: str, ticker: str, prices: str) -> Path:
    """Where `ticker`'s prices from `source` are kept (the ticker upper-case, checked by the
    source's request: no path separators)."""
    return Path(root) / source / f"{ticker.upper()}.{prices}.parquet"


def write_cached(path: Path, table: pd.DataFrame, record: dict) -> None:
    """Write `table` with `record` (source, request, downloads) to `path`, whole or not at all.

    Raises:
        StockcasterError: the cache folder cannot be created or written.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.partial"
        arrow = pa.Table.from_pandas(table.reset_index(drop=True), preserve_index=False)
        meta = {**(arrow.schema.metadata or {}), _KEY: json.dumps(record).encode()}
        try:
            pq.write_table(arrow.replace_schema_metadata(meta), scratch)
            os.replace(scratch, path)
        finally:
            scratch.unlink(missing_ok=True)
    except OSError as err:
        raise StockcasterError(
            f"--cache: expected a folder stockcaster can write, received {path.parent} "
            f"({err.strerror or err.__class__.__name__})"
        ) from None


def read_cached(path: Path) -> tuple[pd.DataFrame, dict]:
    """A cached table and its record.

    Raises:
        StockcasterError: a file that is not a cache file stockcaster wrote (damaged, or
            written by something else): fetch it again.
    """
    try:
        arrow = pq.read_table(path)
        record = json.loads((arrow.schema.metadata or {})[_KEY])
        if not isinstance(record, dict) or "request" not in record:
            raise ValueError("no request")
    except (OSError, KeyError, ValueError, pa.ArrowException):
        raise StockcasterError(
            f"{path}: expected a price cache file stockcaster wrote, received a damaged or "
            "foreign file (fetch the ticker again)"
        ) from None
    return arrow.to_pandas(), record
