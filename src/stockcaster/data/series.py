"""One symbol's price history, from a file or the embedded default: the start of every job."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.data import FillPolicy, load_prices, select_symbol
from stockcaster.data.embedded import MSFT_SOURCE, load_msft
from stockcaster.data.frames import data_label
from stockcaster.errors import StockcasterError


def load_series(
    data: str | Path | pd.DataFrame | None,
    symbol: str | None = None,
    columns: Mapping[str, str] | None = None,
    fill: FillPolicy | None = None,
    named_by: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """Load one symbol's validated prices from a file, or the embedded MSFT history
    (`named_by`: who chose `symbol`, when the user did not, for messages).

    Returns:
        The symbol's price table and a label of its source for messages and reports.

    Raises:
        StockcasterError: bad input, or a close that never changes (nothing to forecast,
            and no naive error to compare with).
    """
    if data is None:
        table, source = load_msft(), MSFT_SOURCE
    else:
        table, source = load_prices(data, columns, symbol, fill), data_label(data)
    prices = select_symbol(table, symbol, source, named_by)
    close = prices[C.CLOSE]
    if len(close) > 1 and close.nunique() == 1:
        raise StockcasterError(
            f"{source} symbol {prices[C.SYMBOL].iloc[0]}: expected closes that change, "
            f"received the same close {close.iloc[0]:g} on all {len(close)} rows"
        )
    return prices, source


def price_series(prices: pd.DataFrame) -> pd.Series:
    """One symbol's closes as a Series indexed by date."""
    return pd.Series(
        prices[C.CLOSE].to_numpy(dtype="float64"), index=pd.DatetimeIndex(prices[C.DATE])
    )
