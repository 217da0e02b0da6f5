"""The CLI end to end, with 1-epoch models on small seeded files."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ohlcv, write_kaggle
from stockcaster.cli import app
from stockcaster.reporting.numbers import p_value

OUTPUTS = {
    "model.keras",
    "config.toml",
    "metrics.json",
    "predictions.csv",
    "history.csv",
    "prices.png",
    "residuals.png",
    "loss.png",
    "forecast.png",
}
METRIC_KEYS = {"mse", "rmse", "mae", "mape", "directional_accuracy"}


def _commands():
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_every_command_has_help():
    commands = [
        "backtest",
        "explain",
        "fetch",
        "init",
        "inspect",
        "predict",
        "report",
        "run",
        "signals",
        "train",
        "tune",
    ]
    commands.append("universe")
    assert _commands() == commands
    for command in _commands():
        result = CliRunner().invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output and len(result.output.splitlines()) > 5


@pytest.mark.parametrize("preset", ["default", "seed"])
def test_run_end_to_end_with_one_epoch(tmp_path, small_csv, preset):
    out = tmp_path / "runs"
    args = ["run", "--data", str(small_csv), "--preset", preset, "--epochs", "1"]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    (folder,) = list(out.iterdir())
    assert folder.name.startswith(f"MSFT-{preset}-")
    assert {p.name for p in folder.iterdir()} == OUTPUTS
    metrics = json.loads((folder / "metrics.json").read_text())
    assert set(metrics["model"]) == METRIC_KEYS == set(metrics["naive"])
    assert metrics["mse_ratio"] == pytest.approx(metrics["model"]["mse"] / metrics["naive"]["mse"])
    assert metrics["epochs_run"] == 1
    assert metrics["final_train_loss"] > 0 and metrics["final_val_loss"] > 0
    history = pd.read_csv(folder / "history.csv")
    assert list(history["epoch"]) == [1] and history["loss"].iloc[0] == metrics["final_train_loss"]
    predictions = pd.read_csv(folder / "predictions.csv")
    assert list(predictions.columns) == ["date", "symbol", "horizon", "actual", "yhat", "naive"]
    assert len(predictions) == metrics["test_period"]["days"] == 260 - int(0.75 * 260)
    # The naive forecast of each day is the actual close of the day before.
    assert predictions["naive"].iloc[1:].tolist() == predictions["actual"].iloc[:-1].tolist()
    assert "MSE ratio model / naive" in result.output and str(folder) in result.output.replace(
        "\n", ""
    )
    said = " ".join(result.output.split())  # the line may wrap
    assert f"Diebold-Mariano {p_value(metrics['dm_pvalue'])}" in said  # p < 0.001: not 0.000


def test_the_report_of_a_model_with_naive_s_error_says_it_is_naive_s():
    """A backtest's ARIMA that chose the random walk has naive's MSE to the digit: its
    report said "Its squared error is 0.0% above that of repeating yesterday's close"."""
    from stockcaster.reporting.verdicts import plain_verdict

    said = plain_verdict(1.0, None, True)
    assert said.startswith("Its squared error is that of repeating yesterday's close"), said
    assert "above" not in said and "below" not in said
    assert plain_verdict(1.03, 0.02, True).startswith("Its squared error is 3.0% above that")


@pytest.mark.parametrize(
    ("ratio", "pvalue", "says", "never"),
    [
        (0.9942, 0.193, "(0.6% below naive's MSE: could well be chance, Diebold-Mariano p = "
         "0.193)", "beats"),
        (0.95, 0.01, "(the model beats naive: 5.0% below naive's MSE, Diebold-Mariano p = "
         "0.010)", "chance"),
        (1.03, 0.02, "(naive beats the model: 3.0% above naive's MSE", "chance"),
        (1.01, 0.6, "(1.0% above naive's MSE: could well be chance", "beats"),
        (0.99, None, "(1.0% below naive's MSE; no Diebold-Mariano test", "beats"),
        (1.0, None, "(the same MSE as naive)", "beats"),
    ],
)  # fmt: skip
def test_run_says_a_model_beats_naive_only_where_the_test_says_it_is_not_chance(
    ratio, pvalue, says, never
):
    """The line every `run` ends with: a ratio below 1 is no win by itself (0.9942 was
    printed as "the model beats naive", at p = 0.19)."""
    import io

    from rich.console import Console

    from stockcaster.reporting.tables import run_summary

    side = {"mse": 1.0, "rmse": 1.0, "mae": 1.0, "mape": 1.0, "directional_accuracy": None}
    metrics = {"symbol": "MSFT", "preset": "default", "model": side, "naive": side,
               "test_period": {"days": 3, "start": "2016-01-04", "end": "2016-01-06"},
               "mse_ratio": ratio, "dm_pvalue": pvalue, "lag_flag": True}  # fmt: skip
    for lagging in (True, False):
        printed = io.StringIO()
        run_summary(Console(file=printed, width=300), metrics | {"lag_flag": lagging}, "out")
        (line,) = [x for x in printed.getvalue().splitlines() if x.startswith("MSE ratio")]
        assert says in line and never not in line, line
        trails = "follows the price a day late" in printed.getvalue()
        assert trails == (lagging and ratio != 1)  # naive's own forecasts trail by definition


def test_saved_model_loads_and_predicts_what_the_run_reported(tmp_path, small_csv):
    import dataclasses

    import keras

    from stockcaster.data.series import load_series
    from stockcaster.features import FeaturePipeline
    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.run import run
    from stockcaster.models.presets import load_preset

    preset = load_preset("default")  # two epochs: what is saved, not how well, is tested
    preset = dataclasses.replace(preset, training=dataclasses.replace(preset.training, epochs=2))
    result = run(preset, Source(small_csv), out=tmp_path, verbose=False)
    config = load_preset(str(result.folder / "config.toml"))
    model = keras.models.load_model(result.folder / "model.keras")
    prices, _ = load_series(small_csv)
    close = prices["close"].to_numpy()
    pipeline = FeaturePipeline(config.features)
    split = pipeline.split(len(close))
    _, _, test = pipeline.fit(close, split).parts(close, split)
    yhat = pipeline.to_price(model.predict(test.x, verbose=0)[:, 0], close, test.days)
    assert yhat == pytest.approx(result.forecasts["yhat"].to_numpy(), rel=1e-6)


def test_two_runs_give_the_same_metrics(tmp_path, small_csv):
    import dataclasses

    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.run import run
    from stockcaster.models.presets import load_preset

    config = load_preset("default")
    config = dataclasses.replace(config, training=dataclasses.replace(config.training, epochs=2))
    first = run(config, Source(small_csv), out=tmp_path / "a", verbose=False).metrics
    second = run(config, Source(small_csv), out=tmp_path / "b", verbose=False).metrics
    for key in ("model", "naive", "mse_ratio", "final_train_loss", "final_val_loss"):
        assert first[key] == second[key], key


def test_inspect_prints_summary_and_saves_chart(tmp_path, kaggle_csv):
    result = CliRunner().invoke(app, ["inspect", str(kaggle_csv), "--plot", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "2015-01-02 .. " in text and "600 rows" in text and "2 symbols" in text
    assert "missing values: none" in text
    assert "AAPL" in text and "MSFT" in text
    assert (tmp_path / "prices_prices.png").stat().st_size > 10_000
    # One symbol's chart is its own: it was drawn over the whole file's, under its name.
    whole = (tmp_path / "prices_prices.png").read_bytes()
    one = CliRunner().invoke(app, ["inspect", str(kaggle_csv), "--plot", "--out", str(tmp_path),
                                   "--symbol", "aapl"])  # fmt: skip
    assert one.exit_code == 0 and "chart: " in one.output, one.output
    assert (tmp_path / "prices_prices.png").read_bytes() == whole
    assert (tmp_path / "prices_AAPL_prices.png").stat().st_size > 10_000


def test_inspect_json_gives_what_its_table_shows(tmp_path, kaggle_csv):
    """Every other command had --json; `inspect` printed tables only (a script, or a file of
    20,000 symbols, had no way to read them). Its JSON holds the range, size, missing values,
    notes and each symbol's summary, each figure pandas' own per symbol."""
    done = CliRunner().invoke(app, ["inspect", str(kaggle_csv), "--json"])
    assert done.exit_code == 0, done.output
    record = json.loads(done.stdout)
    table = pd.read_csv(kaggle_csv, parse_dates=["date"])
    assert (record["rows"], record["symbols"], record["first"]) == (600, 2, "2015-01-02")
    assert record["missing"]["close"] == 0 and record["notes"] == []
    for row in record["per_symbol"]:
        mine = table[table["symbol"] == row["symbol"]].sort_values("date")
        returns = 100 * mine["close"].pct_change().dropna()
        moved = returns.iloc[int(np.argmax(returns.abs().to_numpy()))]
        assert (row["first"], row["rows"], row["last_close"]) == (
            f"{mine['date'].iloc[0]:%Y-%m-%d}",
            len(mine),
            mine["close"].iloc[-1],
        )
        assert row["mean_pct"] == pytest.approx(returns.mean(), rel=1e-12)
        assert row["sd_pct"] == pytest.approx(returns.std(), rel=1e-12)
        assert row["largest_pct"] == pytest.approx(moved, rel=1e-12)
        assert row["longest_gap"] == mine["date"].diff().dt.days.max()


def test_inspect_names_the_columns_it_does_not_read(tmp_path):
    """`inspect` listed a file's columns as the ones it read, silent on the others: a
    covariate (VIX) a user could give `--covariates` was not seen. The columns no name took
    are a note and `unread` in the JSON, of the whole file, one symbol and a folder; a
    column `--columns` maps is read, and a file of prices alone gets no note (the control)."""
    table = pd.concat([ohlcv(60, "AAA"), ohlcv(60, "BBB", 1)])
    table = table.assign(VIX=np.linspace(15, 25, len(table)), Comment="x")
    data = tmp_path / "cov.csv"
    table.to_csv(data, index=False, date_format="%Y-%m-%d")
    said = "columns not read: VIX, Comment (--covariates NAME,... reads numeric ones as covariates)"
    for more in ([], ["--symbol", "bbb"]):
        done = CliRunner().invoke(app, ["inspect", str(data), *more])
        assert done.exit_code == 0 and said in " ".join(done.output.split()), done.output
        record = json.loads(CliRunner().invoke(app, ["inspect", str(data), *more, "--json"]).stdout)
        assert record["unread"] == ["VIX", "Comment"] and said in record["notes"]
        assert "VIX" not in record["columns"]
    folder = tmp_path / "folder"
    folder.mkdir()
    write_kaggle(folder / "aaa.csv", ohlcv(60, "AAA"))
    table[table["symbol"] == "BBB"].drop(columns="Comment").to_csv(folder / "bbb.csv", index=False)
    record = json.loads(CliRunner().invoke(app, ["inspect", str(folder), "--json"]).stdout)
    assert record["unread"] == ["VIX"] and record["symbols"] == 2, record
    mapped = CliRunner().invoke(app, ["inspect", str(data), "--columns", "adj_close=VIX", "--json"])
    record = json.loads(mapped.stdout)
    assert record["unread"] == ["Comment"] and "adj_close" in record["columns"], record
    plain = json.loads(CliRunner().invoke(app, ["inspect", str(write_kaggle(
        tmp_path / "plain.csv", table)), "--json"]).stdout)  # fmt: skip
    assert plain["unread"] == [] and plain["notes"] == []


def test_inspect_of_many_symbols_shows_the_first_and_counts_the_rest(tmp_path):
    """A file of 20,000 symbols drew a table of 20,000 rows (18 s); the table stops at
    `MOST_SYMBOLS_SHOWN` and says how many more there are, and --json lists them all."""
    from stockcaster.reporting.tables import MOST_SYMBOLS_SHOWN

    n = MOST_SYMBOLS_SHOWN + 3
    days = pd.bdate_range("2016-01-04", periods=3)
    table = pd.DataFrame({"date": np.tile(days, n), "symbol": np.repeat([f"S{i:04d}" for i in
                          range(n)], 3), "close": 1.0 + np.arange(3 * n) % 3})  # fmt: skip
    table.to_csv(tmp_path / "many.csv", index=False)
    shown = CliRunner().invoke(app, ["inspect", str(tmp_path / "many.csv")])
    assert shown.exit_code == 0, shown.output
    assert "S0499" in shown.stdout and "S0500" not in shown.stdout
    assert "and 3 more symbols to S0502 (inspect --json lists every one)" in shown.stdout
    # Every symbol holds the closes 1, 2, 3: one series, its first 5 names listed.
    said = " ".join(shown.stdout.split())
    assert "S0000, S0001, S0002, S0003, S0004 and 498 more hold the same closes" in said
    listed = json.loads(CliRunner().invoke(app, ["inspect", str(tmp_path / "many.csv"),
                                                 "--json"]).stdout)["per_symbol"]  # fmt: skip
    assert len(listed) == n


def test_inspect_names_a_day_that_moved_as_a_split_would_and_a_long_gap(tmp_path):
    """Kaggle's `prices.csv` is not adjusted for splits: AAPL's 7-for-1 split of 2014-06-09
    reads as a day that lost 86%. A plain random walk gets no note (the control)."""
    table = ohlcv(260)
    plain = write_kaggle(tmp_path / "plain.csv", table)
    done = CliRunner().invoke(app, ["inspect", str(plain)])
    assert done.exit_code == 0 and "note:" not in done.output, done.output
    assert "260 rows · 1 symbol · " in done.output  # not "1 symbols"
    swapped = table.copy()
    swapped.loc[7, ["high", "low"]] = swapped.loc[7, ["low", "high"]].to_numpy()
    done = CliRunner().invoke(app, ["inspect", str(write_kaggle(tmp_path / "hl.csv", swapped))])
    assert (
        f"MSFT's prices do not fit their day's range on 1 day (the first "
        f"{table['date'].iloc[7]:%Y-%m-%d}: high" in " ".join(done.output.split())
    )
    split = table.copy()
    after = split.index >= 200
    split.loc[after, ["open", "high", "low", "close"]] /= 7  # unadjusted from row 200 on
    split = split.drop(index=range(100, 130))  # 30 sessions lost: 43 calendar days
    done = CliRunner().invoke(app, ["inspect", str(write_kaggle(tmp_path / "split.csv", split))])
    text = " ".join(done.output.split())
    day = f"{table['date'].iloc[200]:%Y-%m-%d}"
    assert done.exit_code == 0 and "MSFT's close moved -8" in text, text
    assert f"on {day}, as a 7-for-1 split would" in text
    gap = (table["date"].iloc[130] - table["date"].iloc[99]).days
    assert f"MSFT has no row for {gap} days, from {table['date'].iloc[99]:%Y-%m-%d}" in text
    assert re.search(rf"│ +{gap} │", done.output)  # the table's longest gap
    out = tmp_path / "runs"  # a run says so too, in its metrics and under its table
    done = CliRunner().invoke(app, ["run", "--data", str(tmp_path / "split.csv"), "--model",
                                    "naive", "--out", str(out)])  # fmt: skip
    (folder,) = out.iterdir()
    notes = json.loads((folder / "metrics.json").read_text())["notes"]
    assert done.exit_code == 0 and len(notes) == 2 and "7-for-1 split" in notes[0], notes
    assert "note: MSFT's close moved" in done.output
    backtest = ["backtest", "--data", str(tmp_path / "split.csv"), "--models", "naive,drift"]
    done = CliRunner().invoke(app, [*backtest, "--report", "--out", str(out)])  # it said none
    assert done.exit_code == 0 and "note: MSFT's close moved" in done.output, done.output
    (folder,) = (f for f in out.iterdir() if "backtest" in f.name)
    assert len(json.loads((folder / "leaderboard.json").read_text())["notes"]) == 2
    assert "7-for-1 split" in (folder / "report.html").read_text()


def test_a_run_of_weekly_or_monthly_prices_says_each_forecast_is_a_row_ahead(tmp_path):
    """A run on weekly or monthly prices (a price site's other download) was told in days
    ("one-step forecasts, 80 test days", "yesterday's close") and said nothing else: each
    forecast is of the next row, a week or a month on. Daily prices, a day or three apart
    and four over a holiday, get no such note."""
    out = tmp_path / "runs"
    said = {}
    for name, dates in (
        ("weekly", pd.date_range("2005-01-03", periods=150, freq="W-MON")),
        ("monthly", pd.date_range("1995-01-01", periods=150, freq="MS")),
        ("daily", pd.bdate_range("2015-01-02", periods=150)),
    ):
        write_kaggle(tmp_path / f"{name}.csv", ohlcv(150).assign(date=dates))
        done = CliRunner().invoke(app, ["run", "--data", str(tmp_path / f"{name}.csv"),
                                        "--model", "naive", "--out", str(out)])  # fmt: skip
        assert done.exit_code == 0, done.output
        said[name] = " ".join(done.output.split())
    assert (
        "note: MSFT's rows are 7 days apart at the median (weekly prices?): each forecast, "
        "naive's too, is of its next row, 7 days on, not of the next day"
    ) in said["weekly"]
    assert "rows are 31 days apart at the median (monthly prices?)" in said["monthly"]
    assert "apart at the median" not in said["daily"]


def test_a_close_unchanged_for_two_weeks_is_noted_unless_its_tick_gives_that_by_chance():
    """A stretch of one close (a halt, prices carried forward) was run without a word; it is
    noted with its days. A penny stock whose coarse tick leaves half its closes unchanged
    holds runs of 10 by chance, and is not; nor is a close that moves every day."""
    from stockcaster.data.quality import price_notes

    rng = np.random.default_rng(4)
    dates = pd.bdate_range("2014-01-01", periods=700)
    walk = 30 * np.exp(np.cumsum(rng.normal(0, 0.02, 700)))
    stale = walk.copy()
    stale[300:330] = stale[299]
    tick = np.round(walk / 100, 2)  # about 0.30 a share: a cent is a 3% move
    runs = np.diff(np.flatnonzero(np.diff(np.r_[np.nan, tick, np.nan]) != 0))
    assert runs.max() >= 10 and (np.diff(tick) == 0).mean() > 0.3  # chance's long runs

    def notes(close):
        return price_notes(pd.DataFrame({"date": dates, "symbol": "X", "close": close}))

    assert notes(stale) == [
        f"X's close is {stale[299]:g} on 31 rows in a row, {dates[299]:%Y-%m-%d} to "
        f"{dates[329]:%Y-%m-%d} (a halt, or prices carried forward?): naive forecasts each "
        "of those days exactly, and EWMA and GARCH read them as calm days"
    ]
    assert notes(tick) == [] and notes(walk) == []


def test_a_stock_s_weekends_carried_forward_are_noted_and_a_cryptocurrency_s_are_not():
    """A stock's file whose Saturdays and Sundays repeat Friday's close (a merge with a
    calendar of every day, filled forward) ran as prices of every day without a word: naive
    forecast those days exactly. They are noted; a cryptocurrency's weekends, which move,
    are not, nor a stablecoin's, whose closes repeat on weekdays too, nor a stock's weekdays."""
    from stockcaster.data.quality import price_notes

    rng = np.random.default_rng(5)
    every_day = pd.date_range("2015-01-01", periods=400)
    coin = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 400)))
    stock = pd.Series(coin, index=every_day).where(every_day.dayofweek < 5).ffill()

    def notes(close, dates):
        return price_notes(pd.DataFrame({"date": dates, "symbol": "X", "close": close}))

    weekends = int((every_day[1:].dayofweek >= 5).sum())
    assert notes(stock.to_numpy(), every_day) == [
        f"X's {weekends} Saturday and Sunday rows repeat the close before them (weekends "
        "carried forward?): naive forecasts each of them exactly, and an exchange's prices "
        "have no such rows"
    ]
    weekdays = every_day[every_day.dayofweek < 5]
    assert notes(coin, every_day) == [] and notes(stock[weekdays].to_numpy(), weekdays) == []
    pegged = np.where(rng.random(400) < 0.98, 1.0, 1.001)  # a stablecoin: 1.00 most days
    assert not any("Saturday" in n for n in notes(pegged, every_day))


def test_a_one_day_spike_that_reverts_is_a_bad_tick_not_a_split():
    """A close ten times the days around it (a bad tick) was noted as "as a 1-for-10
    reverse split would", one a hundredth of them by its recovery as a reverse split, and one
    1.6 times them not at all; each is noted as a spike that reverts. A split, which does not
    revert, is still a split."""
    from stockcaster.data.quality import price_notes

    rng = np.random.default_rng(6)
    dates = pd.bdate_range("2015-01-01", periods=300)
    walk = 40 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))

    def notes(factor, revert=True):
        close = walk.copy()
        close[150 : 151 if revert else None] *= factor
        return price_notes(pd.DataFrame({"date": dates, "symbol": "X", "close": close}))

    day = f"{dates[150]:%Y-%m-%d}"
    for factor in (10, 0.01, 1.6):
        (said,) = notes(factor)
        assert said.startswith(f"X's close on {day}, ") and "(a bad tick?)" in said, said
        assert f"is {walk[150] * factor / walk[149] - 1:+.1%} from the day before's" in said
    (split,) = notes(0.25, revert=False)
    assert split.startswith("X's close moved -") and f"on {day}, as a 4-for-1 split" in split


def test_one_series_under_two_names_is_noted_and_a_near_copy_is_not():
    """A panel holding one series twice (a ticker's aliases, BRK.B and BRK-B, or a file
    appended again under other names) ran as that many symbols without a word, its book free
    to buy one name and sell the other. It is noted, once for all its names; a copy with one
    close changed, or the same closes a day later, is another series."""
    from stockcaster.data.quality import price_notes

    table = pd.concat([ohlcv(120, "AA", 1), ohlcv(120, "BRK.B", 2), ohlcv(120, "CC", 3)])
    copies = [table[table["symbol"] == "BRK.B"].assign(symbol=s) for s in ("BRK-B", "brk.b")]
    near = table[table["symbol"] == "CC"].assign(symbol="CD")
    near.iloc[60, near.columns.get_loc("close")] *= 1.001
    later = table[table["symbol"] == "AA"].assign(symbol="AB")
    later["date"] += pd.offsets.BDay(1)
    notes = price_notes(pd.concat([table, *copies, near, later]))
    assert notes == [
        "BRK-B, BRK.B and brk.b hold the same closes on the same 120 days (one series under 3 "
        "names?): every figure across symbols counts it 3 times, and a book can buy it under "
        "one name and sell it under another"
    ]
    assert price_notes(pd.concat([table, copies[0]]))[0].startswith(
        "BRK-B and BRK.B hold the same closes on the same 120 days (one series under 2 names?): "
        "every figure across symbols counts it twice,"
    )
    assert price_notes(pd.concat([table, near, later])) == []


def test_a_symbol_on_a_calendar_of_its_own_in_a_panel_is_noted():
    """A cryptocurrency's every day in a panel of stocks ran without a word, while each
    day's cross-section set its Friday return (to Saturday) beside theirs (to Monday). It is
    noted; a listing with a few days of its own, and symbols that start or end at other
    times (their days outside the span all of them cover), are not."""
    from stockcaster.data.quality import price_notes

    stocks = pd.concat([ohlcv(300, s, i) for i, s in enumerate(("AA", "BB", "CC"))])
    every_day = pd.date_range(stocks["date"].min(), stocks["date"].max())
    coin = pd.DataFrame({"date": every_day, "symbol": "BTC", "close": np.linspace(1, 2, len(
        every_day))})  # fmt: skip
    notes = price_notes(pd.concat([stocks, coin]))
    saturday = every_day[every_day.dayofweek == 5][0]
    assert notes == [
        f"BTC has rows on {(every_day.dayofweek >= 5).sum()} days most of the 4 symbols lack "
        f"(the first {saturday:%Y-%m-%d}; another calendar?): a day's cross-section compares "
        "its return to its next row with theirs to their next, over other days"
    ]
    few = ohlcv(300, "DD", 4)
    extra = few.iloc[:5].assign(date=every_day[every_day.dayofweek == 6][:5])  # 5 Sundays
    later = ohlcv(200, "EE", 5).assign(date=lambda t: t["date"] + pd.offsets.BDay(100))
    assert price_notes(pd.concat([stocks, few, extra, later])) == []


def test_inspect_counts_missing_values(tmp_path, small_csv):
    lines = small_csv.read_text().splitlines()
    lines[3] = ",".join(c if i != 3 else "" for i, c in enumerate(lines[3].split(",")))
    small_csv.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["inspect", str(small_csv)])
    assert result.exit_code == 0, result.output
    assert "missing values: close 1" in result.output


def test_the_command_tunes_the_collector_and_freezes_its_objects_at_the_end_and_app_alone_not(
    monkeypatch, capsys, kaggle_csv
):
    """`stockcaster` collects garbage less often and ends its process without walking every
    object in Python's last collections (bench/command_process.py); an `app` called in a process
    that goes on (Typer's CliRunner, a script) leaves the collector alone."""
    import gc
    import sys

    from stockcaster.cli import main
    from stockcaster.process import COLLECT_EVERY

    told = []
    monkeypatch.setattr(gc, "set_threshold", lambda *every: told.append(("every", every)))
    monkeypatch.setattr(gc, "freeze", lambda: told.append(("frozen", capsys.readouterr())))
    for args, code in (([str(kaggle_csv)], 0), (["missing.csv"], 2)):  # done, and refused
        monkeypatch.setattr(sys, "argv", ["stockcaster", "inspect", *args])
        with pytest.raises(SystemExit) as ended:
            main()
        assert ended.value.code == code
    # Tuned before each command ran, frozen once after it had printed everything.
    assert [what for what, _ in told] == ["every", "frozen"] * 2
    assert told[0][1] == told[2][1] == (COLLECT_EVERY,)
    done, refused = told[1][1], told[3][1]
    assert "2 symbols" in done.out and refused.err.startswith("error: ")
    assert CliRunner().invoke(app, ["inspect", str(kaggle_csv)]).exit_code == 0
    assert len(told) == 4


def test_native_log_lines_are_held_back_and_others_pass(capfd):
    import os

    from stockcaster.process import native_log_filtered

    with native_log_filtered():
        os.write(2, b"I0000 00:00:1795779648.422150    8475 port.cc:153] oneDNN custom ops\n")
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called\n")
        os.write(2, b"a warning a user should see\n")
    assert capfd.readouterr().err == "a warning a user should see\n"


def test_json_output_is_machine_readable(tmp_path, small_csv):
    import json

    out = tmp_path / "runs"
    base = ["--data", str(small_csv), "--out", str(out), "--json"]
    run = CliRunner().invoke(app, ["run", "--epochs", "1", *base])
    assert run.exit_code == 0, run.output
    metrics = json.loads(run.stdout)
    assert set(metrics["model"]) == METRIC_KEYS and metrics["folder"].startswith(str(out))
    backtest = CliRunner().invoke(app, ["backtest", "--models", "naive,drift", *base])
    assert backtest.exit_code == 0, backtest.output
    board = json.loads(backtest.stdout)["leaderboard"]
    assert {row["model"] for row in board} == {"naive", "drift"}


def test_backtest_progress_calls_back_once_per_origin(small_csv, tmp_path):
    from stockcaster.evaluation.backtest import BacktestConfig
    from stockcaster.jobs.backtest import BacktestPlan, backtest
    from stockcaster.jobs.envelope import Source
    from stockcaster.models.presets import load_preset

    counts: dict[str, list[int]] = {}

    def start(name, total):
        counts[name] = [0, total]
        return lambda: counts[name].__setitem__(0, counts[name][0] + 1)

    plan = BacktestPlan(models=("naive", "ma"), walk=BacktestConfig())
    backtest(load_preset("default"), plan, Source(small_csv), out=tmp_path, progress=start)
    assert counts == {"naive": [65, 65], "ma": [65, 65]}
