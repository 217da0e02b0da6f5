"""Read price files (Kaggle NYSE, Yahoo, generic CSV or Parquet) into raw, named columns.

A reader only opens the file and names its columns; it keeps every cell as it was
written so that `validate.py` can point at the exact line of a bad value.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.arrow_csv import read_text_cells
from stockcaster.data.downloads import downloaded, long_closes
from stockcaster.data.events import event_rows
from stockcaster.data.frames import FRAME_SOURCE, FRAME_SYMBOL, frame_cells, given_path, in_memory
from stockcaster.data.headers import name_columns, wide_tickers
from stockcaster.data.workbook import WORKBOOK_SUFFIXES, read_workbook
from stockcaster.errors import StockcasterError

PARQUET_SUFFIXES = (".parquet", ".pq")
_PARQUET_MAGIC = b"PAR1"
_UTF16 = (b"\xff\xfe", b"\xfe\xff")  # the byte order marks of UTF-16 text
_WINDOWS = "cp1252"  # Excel's CSV on Windows: what a file that is not UTF-8 is read as
_COMPRESSED_SUFFIXES = (".gz", ".bz2", ".zip", ".xz", ".zst")
# Files prices are often exported to that are no CSV or Parquet: named, never misread.
_OTHER_FORMATS = dict.fromkeys((".xls", ".ods"), "a spreadsheet not of Excel's .xlsx") | {
    ".json": "a JSON file", ".html": "a web page", ".htm": "a web page", ".pkl": "a pickle",
    ".pickle": "a pickle", ".feather": "a Feather file", ".h5": "an HDF5 file",
}  # fmt: skip


@dataclass(frozen=True)
class RawPrices:
    """A price file's cells under canonical column names, not yet parsed.

    Attributes:
        frame: one column per canonical name found, cells as read (strings for CSV:
            Arrow-backed where Arrow's reader read the file, `arrow_csv.py`).
        source: the file's path, as the user gave it.
        first_line: file line (CSV) or row (Parquet) number of `frame`'s first row.
        unit: "line" for CSV, "row" for Parquet, used in messages.
        lines: each row's line, where the rows are not the file's in order (a yfinance
            download of several tickers, one after another; a panel with a symbol set aside).
        sheets: each row's sheet, where a workbook's rows come from several (a sheet per
            ticker).
        unread: the file's columns no name took, not in `frame` (`inspect` lists them).
    """

    frame: pd.DataFrame
    source: str
    first_line: int
    unit: str
    lines: np.ndarray | None = None
    sheets: np.ndarray | None = None
    unread: tuple[str, ...] = ()

    def line(self, position: int) -> int:
        """The file line (or row) of the row at `position` (0-based)."""
        if self.lines is None:
            return self.first_line + position
        return int(self.lines[position])

    def where(self, position: int) -> str:
        """Name the place of the row at `position` (0-based) as "FILE line N" (a workbook's
        "FILE sheet S row N" where its rows come from several sheets)."""
        return f"{self.source} {self.place(position)}"

    def place(self, position: int) -> str:
        """The row at `position` (0-based) in its file: "line N", or "sheet S row N"."""
        sheet = "" if self.sheets is None else f"sheet {self.sheets[position]} "
        return f"{sheet}{self.unit} {self.line(position)}"

    def rows(self, keep: pd.Series | np.ndarray) -> RawPrices:
        """The rows `keep` (a mask) marks, each still named by its own line."""
        return self.taken(np.flatnonzero(np.asarray(keep, dtype=bool)))

    def taken(self, positions: np.ndarray, frame: pd.DataFrame | None = None) -> RawPrices:
        """The rows at `positions`, in that order, each still named by its own line; or
        `frame` in their place, its rows read from those (a table of closes, made long)."""
        lines = self.first_line + np.arange(len(self.frame)) if self.lines is None else self.lines
        sheets = None if self.sheets is None else self.sheets[positions]
        frame = self.frame.iloc[positions] if frame is None else frame
        return dataclasses.replace(self, frame=frame, lines=lines[positions], sheets=sheets)


def read_price_file(
    path: str | Path | pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    symbol: str | None = None,
) -> RawPrices:
    """Read a price file and name its columns.

    Args:
        path: a CSV (optionally compressed), workbook or Parquet file, or a DataFrame of
            prices already in memory (`frames.py`; named "DataFrame", its rows by position).
        columns: canonical name -> column in the file, for files with other headers,
            e.g. `{"date": "Day", "close": "Last"}`.
        symbol: symbol for a file without a symbol column (a Yahoo per-ticker CSV);
            defaults to the file name's stem, upper-cased.

    Returns:
        The raw cells under canonical names.

    Raises:
        StockcasterError: the file is missing, empty, binary, malformed, or lacks a
            required column.
    """
    if in_memory(path):
        frame, lines = frame_cells(path)
        raw, source = RawPrices(frame, FRAME_SOURCE, 0, "row", lines), FRAME_SOURCE
    else:
        path = given_path(path)
        source, raw = str(path), read_cells(path)
    tickers = wide_tickers(raw.frame, columns or {}, source)
    if tickers:  # a column of closes per ticker
        raw = raw.taken(*long_closes(raw.frame, tickers)[::-1])
    frame, unread = name_columns(raw.frame, columns or {}, source)
    if C.SYMBOL not in frame.columns:
        name = symbol or (FRAME_SYMBOL if source == FRAME_SOURCE else symbol_of(path))
        frame.insert(1, C.SYMBOL, name)
    raw = dataclasses.replace(raw, frame=frame, unread=unread)
    events = event_rows(frame)  # Yahoo's history page: a dividend's row, a split's
    if events.all():
        raise StockcasterError(f"{source}: expected rows of prices, received only rows of "
                               "dividends and splits")  # fmt: skip
    return raw.rows(~events) if events.any() else raw


def symbol_of(path: Path) -> str:
    """A file's symbol from its name (`msft.csv`: MSFT), without the words Investing.com
    adds (`MSFT Historical Data.csv`)."""
    stem = path.name.split(".")[0]
    return re.sub(r"(?i)\s+historical\s+data$", "", stem).upper() or stem.upper()


def read_cells(path: Path) -> RawPrices:
    """A CSV (optionally compressed), workbook or Parquet file's cells as read (under the
    file's own headers), with the file line or row of each.

    Raises:
        StockcasterError: the file is missing, empty, binary, malformed, or has no rows.
    """
    _check_file(path)
    lines = sheets = None
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        (frame, first_line, lines, sheets), unit = read_workbook(path), "row"
    elif path.suffix.lower() in PARQUET_SUFFIXES or _starts_with(path, _PARQUET_MAGIC):
        frame, first_line, unit = _read_parquet(path), 1, "row"
    else:
        (frame, top), unit = _read_csv(path), "line"
        frame, first_line, lines = downloaded(frame, top)
    if frame.empty:
        raise StockcasterError(f"{path}: expected rows of prices, received only a header")
    return RawPrices(frame, str(path), first_line, unit, lines, sheets)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise StockcasterError(
            f"{path}: expected a price file, received a path that does not exist"
        )
    if not path.is_file():
        raise StockcasterError(
            f"{path}: expected a price file, received a directory (inspect, universe, signals "
            "and train --universe read a folder of them, a symbol's each)"
        )
    if path.suffix.lower() in _OTHER_FORMATS:
        raise StockcasterError(
            f"{path}: expected a CSV, Parquet or .xlsx file, received "
            f"{_OTHER_FORMATS[path.suffix.lower()]} (save the prices as CSV or .xlsx)"
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as err:
        raise StockcasterError(
            f"{path}: expected a readable file, received {err.strerror}"
        ) from None
    if not head:
        raise StockcasterError(f"{path}: expected a CSV or Parquet file, received an empty file")
    is_text_candidate = not head.startswith(_PARQUET_MAGIC) and not _is_compressed(path)
    is_text_candidate = is_text_candidate and path.suffix.lower() not in WORKBOOK_SUFFIXES
    if is_text_candidate and b"\x00" in head and not head.startswith(_UTF16):
        raise StockcasterError(f"{path}: expected a CSV text file, received binary data")


def _is_compressed(path: Path) -> bool:
    return path.suffix.lower() in _COMPRESSED_SUFFIXES


def _starts_with(path: Path, magic: bytes | tuple[bytes, ...]) -> bool:
    """Whether the file begins with `magic` (or one of several)."""
    longest = max(map(len, magic)) if isinstance(magic, tuple) else len(magic)
    with path.open("rb") as handle:
        return handle.read(longest).startswith(magic)


def _read_csv(path: Path) -> tuple[pd.DataFrame, int]:
    """A CSV's cells, and the line index of its header (0 but under a title)."""
    # Excel's "Unicode Text" is UTF-16, with its byte order mark: pandas reads it, not Arrow.
    encoding = "utf-16" if _starts_with(path, _UTF16) else None
    separator, top = _layout(path, encoding)
    cells = None if encoding else read_text_cells(path, _COMPRESSED_SUFFIXES, separator, top)
    if cells is not None:  # Arrow's reader, where it reads alike
        return cells, top
    return _pandas_cells(path, (separator, top), encoding)


def _pandas_cells(
    path: Path, layout: tuple[str, int], encoding: str | None
) -> tuple[pd.DataFrame, int]:
    """pandas' reading of every cell as text, under the header `layout` finds; a file that
    is not UTF-8 is read again as Windows-1252, Excel's CSV on Windows (its headers
    "Schlußkurs", "Données")."""
    separator, top = layout
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                           sep=separator, encoding=encoding, skiprows=top), top  # fmt: skip
    except pd.errors.EmptyDataError:
        raise StockcasterError(
            f"{path}: expected a CSV header and rows, received no columns"
        ) from None
    except pd.errors.ParserError as err:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        if found:
            want, line, got = found.groups()
            raise StockcasterError(
                f"{path} line {line}: expected {want} {_NAMES[separator]}-separated fields, "
                f"received {got}"
            ) from None
        raise StockcasterError(f"{path}: expected a well-formed CSV, received {err}") from None
    except UnicodeDecodeError:
        if encoding is None:
            return _pandas_cells(path, _layout(path, _WINDOWS), _WINDOWS)
        raise StockcasterError(
            f"{path}: expected a CSV file in UTF-8 (or Windows-1252, or UTF-16 with its byte "
            "order mark), received bytes that are text in none of them"
        ) from None
    except (OSError, EOFError) as err:
        raise StockcasterError(
            f"{path}: expected a readable CSV file, received unreadable data "
            f"({err.__class__.__name__})"
        ) from None


