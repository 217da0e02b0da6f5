"""Trading evaluation: trade the predicted direction, net of costs, against buy-and-hold."""

from __future__ import annotations

import numpy as np

TRADING_DAYS = 252
RULES = ("long_flat", "long_short")


def positions(predicted_move: np.ndarray, rule: str) -> np.ndarray:
    """Position held over each day from the sign of the predicted move.

    long_flat: 1 when a rise is predicted, else 0; long_short: +1 rise, -1 fall, 0 none.
    """
    sign = np.sign(predicted_move)
    return np.where(sign > 0, 1.0, 0.0) if rule == "long_flat" else sign.astype("float64")


def strategy_returns(
    position: np.ndarray, asset_returns: np.ndarray, cost_bps: float
) -> np.ndarray:
    """Daily returns of holding `position`, minus `cost_bps` per unit of position change.

    The book starts flat, so entering the first position costs too.
    """
    changes = np.abs(np.diff(position, prepend=0.0))
    return position * asset_returns - changes * cost_bps / 1e4


def return_profile(returns: np.ndarray) -> dict:
    """Total and annualised return, volatility, Sharpe ratio and maximum drawdown.

    Of a non-empty series of daily returns. Volatility and Sharpe ratio are annualised
    over 252 trading days, with a zero risk-free rate; the Sharpe ratio of returns that
    never vary is 0.
    """
    equity = np.cumprod(1 + returns)
    total = float(equity[-1] - 1)
    years = len(returns) / TRADING_DAYS
    sd = float(np.std(returns, ddof=1)) if len(returns) > 1 else 0.0
    drawdown = equity / np.maximum.accumulate(np.maximum(equity, 1.0)) - 1
    return {
        "total_return": total,
        "annual_return": float((1 + total) ** (1 / years) - 1) if total > -1 else -1.0,
        "volatility": sd * np.sqrt(TRADING_DAYS),
        "sharpe": float(np.mean(returns) / sd * np.sqrt(TRADING_DAYS)) if sd > 0 else 0.0,
        "max_drawdown": float(drawdown.min()),
    }


def performance(returns: np.ndarray, position: np.ndarray) -> dict:
    """`return_profile`, plus turnover and hit rate of the positions held.

    Turnover is the total of position changes (1 = entering or leaving once); hit rate is
    the share of days in the market that made money.
    """
    invested = position != 0
    return {
        **return_profile(returns),
        "turnover": float(np.abs(np.diff(position, prepend=0.0)).sum()),
        "hit_rate": float(np.mean(returns[invested] > 0)) if invested.any() else None,
    }


def evaluate_rules(
    predicted_move: np.ndarray, asset_returns: np.ndarray, cost_bps: float
) -> dict[str, dict]:
    """Performance of each rule on one model's one-step forecasts."""
    result = {}
    for rule in RULES:
        held = positions(predicted_move, rule)
        result[rule] = performance(strategy_returns(held, asset_returns, cost_bps), held)
    return result


def buy_and_hold(asset_returns: np.ndarray, cost_bps: float) -> dict:
    """The benchmark: long every day, paying the cost of entering once."""
    held = np.ones_like(asset_returns)
    return performance(strategy_returns(held, asset_returns, cost_bps), held)
