"""Load and validate price data: files in, one validated price table out."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from stockcaster.data.covariates import with_covariate_file
from stockcaster.data.headers import parse_column_mapping
from stockcaster.data.readers import RawPrices, read_price_file
from stockcaster.data.symbols import select_symbol
from stockcaster.data.validate import FILL_POLICIES, FillPolicy, missing_counts, parse_prices

__all__ = [
    "FILL_POLICIES",
    "FillPolicy",
    "RawPrices",
    "load_prices",
    "missing_counts",
    "parse_column_mapping",
    "parse_prices",
    "read_price_file",
    "select_symbol",
]


def load_prices(
    path: str | Path | pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    symbol: str | None = None,
    fill: FillPolicy | None = None,
) -> pd.DataFrame:
    """Read a price file (Kaggle NYSE, Yahoo, generic CSV or Parquet) and validate it.

    Args:
        path: the file, or a DataFrame of prices in memory (its dates a column or its
            index; yfinance's `yf.download` as it returns them).
        columns: canonical name -> the file's column, for other headers.
        symbol: symbol for files without a symbol column (default: the file's stem).
        fill: policy for rows with missing values: None (refuse), "drop" or "ffill".

    Returns:
        The price table: date, symbol, close and whichever of open, high, low, volume
        and adj_close the file has, sorted by symbol and date.

    Raises:
        StockcasterError: on any bad input, with the file and line in the message.
    """
    table = parse_prices(read_price_file(path, columns, symbol), fill)
    return with_covariate_file(table, columns, fill)