_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


_TITLE_LINES = 10  # lines above a header looked through: a title, a source, blank lines


def _layout(path: Path, encoding: str | None = None) -> tuple[str, int]:
    """The columns' separator and the line index of the header: the first line of two or
    more fields (a title above it, and blank lines, are not read, as a workbook's are not).
    The separator is a comma; or a semicolon or a tab where the header holds one and no
    comma, as Excel writes CSV in a locale whose decimal mark is a comma (the numbers:
    `written.py`), and its Unicode Text with tabs."""
    try:  # each line as one raw cell (pandas opens any compression): a header of 20,000
        # columns parsed as columns took 5 s
        lines = pd.read_csv(path, nrows=_TITLE_LINES + 1, header=None, sep="\x1f",
                            quoting=csv.QUOTE_NONE, dtype=str, encoding=encoding,
                            skip_blank_lines=False)[0]  # fmt: skip
    except (ValueError, UnicodeDecodeError, OSError, EOFError, IndexError, KeyError):
        return ",", 0  # the reader says what is wrong
    for top, line in lines.dropna().items():  # a blank line is NaN, and keeps its index
        separator = _separator(line)
        if sum(bool(field.strip()) for field in next(csv.reader([line], delimiter=separator))) >= 2:
            return separator, int(top)
    return _separator(str(lines.iloc[0])), 0


def _separator(header: str) -> str:
    if "," in header:
        return ","
    return next((s for s in ";\t" if s in header), ",")


def _read_parquet(path: Path) -> pd.DataFrame:
    """The file's columns, and its index when it holds data (yfinance's frames: "Date")."""
    try:
        frame = pd.read_parquet(path)
        plain = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
        return frame.reset_index(drop=plain)
    except Exception as err:  # pyarrow raises many types for a damaged file
        raise StockcasterError(
            f"{path}: expected a Parquet file, received unreadable data ({err.__class__.__name__})"
        ) from None
