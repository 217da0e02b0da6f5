"""Many rows into SQLite at the speed of SQLite, and the store's transactions.

Python's `executemany` pays a statement step and reset per row, ~2 us, as much as SQLite's
own work: a universe's 600k forecast rows took 2.5 s. One INSERT of many rows
(`VALUES (...), (...), ...`) pays it once per `ROWS_PER_INSERT` rows and halves the time.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

ROWS_PER_INSERT = 150
"""Rows per INSERT: at most 6 columns times 150 = 900 parameters, under SQLite's oldest
limit of 999 (3.32 raised it to 32,766)."""


def insert_rows(db: sqlite3.Connection, table: str, columns: list[list]) -> None:
    """Insert rows given as equally long columns of plain Python values."""
    width, count = len(columns), len(columns[0]) if columns else 0
    flat: list = [None] * (width * count)
    for j, column in enumerate(columns):
        flat[j::width] = column  # row after row, as the statement's parameters
    row = "(" + ", ".join("?" * width) + ")"
    whole, rest = divmod(count, ROWS_PER_INSERT)
    step = width * ROWS_PER_INSERT
    if whole:
        many = f"INSERT INTO {table} VALUES " + ", ".join([row] * ROWS_PER_INSERT)
        db.executemany(many, (flat[i : i + step] for i in range(0, whole * step, step)))
    if rest:
        db.execute(f"INSERT INTO {table} VALUES " + ", ".join([row] * rest), flat[whole * step :])


def iso_dates(dates: pd.Series) -> list[str]:
    """Dates as ISO text (YYYY-MM-DD), as the store keeps them: each distinct day formatted
    once (a universe's forecasts repeat the same few hundred days)."""
    days, inverse = np.unique(dates.to_numpy(dtype="datetime64[D]"), return_inverse=True)
    return np.datetime_as_string(days, unit="D").astype(object)[inverse].tolist()


class Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, error_type, error, traceback) -> None:
        self._db.execute("ROLLBACK" if error_type else "COMMIT")
