"""Books weighted by inverse predicted volatility: each leg split by 1 / deviation, its total
kept; the deviations read no later day; `universe --weights inverse-vol` reports the book's
predicted volatility beside the one it realised."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_variance_target import _later_days_changed, _write, garch_prices
from typer.testing import CliRunner

from stockcaster.cli import app
from stockcaster.evaluation.risk_books import inverse_vol, predicted_deviation, predicted_volatility


def test_each_leg_is_split_by_inverse_volatility_and_keeps_its_total():
    days = pd.date_range("2016-01-04", periods=2)
    weights = pd.DataFrame([[0.5, 0.5, -0.5, -0.5, 0.0]] * 2, index=days, columns=list("ABCDE"))
    sigma = pd.DataFrame([[0.01, 0.02, 0.01, 0.04, 0.03], [0.01, np.nan, 0.02, 0.02, 0.03]],
                         index=days, columns=list("ABCDE"))  # fmt: skip
    got = inverse_vol(weights, sigma)
    np.testing.assert_allclose(got.iloc[0], [2 / 3, 1 / 3, -0.8, -0.2, 0.0])
    np.testing.assert_allclose(got.iloc[1], [0.5, 0.5, -0.5, -0.5, 0.0])  # B: its leg's mean
    np.testing.assert_allclose(got.sum(axis=1), 0.0, atol=1e-12)
    terms = [(2 / 3) * 0.01, (1 / 3) * 0.02, 0.8 * 0.01, 0.2 * 0.04]  # w * sigma, day 1
    expected = np.sqrt(np.sum(np.square(terms)))
    first = predicted_volatility(got.iloc[:1], sigma.iloc[:1]) / np.sqrt(252)
    assert first == pytest.approx(expected)


def test_a_deviation_reads_no_later_day():
    tables = [garch_prices(300, s, f"S{s}") for s in range(3)]
    cutoff = tables[0]["date"].iloc[220].to_datetime64()
    before = predicted_deviation(pd.concat(tables, ignore_index=True), cutoff)
    changed = [_later_days_changed(t, 260) for t in tables]
    after = predicted_deviation(pd.concat(changed, ignore_index=True), cutoff)
    known = before.index <= tables[0]["date"].iloc[260]
    pd.testing.assert_frame_equal(before[known], after[known])
    assert not np.allclose(before[~known], after[~known])
    assert list(before.columns) == ["S0", "S1", "S2"] and (before > 0).all().all()


def test_universe_weights_its_books_by_inverse_volatility(tmp_path):
    tables = [garch_prices(320, 40 + i, f"S{i}") for i in range(6)]
    data = _write(tmp_path, pd.concat(tables, ignore_index=True), "panel.csv")
    found = {}
    for weights in ("equal", "inverse-vol"):
        ask = ["universe", "--data", str(data), "--models", "naive,linear", "--top-k", "2"]
        more = ["--workers", "1", "--weights", weights, "--out", str(tmp_path / weights)]
        result = CliRunner().invoke(app, [*ask, *more, "--json"])
        assert result.exit_code == 0, result.output
        found[weights] = json.loads(result.stdout)["cross_section"]["linear"]["portfolio"]
    assert found["equal"]["weights"] == "equal" and "predicted_volatility" not in found["equal"]
    weighted = found["inverse-vol"]
    assert weighted["weights"] == "inverse-vol" and weighted["predicted_volatility"] > 0
    assert weighted["annual_return"] != found["equal"]["annual_return"]
