"""Prices in an Excel workbook (.xlsx, .xlsm): its first sheet's cells, read as text as a
CSV's are, through openpyxl (an extra: `stockcaster[excel]`).

A workbook's dates are dates and its numbers numbers, not text: each is written as text the
way `validate.py` reads it back ("2016-12-30 00:00:00", Python's shortest repr of a float,
the same number to the bit), so a workbook and its CSV read to the same table. Its rows
are named as Excel numbers them: the header is row 1, the first price row 2. An older
workbook (.xls) or a spreadsheet of another program (.ods) is refused, saying so.
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pandas as pd

from stockcaster.errors import StockcasterError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def read_workbook(path: Path) -> pd.DataFrame:
    """The first sheet's cells as text (NaN where empty), under its first row's headers.

    Raises:
        StockcasterError: openpyxl missing, or a file that is no workbook.
    """
    if importlib.util.find_spec("openpyxl") is None:
        raise StockcasterError(
            f"{path}: expected the openpyxl package to read an Excel workbook, received none "
            "installed (pip install 'stockcaster[excel]', or save the sheet as CSV)"
        )
    try:
        sheet = pd.read_excel(path, sheet_name=0, header=0, dtype=object, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise StockcasterError(
            f"{path}: expected an Excel workbook, received unreadable data "
            f"({err.__class__.__name__})"
        ) from None
    sheet.columns = [str(c) for c in sheet.columns]
    return sheet.apply(_as_text)


def _as_text(column: pd.Series) -> pd.Series:
    """A sheet's column as text cells: a date as "YYYY-MM-DD HH:MM:SS", a number by repr."""

    def text(cell: object) -> object:
        if cell is None or (isinstance(cell, float) and cell != cell):
            return float("nan")  # an empty cell: missing
        if isinstance(cell, pd.Timestamp):
            return f"{cell:%Y-%m-%d %H:%M:%S}"
        return repr(cell) if isinstance(cell, float) else str(cell)

    return column.map(text).astype(object)
