"""One symbol's price history, from a file or the embedded default: the start of every job."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.data.covariates import with_covariate_file
from stockcaster.data.embedded import MSFT_SOURCE, load_msft
from stockcaster.data.frames import data_label
from stockcaster.data.readers import RawPrices, read_price_file
from stockcaster.data.symbols import select_symbol, spelling
from stockcaster.data.validate import FillPolicy, parse_prices
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
        source = data_label(data)
        table = _symbol_prices(data, columns, fill, (symbol, source, named_by))
    prices = select_symbol(table, symbol, source, named_by)
    close = prices[C.CLOSE]
    if len(close) > 1 and close.nunique() == 1:
        raise StockcasterError(
            f"{source} symbol {prices[C.SYMBOL].iloc[0]}: expected closes that change, "
            f"received the same close {close.iloc[0]:g} on all {len(close)} rows"
        )
    return prices, source


def _symbol_prices(data, columns, fill: FillPolicy | None, asked: tuple) -> pd.DataFrame:
    """The prices of `data`, of the symbol `asked` alone (`symbol_rows`)."""
    raw = symbol_rows(read_price_file(data, columns, asked[0]), asked)
    return with_covariate_file(parse_prices(raw, fill), columns, fill)


def symbol_rows(raw: RawPrices, asked: tuple) -> RawPrices:
    """The rows of the symbol `asked` (with its source and who named it, for
    `select_symbol`) where a file holds others too: another symbol's bad row is not this
    one's (`run --symbol AAA` of a panel was refused for a negative close of BRK's, which
    `universe` sets aside). Each row keeps its file line; all rows where none is asked."""
    symbol = asked[0]
    if symbol is None:
        return raw
    names = raw.frame[C.SYMBOL].astype(str).str.strip()
    mine = (names == spelling(names.unique())(symbol)).to_numpy()
    if not mine.any():  # not in the file: said so, not another symbol's bad row
        select_symbol(pd.DataFrame({C.SYMBOL: sorted(names.unique()), C.DATE: 0}), *asked)
    return raw.rows(mine) if mine.any() and not mine.all() else raw


def price_series(prices: pd.DataFrame) -> pd.Series:
    """One symbol's closes as a Series indexed by date."""
    return pd.Series(
        prices[C.CLOSE].to_numpy(dtype="float64"), index=pd.DatetimeIndex(prices[C.DATE])
    )
