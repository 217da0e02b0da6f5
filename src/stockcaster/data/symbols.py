"""Pick one symbol's history out of a price table."""

from __future__ import annotations

import difflib
from collections.abc import Callable

import pandas as pd

from stockcaster import columns as C
from stockcaster.errors import StockcasterError, shown


def select_symbol(
    table: pd.DataFrame, symbol: str | None, source: str, named_by: str | None = None
) -> pd.DataFrame:
    """Return one symbol's rows, sorted by date.

    Args:
        table: a validated price table.
        symbol: the symbol wanted; None takes the only symbol of a one-symbol table.
        source: the file the table came from, for messages.
        named_by: who chose `symbol` when the user did not (a bundle), for messages.

    A symbol is matched regardless of case where the table holds one spelling of it
    (`--symbol msft` is MSFT), as a ticker is at any exchange or price site.

    Raises:
        StockcasterError: the symbol is not in the table (near matches are suggested),
            or no symbol was given for a table with several.
    """
    symbols = sorted(table[C.SYMBOL].unique())
    if symbol is None:
        if len(symbols) == 1:
            symbol = symbols[0]
        else:
            raise StockcasterError(
                f"{source}: expected --symbol for a file with {len(symbols)} symbols, "
                f"received none (first symbols: {', '.join(symbols[:5])})"
            )
    symbol = spelling(symbols)(symbol)  # `msft` is the file's MSFT
    if symbol not in symbols:
        near = difflib.get_close_matches(symbol.upper(), symbols, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        listed = ", ".join(symbols[:5]) + (", ..." if len(symbols) > 5 else "")
        if named_by:
            raise StockcasterError(
                f"{source}: expected prices of {shown(symbol)[1:-1]}, {named_by}, received a "
                f"file of {listed}"
            )
        raise StockcasterError(
            f"{source}: expected a symbol in the file ({listed}), received {shown(symbol)}{hint}"
        )
    rows = table[table[C.SYMBOL] == symbol]
    return rows.sort_values(C.DATE).reset_index(drop=True)


def spelling(symbols) -> Callable[[str], str]:
    """A name as `symbols` spell it, for any number of names (the symbols are folded once):
    the one symbol that is the name regardless of case (`msft` is MSFT, `aapl.us` is
    AAPL.US), or the name itself where they hold it, or where they hold none such or
    several (`msft` and `MSFT`, two symbols)."""
    held = set(symbols)
    folded: dict[str, list[str]] = {}
    for symbol in held:
        folded.setdefault(str(symbol).casefold(), []).append(symbol)
    one = {fold: names[0] for fold, names in folded.items() if len(names) == 1}
    return lambda name: name if name in held else one.get(name.casefold(), name)
