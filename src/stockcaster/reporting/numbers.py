"""How a number is written in a table, the terminal's and a report's, and in a verdict's words:
to fixed decimals, never as a false zero. A share of SHIB trades at 0.00001: its prices, their
errors and their squared errors (an MSE of 1e-13) would all read 0.0000 at four decimals,
which is untrue; so would a p-value of 1.7e-05 at three, or a loss 0.004% below naive's at
one decimal of a percent."""

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


def p_value(p: float, decimals: int = 3) -> str:
    """A p-value as a verdict writes it: "p = 0.193", or "p < 0.001" where `decimals` places
    would round it to zero, which no p-value is (a normal tail's 7e-09, a bootstrap's 0 of
    1,000 draws)."""
    if round(p, decimals) == 0:
        return f"p < {10.0**-decimals:.{decimals}f}"
    return f"p = {p:.{decimals}f}"


def share(x: float, decimals: int = 1) -> str:
    """A share in percent to `decimals` places, or more (up to two) where those would read 0
    (a loss of 0.01% read "loses by 0.0%", 1 symbol of 437 "0%"), and to two significant
    digits below that (`0.004%`, `-0.0031%`); a true zero stays 0."""
    for places in range(decimals, 3):
        if x == 0 or abs(x) * 100 >= 0.5 * 10.0**-places:
            return f"{x:.{places}%}"
    return f"{x * 100:.2g}%"
