"""One symbol's price history, from a file or the embedded default: the start of every job."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.data import FillPolicy, load_prices, select_symbol
from stockcaster.data.embedded import MSFT_SOURCE, load_msft


def load_series(
    data: str | Path | None,
    symbol: str | None = None,
    columns: Mapping[str, str] | None = None,
    fill: FillPolicy | None = None,
) -> tuple[pd.DataFrame, str]:
    """Load one symbol's validated prices from a file, or the embedded MSFT history.

    Returns:
        The symbol's price table and a label of its source for messages and reports.
    """
    if data is None:
        table, source = load_msft(), MSFT_SOURCE
    else:
        table, source = load_prices(data, columns, symbol, fill), str(data)
    return select_symbol(table, symbol, source), source


def price_series(prices: pd.DataFrame) -> pd.Series:
    """One symbol's closes as a Series indexed by date."""
    return pd.Series(
        prices[C.CLOSE].to_numpy(dtype="float64"), index=pd.DatetimeIndex(prices[C.DATE])
    )
