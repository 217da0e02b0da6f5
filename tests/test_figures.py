"""The PNG figures: laid out once, drawn once, the same pixels as matplotlib's own way."""

from __future__ import annotations

import matplotlib.figure
import numpy as np
import pandas as pd

from stockcaster.reporting.figures import save, subplots


def _figure():
    fig, axes = subplots(2, 1, figsize=(8, 5))
    days = pd.bdate_range("2016-01-04", periods=120)
    for ax, seed in zip(axes, (1, 2), strict=True):
        ax.plot(days, 100 + np.cumsum(np.random.default_rng(seed).standard_normal(120)))
        ax.set_ylabel("close (USD)")
        ax.set_title(f"symbol {seed}")
    return fig


def test_a_figure_is_drawn_once_into_the_pixels_tight_layout_gives(tmp_path, monkeypatch):
    reference = _figure()
    reference.autofmt_xdate()
    reference.tight_layout()  # matplotlib's own way: savefig lays the figure out once more
    reference.savefig(tmp_path / "reference.png", dpi=80)
    draws = []
    drawn = matplotlib.figure.Figure.draw
    monkeypatch.setattr(matplotlib.figure.Figure, "draw",
                        lambda fig, renderer: draws.append(1) or drawn(fig, renderer))  # fmt: skip
    save(_figure(), tmp_path / "saved.png", dpi=80)
    assert len(draws) == 1
    saved = (tmp_path / "saved.png").read_bytes()
    assert saved == (tmp_path / "reference.png").read_bytes()


def test_a_volatility_is_annualised_over_the_prices_own_year():
    """The risk charts' "% a year": 252 sessions for an exchange's prices, 365 days for
    prices of every day."""
    from stockcaster.reporting.risk_figures import annualised

    variance = np.array([1e-4, 4e-4])
    exchange = annualised(variance, pd.bdate_range("2016-01-04", periods=300))
    every_day = annualised(variance, pd.date_range("2016-01-04", periods=300))
    np.testing.assert_allclose(exchange, 100 * np.sqrt(252 * variance))
    np.testing.assert_allclose(every_day, 100 * np.sqrt(365 * variance))
