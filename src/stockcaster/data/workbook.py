"""Prices in an Excel workbook (.xlsx, .xlsm): the cells of its first sheet that holds any
(and of its later sheets of the same columns: a sheet per ticker), read as text as a CSV's
are, through openpyxl (an extra: `stockcaster[excel]`).

A workbook's dates are dates and its numbers numbers, not text: each is written as text the
way `validate.py` reads it back ("2016-12-30 00:00:00", Python's shortest repr of a float,
the same number to the bit), so a workbook and its CSV read to the same table. Its rows
are named as Excel numbers them: under a header in row 1, the first price is row 2. An older
workbook (.xls) or a spreadsheet of another program (.ods) is refused, saying so.
"""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.headers import TICKER_NAME, normalise, unique_names
from stockcaster.errors import StockcasterError, listed

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def read_workbook(path: Path) -> tuple[pd.DataFrame, int, np.ndarray | None, np.ndarray | None]:
    """The cells of the workbook's first sheet that holds any, as text (NaN where empty),
    under its header, the Excel row of the first row under it, and, for a sheet per ticker,
    each row's Excel row and sheet. Other sheets (notes, a chart's data) are not read.

    The header is the sheet's first row of two or more cells: a title above it, blank rows
    and blank columns around the table are not read (a sheet's table often starts lower
    down, or at column B, under a title). Later sheets of the same columns are read too: a
    sheet per ticker (`sheets`), each named by its sheet (`MSFT`), or one table in parts
    where it has a symbol column.

    Raises:
        StockcasterError: openpyxl missing, a file that is no workbook, one without cells,
            or one whose sheets of the same columns are not named as tickers are.
    """
    held = _sheets(path)
    tables = {name: _table(cells) for name, cells in held.items()}
    (first, (sheet, top)), *others = tables.items()
    alike = [first] + [n for n, (t, _) in others if list(t.columns) == list(sheet.columns)]
    if len(alike) == 1:
        return sheet.apply(_as_text), top + 2, None, None  # pandas' row 0 is Excel's row 1
    has_symbols = any(normalise(c) == C.SYMBOL for c in sheet.columns)
    if not has_symbols and not all(_TICKER.fullmatch(str(n).strip()) for n in alike):
        raise StockcasterError(
            f"{path}: expected one sheet of prices, or a sheet per ticker named as tickers are, "
            f"received {len(alike)} sheets of the same columns ({listed(alike)}): name each "
            "sheet by its ticker, or give the symbols in one sheet with a symbol column"
        )
    parts = [tables[n][0].assign(**({} if has_symbols else {C.SYMBOL: str(n).strip()}))
             for n in alike]  # fmt: skip
    rows = np.concatenate([tables[n][1] + 2 + np.arange(len(tables[n][0])) for n in alike])
    names = np.repeat(np.array(alike, dtype=object), [len(tables[n][0]) for n in alike])
    first_row = int(rows[0]) if len(rows) else top + 2  # sheets of headers only: no rows
    return pd.concat(parts, ignore_index=True).apply(_as_text), first_row, rows, names


# A sheet named as a ticker is (`MSFT`, `BRK-B`, `7203.T`): capitals, not only digits (a
# year's, `2016`), and not Excel's own names (`Sheet1`) or words (`Data`, `Prices`)
_TICKER = re.compile(rf"(?=.*[A-Z^]){TICKER_NAME}")


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    """The workbook's sheets that hold any cell, by name, in their order."""
    if importlib.util.find_spec("openpyxl") is None:
        raise StockcasterError(
            f"{path}: expected the openpyxl package to read an Excel workbook, received none "
            "installed (pip install 'stockcaster[excel]', or save the sheet as CSV)"
        )
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise StockcasterError(
            f"{path}: expected an Excel workbook, received unreadable data "
            f"({err.__class__.__name__})"
        ) from None
    held = {name: cells for name, cells in sheets.items() if cells.notna().any().any()}
    if not held:
        raise StockcasterError(
            f"{path}: expected a sheet of prices, received a workbook whose {len(sheets)} "
            f"sheet{'s are' if len(sheets) != 1 else ' is'} empty"
        )
    return held


def _table(cells: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """A sheet's table under its header (the first row of two or more cells, blank columns
    left out), and the header's row index (pandas' row 0 is Excel's row 1)."""
    cells = cells.loc[:, cells.notna().any()]
    filled = cells.notna().sum(axis=1)
    top = filled.index[filled >= 2][0] if (filled >= 2).any() else filled.index[filled > 0][0]
    table = cells.loc[top + 1 :].reset_index(drop=True)
    table.columns = _names(cells.loc[top])
    return table, int(top)


def _names(header: pd.Series) -> list[str]:
    """A header row's cells as column names, as pandas names a sheet's: an empty cell
    `Unnamed: k`, a repeated name `close.1`."""
    return unique_names([f"Unnamed: {k}" if pd.isna(c) else str(c) for k, c in enumerate(header)])


def _as_text(column: pd.Series) -> pd.Series:
    """A sheet's column as text cells: a date as "YYYY-MM-DD HH:MM:SS", a number by repr."""

    def text(cell: object) -> object:
        if cell is None or (isinstance(cell, float) and cell != cell):
            return float("nan")  # an empty cell: missing
        if isinstance(cell, pd.Timestamp):
            return f"{cell:%Y-%m-%d %H:%M:%S}"
        return repr(cell) if isinstance(cell, float) else str(cell)

    return column.map(text).astype(object)
