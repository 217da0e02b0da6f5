"""`stockcaster inspect`: a price file read as every command reads it, missing values
counted instead of refused."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stockcaster.data import (
    missing_counts,
    parse_column_mapping,
    parse_prices,
    read_price_file,
    select_symbol,
)
from stockcaster.jobs.envelope import job


@dataclass(frozen=True)
class Inspection:
    """A price file's validated table (of one symbol, if one was named) and the missing
    values per column before they were dropped or filled."""

    table: pd.DataFrame
    missing: dict


@job
def inspect_prices(
    data: Path, symbol: str | None, columns: str | None, fill: str | None
) -> Inspection:
    """Read `data` (`fill` None drops the rows with missing values, which are counted)."""
    raw = read_price_file(data, parse_column_mapping(columns) if columns else None, symbol)
    missing = missing_counts(raw)
    table = parse_prices(raw, fill or "drop")
    if symbol is not None:
        table = select_symbol(table, symbol, str(data))
    return Inspection(table, missing)
