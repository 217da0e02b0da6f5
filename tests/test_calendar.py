"""A bundle names its forecasts' dates by its exchange's next sessions, so the prices it is
trained on and forecasts from must trade on that exchange's days: a 7-day series on XNYS
would have Monday's forecast dated for Tuesday, stock prices on 24/7 would be forecast for a
Saturday."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ohlcv, write_kaggle
from stockcaster.cli import app
from stockcaster.data.calendar import check_sessions
from stockcaster.errors import StockcasterError

EVERY_DAY = pd.date_range("2015-01-02", periods=300, freq="D")
BUSINESS_DAYS = pd.bdate_range("2015-01-02", periods=300)  # US holidays among them


def every_day(tmp_path, symbols=("BTC",)):
    """A Kaggle-style file whose symbols trade every day, weekends included."""
    tables = [ohlcv(300, s, i).assign(date=EVERY_DAY) for i, s in enumerate(symbols)]
    return write_kaggle(tmp_path / "days.csv", pd.concat(tables))


@pytest.mark.parametrize(
    "dates, exchange, message",
    [
        (
            EVERY_DAY,
            "XNYS",
            "received 86 of 300 days on a Saturday or Sunday, when it is closed "
            "(the first 2015-01-03); the bundle forecasts XNYS's sessions",
        ),
        (
            BUSINESS_DAYS,
            "24/7",
            "expected a row on each 24/7 trading day, received none on a "
            "Saturday or Sunday in 300 days; the bundle forecasts 24/7's sessions",
        ),
        (
            pd.date_range("2012-01-06", periods=100, freq="W-FRI"),
            "XNYS",
            "expected daily prices, a row on each XNYS trading day, received rows on 100 of "
            "its 478 sessions from 2012-01-06 to 2013-11-29",
        ),
        (pd.bdate_range("2022-01-03", periods=100), "XSAU", "on a Friday, when it is closed"),
    ],
)
def test_prices_off_the_exchange_s_days_are_refused(dates, exchange, message):
    with pytest.raises(StockcasterError) as refused:
        check_sessions(dates, exchange, "prices.csv", of_bundle=True)
    assert str(refused.value).startswith("prices.csv: expected ")
    assert message in str(refused.value), str(refused.value)


@pytest.mark.parametrize(
    "dates, exchange",
    [
        (EVERY_DAY, "24/7"),
        (BUSINESS_DAYS, "XNYS"),  # a row on a holiday moves no forecast's date
        (BUSINESS_DAYS, "XLON"),
        (BUSINESS_DAYS.append(pd.DatetimeIndex(["2015-01-03"])), "XNYS"),  # one stray Saturday
        (BUSINESS_DAYS[::-1], "XNYS"),  # in any order
    ],
)
def test_prices_on_the_exchange_s_days_pass(dates, exchange):
    check_sessions(dates, exchange, "prices.csv")


def test_a_calendar_that_does_not_reach_the_prices_is_one_line():
    """exchange_calendars' own ValueError was a traceback: XSAU's calendar starts in 2021."""
    with pytest.raises(StockcasterError, match=r"^--exchange XSAU: expected a calendar that "
                       r"covers 2016-12-23, received one of 2021-01-\d\d \.\. "):  # fmt: skip
        check_sessions(pd.bdate_range(end="2016-12-30", periods=300), "XSAU", "prices.csv")


def test_train_refuses_a_7_day_series_on_xnys_and_takes_it_on_24_7(tmp_path):
    data = every_day(tmp_path)
    runner = CliRunner()
    for args in (["--epochs", "1"], ["--target", "variance", "--model", "har"],
                 ["--universe", "--epochs", "1"]):  # fmt: skip
        save = tmp_path / "b"
        refused = runner.invoke(app, ["train", "--data", str(data), "--save", str(save), *args])
        assert refused.exit_code == 2 and refused.stderr.count("\n") == 1, refused.output
        assert "expected prices on XNYS's trading days" in refused.stderr
        if "--universe" in args:  # a panel's message names the symbols on a closed day
            assert "(the first 2015-01-03, of BTC); " in refused.stderr, refused.stderr
        assert (
            "give --exchange the calendar they trade on (24/7 trades every day)" in refused.stderr
        )
        assert not save.exists()
    save = tmp_path / "har"
    args = ["--data", str(data), "--target", "variance", "--model", "har", "--save", str(save)]
    assert runner.invoke(app, ["train", *args, "--exchange", "24/7"]).exit_code == 0
    runs = str(tmp_path / "runs")
    predicted = runner.invoke(app, ["predict", "--bundle", str(save), "--data", str(data),
                                    "--horizon", "2", "--json", "--out", runs])  # fmt: skip
    assert predicted.exit_code == 0, predicted.output
    # the prices end on Wednesday 2015-10-28: on 24/7 the next two days are sessions
    assert EVERY_DAY[-1] == pd.Timestamp("2015-10-28")
    assert [r["date"][:10] for r in _rows(predicted.stdout)] == ["2015-10-29", "2015-10-30"]
    weekdays = pd.bdate_range("2015-01-02", periods=400)
    stocks = write_kaggle(tmp_path / "stocks.csv", ohlcv(400, "BTC").assign(date=weekdays))
    refused = runner.invoke(app, ["predict", "--bundle", str(save), "--data", str(stocks),
                                  "--out", str(tmp_path / "none")])  # fmt: skip
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1, refused.output
    assert "none on a Saturday or Sunday" in refused.stderr
    assert "the bundle forecasts 24/7's sessions (train one for these prices with --exchange)" in (
        refused.stderr
    )
    assert not (tmp_path / "none").exists()


def _rows(stdout: str) -> list[dict]:
    import json

    found = json.loads(stdout)
    rows = found.get("forecast", found)
    assert isinstance(rows, list) and rows, found
    return rows


def test_a_search_of_prices_off_xnys_days_saves_no_bundle_and_says_why(tmp_path):
    """`tune` has no --exchange: its bundle forecasts XNYS's sessions, so a search of prices
    that trade every day saves none, and says how to train one."""
    from types import SimpleNamespace

    from stockcaster.jobs.tune import Searched, _save_refit

    task = SimpleNamespace(training=pd.Series(1.0, index=EVERY_DAY))
    kept = _save_refit(tmp_path, None, task, {}, Searched("days.csv", "BTC", []))
    assert list(kept) == ["no_bundle"] and not (tmp_path / "bundle").exists()
    assert kept["no_bundle"] == (
        "no bundle: days.csv: expected prices on XNYS's trading days, received 86 of 300 days "
        "on a Saturday or Sunday, when it is closed (the first 2015-01-03); a search's bundle "
        "forecasts XNYS's sessions (train the best configuration with --preset "
        f"{tmp_path / 'best.toml'} --exchange)"
    )


def test_universe_save_refuses_prices_off_xnys_days_before_it_runs(tmp_path):
    """`universe --save` bundles its global network on XNYS's sessions (it has no
    --exchange): for prices of every day it is refused before any work, saying how."""
    data = every_day(tmp_path, ("AA", "BB", "CC"))
    out, save = tmp_path / "run", tmp_path / "bundle"
    result = CliRunner().invoke(app, ["universe", "--data", str(data), "--models", "naive,lstm",
                                      "--out", str(out), "--save", str(save)])  # fmt: skip
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert result.stderr.startswith(f"error: --save: {data}: expected prices on XNYS's trading")
    assert "(the first 2015-01-03, of AA, BB, CC); a universe run's bundle forecasts XNYS's" in (
        result.stderr
    )
    assert "train --universe --exchange" in result.stderr
    assert not out.exists() and not save.exists()


def test_inspect_notes_prices_off_xnys_days_and_not_an_exchange_s(tmp_path):
    """`inspect` says before any training what `train` would refuse; business days (US
    holidays among them) get no note."""
    daily = CliRunner().invoke(app, ["inspect", str(every_day(tmp_path))])
    assert daily.exit_code == 0, daily.output
    said = " ".join(daily.stdout.split())
    assert (
        "note: " in said and "received 86 of 300 days on a Saturday or Sunday, when it is " in said
    )
    assert "(the first 2015-01-03, of BTC); a bundle of them needs train --exchange" in said
    weekly = write_kaggle(tmp_path / "weekly.csv", ohlcv(100).assign(
        date=pd.date_range("2012-01-06", periods=100, freq="W-FRI")))  # fmt: skip
    said = " ".join(CliRunner().invoke(app, ["inspect", str(weekly)]).stdout.split())
    assert said.endswith("2012-01-06 to 2013-11-29 (weekly or monthly prices?)"), said
    business = write_kaggle(tmp_path / "business.csv", ohlcv(300).assign(date=BUSINESS_DAYS))
    assert "note:" not in CliRunner().invoke(app, ["inspect", str(business)]).stdout


def test_a_panel_of_stocks_and_a_cryptocurrency_fits_no_calendar():
    """Together they trade every day, so the panel's days pass 24/7's weekday rule; each
    stock has no row on a Saturday or Sunday, and is named (XNYS names the cryptocurrency):
    either way the message says no one calendar fits, not to try the other."""
    days = np.concatenate([EVERY_DAY, BUSINESS_DAYS, BUSINESS_DAYS])
    symbols = np.repeat(["BTC", "AA", "BB"], 300)
    with pytest.raises(StockcasterError) as refused:
        check_sessions(days, "24/7", "panel.csv", symbols=symbols)
    assert str(refused.value) == (
        "panel.csv: expected a row on each 24/7 trading day, received none on a Saturday or "
        "Sunday for AA, BB (2 of 3) (symbols that trade on other days need a bundle of their own)"
    )
    with pytest.raises(StockcasterError, match=r"\(the first 2015-01-03, of BTC\) \(symbols "
                       r"that trade on other days need a bundle of their own\)$"):  # fmt: skip
        check_sessions(days, "XNYS", "panel.csv", symbols=symbols)
    check_sessions(days[300:], "XNYS", "panel.csv", symbols=symbols[300:])  # the stocks alone
    check_sessions(days[:300], "24/7", "panel.csv", symbols=symbols[:300])  # BTC alone
