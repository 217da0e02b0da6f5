"""Reading a finished folder back (for `stockcaster report`): every file checked for the shape
its command writes, and a damaged one named.

A folder may have been truncated by a full disk, edited by hand or replaced by something
else; a report must never be written from such a file as if it were whole. Each reader
raises `Damaged` with the file and what is wrong, which `write_report` turns into one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


class Damaged(Exception):
    """A file of a finished folder that is not what its command writes."""

    def __init__(self, path: Path, received: str):
        super().__init__(f"{path}: {received}")
        self.path = path
        self.received = received


def json_object(path: Path, keys: tuple[str, ...] = ()) -> dict:
    """A JSON file holding an object with `keys` (each present).

    Raises:
        Damaged: missing, unreadable, not JSON, not an object, or a key missing.
    """
    try:
        value = json.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise Damaged(path, "no such file") from None
    except (OSError, ValueError) as err:
        raise Damaged(path, f"unreadable JSON ({err.__class__.__name__})") from None
    if not isinstance(value, dict):
        raise Damaged(path, f"a JSON {type(value).__name__} instead of an object")
    missing = [key for key in keys if key not in value]
    if missing:
        raise Damaged(path, f"an object without {missing[0]!r}")
    return value


def csv_table(
    path: Path, columns: tuple[str, ...], rows: int | None = None, filled: tuple[str, ...] = ()
) -> pd.DataFrame:
    """A CSV file with at least `columns`, every value of `filled` present (and exactly
    `rows` rows, when given).

    Raises:
        Damaged: missing, unreadable, not UTF-8 text, a column missing, a value missing
            (a row cut short) or the wrong number of rows.
    """
    try:
        table = pd.read_csv(path, encoding="utf-8", on_bad_lines="error")
    except FileNotFoundError:
        raise Damaged(path, "no such file") from None
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise Damaged(path, f"unreadable CSV ({err.__class__.__name__})") from None
    missing = [c for c in (*columns, *filled) if c not in table.columns]
    if missing:
        raise Damaged(path, f"a table without column {missing[0]!r}")
    if rows is not None and len(table) != rows:
        raise Damaged(path, f"{len(table)} rows where its folder records {rows}")
    empty = table[list(filled)].isna().any(axis=1).to_numpy().nonzero()[0]
    if len(empty):
        raise Damaged(path, f"line {empty[0] + 2} with a value missing (a file cut short?)")
    return table
