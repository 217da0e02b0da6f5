"""A fast path for reading a CSV's cells as text: Arrow's multi-threaded C++ reader, taken
only where it reads a file as pandas' reader (`readers._read_csv`) does.

pandas' C reader (every cell a string, no NA guessing, spaces after a comma skipped) is the
reference: its errors name the malformed line or the undecodable byte. Arrow's reader is
several times faster on a universe file and keeps the cells in Arrow memory, where
`validate.py` checks and parses them without making a Python string of each. It differs
from pandas on a few layouts: it keeps the spaces after a comma, keeps duplicate and empty
header names (pandas renames them), and fails on rows pandas reads (too few fields). So
`read_text_cells` returns None, and the caller reads with pandas, on any Arrow error and
on any file with one of those layouts; `tests/test_arrow_csv.py` reads a set of such files
both ways. `as_arrow` hands any column of text cells to Arrow's string kernels
(`validate.py`, `events.py`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

# Suffixes Arrow opens as pandas does: plain text (any other name) and gzip.
_ARROW_COMPRESSED = (".gz",)
_SPACE_FIRST = r"^[ \t]"  # what pandas' skipinitialspace would strip


def read_text_cells(
    path: Path, compressed: tuple[str, ...], separator: str = ",", top: int = 0
) -> pd.DataFrame | None:
    """Every cell of a CSV as an Arrow-backed string, or None where pandas must read it.

    Args:
        compressed: the suffixes the caller reads as compressed files; of those, only
            gzip is read here.
        separator: the columns' separator (a semicolon or tab in some exports).
        top: the header's line index (the lines above it, a title, are skipped).
    """
    suffix = path.suffix.lower()
    if suffix in compressed and suffix not in _ARROW_COMPRESSED:
        return None
    try:
        fields = pcsv.ParseOptions(delimiter=separator)
        start = pcsv.ReadOptions(block_size=1 << 16, skip_rows=top)
        with pcsv.open_csv(path, start, fields) as head:
            names = head.schema.names
        if len(set(names)) != len(names) or any(n == "" or n[:1] in " \t" for n in names):
            return None
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(skip_rows=top),
            parse_options=pcsv.ParseOptions(delimiter=separator, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
        if any(pc.any(pc.match_substring_regex(c, _SPACE_FIRST)).as_py() for c in table.columns):
            return None
        return table.to_pandas(types_mapper=pd.ArrowDtype)
    except (pa.ArrowException, OSError, ValueError):
        return None


def is_text(column: pd.Series) -> bool:
    """Whether a column holds text cells (Python strings or Arrow's), not parsed values."""
    return column.dtype == object or pd.api.types.is_string_dtype(column)


def as_arrow(column: pd.Series) -> pa.Array:
    """A column of text cells as an Arrow string array (NaN or None as null), for Arrow's
    string kernels.

    Raises:
        pa.ArrowException, TypeError, ValueError: a cell that is not a string.
    """
    if isinstance(column.dtype, pd.ArrowDtype):
        return pa.array(column.array)  # already Arrow memory: no copy into Python strings
    return pa.array(column.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
