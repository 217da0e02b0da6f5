"""How well a global model's intervals cover a universe's closes: overall and per symbol.

For each global model with a quantile head, over every (symbol, test day) it forecast:
the share of closes inside the interval of its outermost quantiles (the 80% interval of
10/50/90), each symbol's own share (the median symbol and the 10th and 90th percentiles
of symbols), and the interval score (Gneiting and Raftery 2007, `leaderboard.py`), each
day's as a share of the day's close so that symbols of every price level count alike.
"""

from __future__ import annotations

import pandas as pd

from stockcaster import columns as C
from stockcaster.evaluation.leaderboard import interval_score_rows


def interval_scores(
    prices: pd.DataFrame, forecasts: dict[str, pd.DataFrame], quantiles: tuple[float, ...]
) -> dict[str, dict]:
    """Coverage and interval score of every model whose forecasts have lo and hi.

    Args:
        prices: the universe's price table.
        forecasts: per model, yhat, lo and hi aligned with `prices`' rows (NaN: none).
        quantiles: the head's levels (empty: no interval, nothing to score).
    """
    if len(quantiles) < 2:
        return {}
    level = float(quantiles[-1] - quantiles[0])
    scored = {}
    for name, frame in forecasts.items():
        rows = (frame[C.LO].notna() & frame[C.HI].notna()).to_numpy()
        if not rows.any():
            continue
        actual = prices[C.CLOSE].to_numpy(dtype="float64")[rows]
        lo, hi = (frame[c].to_numpy(dtype="float64")[rows] for c in (C.LO, C.HI))
        inside = (lo <= actual) & (actual <= hi)
        relative = interval_score_rows(actual, lo, hi, level) / actual
        symbols = prices[C.SYMBOL].to_numpy()[rows]
        per_symbol = pd.Series(inside).groupby(symbols).mean()
        scored[name] = {
            "level": level,
            "rows": int(rows.sum()),
            "symbols": int(len(per_symbol)),
            "coverage": float(inside.mean()),
            "median_symbol_coverage": float(per_symbol.median()),
            "symbol_coverage_p10": float(per_symbol.quantile(0.1)),
            "symbol_coverage_p90": float(per_symbol.quantile(0.9)),
            "interval_score_share": float(relative.mean()),
        }
    return scored
