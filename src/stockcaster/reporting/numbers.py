"""How a number is written in a table, the terminal's and a report's: to fixed decimals, never
as a false zero. A share of SHIB trades at 0.00001: its prices, their errors and their squared
errors (an MSE of 1e-13) would all read 0.0000 at four decimals, which is untrue."""

from __future__ import annotations

import math


def figure(value: float | None, decimals: int = 4) -> str:
    """`value` to `decimals` places, or to 3 significant digits where those places would show
    none of it (`6.57e-14`, not `0.0000`); "" for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.3g}" if unseen(value, decimals) else f"{value:.{decimals}f}"


def unseen(value: float, decimals: int) -> bool:
    """Whether `decimals` places would show none of a nonzero `value` (a false zero)."""
    return value != 0 and abs(value) < 10.0**-decimals


def price(value: float) -> str:
    """A price: to the cent, or to 4 significant digits under 1 (a coin at 0.07123, a
    penny stock at 0.004)."""
    return f"{value:.4g}" if 0 < abs(value) < 1 else f"{value:.2f}"
