"""Each loader: Kaggle NYSE, Yahoo per-ticker, generic CSV with a mapping, Parquet, embedded."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from conftest import ohlcv, write_kaggle
from stockcaster.data import load_prices, parse_column_mapping, select_symbol
from stockcaster.data.embedded import load_msft
from stockcaster.data.panel import load_panel
from stockcaster.errors import StockcasterError


def test_kaggle_prices_csv_has_canonical_columns_sorted(kaggle_csv):
    table = load_prices(kaggle_csv)
    assert list(table.columns) == ["date", "symbol", "open", "high", "low", "close", "volume"]
    assert sorted(table["symbol"].unique()) == ["AAPL", "MSFT"]
    assert len(table) == 600
    assert table.groupby("symbol")["date"].apply(lambda d: d.is_monotonic_increasing).all()


def test_kaggle_timestamps_with_time_of_day_become_dates(tmp_path):
    # prices.csv writes some dates as "2016-01-05 00:00:00".
    table = ohlcv(5)
    path = tmp_path / "prices.csv"
    write_kaggle(path, table)
    text = path.read_text().replace("2015-01-05,", "2015-01-05 00:00:00,")
    path.write_text(text)
    loaded = load_prices(path)
    assert loaded["date"].iloc[1] == pd.Timestamp("2015-01-05")


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo", "UTC"])
def test_dates_with_a_utc_offset_keep_their_own_local_day(tmp_path, zone):
    # yfinance writes "2015-01-02 00:00:00-05:00": New York's offsets change with daylight
    # saving, and a Tokyo close at 15:00+09:00 falls on the day before in UTC.
    table = ohlcv(300)
    local = (table["date"] + pd.Timedelta(hours=15)).dt.tz_localize(zone)
    text = local.astype(str).str.replace("+00:00", "Z") if zone == "UTC" else local.astype(str)
    path = tmp_path / "yf.csv"
    write_kaggle(path, table.assign(date=text))
    assert text.str[-6:].nunique() == (2 if zone == "America/New_York" else 1)
    loaded = load_prices(path)
    assert loaded["date"].tolist() == table["date"].tolist()
    panel = load_panel(path)  # a universe reads the dates of each symbol's rows first
    assert panel.prices["date"].tolist() == table["date"].tolist() and not panel.broken


def test_yahoo_csv_takes_symbol_from_file_name_and_keeps_adj_close(tmp_path):
    table = ohlcv(10)
    yahoo = pd.DataFrame(
        {
            "Date": table["date"].dt.strftime("%Y-%m-%d"),
            "Open": table["open"],
            "High": table["high"],
            "Low": table["low"],
            "Close": table["close"],
            "Adj Close": table["close"] * 0.9,
            "Volume": table["volume"],
        }
    )
    path = tmp_path / "aapl.csv"
    yahoo.to_csv(path, index=False)
    loaded = load_prices(path)
    assert set(loaded["symbol"]) == {"AAPL"}
    assert "adj_close" in loaded.columns
    np.testing.assert_allclose(loaded["adj_close"], table["close"] * 0.9)


def test_a_yfinance_download_written_by_pandas_reads_with_its_ticker(tmp_path):
    """`yf.download("MSFT").to_csv(...)` writes three header lines (fields, tickers, "Date");
    it was refused for want of a date column. A bad cell is named by its file line."""
    table = ohlcv(10)
    fields = ["Close", "High", "Low", "Open", "Volume"]
    lines = ["Price," + ",".join(fields), "Ticker" + ",MSFT" * 5, "Date" + "," * 5]
    lines += [f"{r.date:%Y-%m-%d}," + ",".join(str(getattr(r, f.lower())) for f in fields)
              for r in table.itertuples()]  # fmt: skip
    path = tmp_path / "download.csv"
    path.write_text("\n".join(lines) + "\n")
    loaded = load_prices(path)
    assert set(loaded["symbol"]) == {"MSFT"} and loaded["date"].tolist() == table["date"].tolist()
    np.testing.assert_allclose(loaded["close"], table["close"])
    lines[6] = lines[6].replace(lines[6].split(",")[1], "abc", 1)  # the 7th line: its close
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(StockcasterError, match="download.csv line 7: expected a number"):
        load_prices(path)
    lines[1] = "Ticker,MSFT,MSFT,AAPL,AAPL,AAPL"  # two tickers side by side
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(StockcasterError, match="one ticker, received 2 side by side"):
        load_prices(path)


def test_symbol_argument_names_a_file_without_symbol_column(tmp_path):
    path = tmp_path / "history.csv"
    ohlcv(10).drop(columns="symbol").to_csv(path, index=False)
    assert set(load_prices(path, symbol="IBM")["symbol"]) == {"IBM"}


def test_generic_csv_with_column_mapping(tmp_path):
    table = ohlcv(12)
    path = tmp_path / "export.csv"
    pd.DataFrame(
        {"Day": table["date"].dt.strftime("%d/%m/%Y"), "Ticker": "XYZ", "Last": table["close"]}
    ).to_csv(path, index=False)
    loaded = load_prices(path, columns=parse_column_mapping("date=Day,close=Last"))
    assert list(loaded.columns) == ["date", "symbol", "close"]
    assert loaded["symbol"].iloc[0] == "XYZ"  # "Ticker" is a known alias of symbol
    np.testing.assert_allclose(loaded["close"], table["close"])


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_file_separated_by_another_character_is_named_as_such(tmp_path, separator):
    path = tmp_path / "export.csv"
    ohlcv(5).to_csv(path, index=False, sep=separator)
    said = f"expected comma-separated columns, received a header separated by {separator!r}"
    with pytest.raises(StockcasterError, match=re.escape(said)):
        load_prices(path)


@pytest.mark.parametrize(("name", "kind"), [("prices.xlsx", "a spreadsheet"),
                                            ("prices.json", "a JSON file")])  # fmt: skip
def test_a_file_of_another_format_is_named_as_such(tmp_path, name, kind):
    """An Excel workbook (a zip) and a JSON file were read as CSV: "received only a header"."""
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04\x14\x00" if name.endswith("xlsx") else b'{"close": [1, 2]}\n')
    said = f"expected a CSV or Parquet file, received {kind} (save the prices as CSV)"
    with pytest.raises(StockcasterError, match=re.escape(said)):
        load_prices(path)


def test_ambiguous_day_month_dates_are_refused_not_guessed(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("date,close\n01/02/2015,10\n02/02/2015,11\n")
    with pytest.raises(StockcasterError, match="month/day and day/month"):
        load_prices(path)


def test_parquet(tmp_path):
    table = ohlcv(15)
    path = tmp_path / "prices.parquet"
    table.to_parquet(path)
    loaded = load_prices(path)
    assert len(loaded) == 15
    np.testing.assert_allclose(loaded["close"], table["close"])


@pytest.mark.parametrize("index", [["date"], ["date", "symbol"]])
def test_a_parquet_file_whose_dates_are_its_index(tmp_path, index):
    """yfinance's frames keep their dates in an index ("Date"): it was dropped, and the
    file refused for want of a date column."""
    table = ohlcv(15)
    path = tmp_path / "prices.parquet"
    table.set_index(index).to_parquet(path)
    loaded = load_prices(path)
    assert loaded["date"].tolist() == table["date"].tolist() and set(loaded["symbol"]) == {"MSFT"}
    np.testing.assert_allclose(loaded["close"], table["close"])


def test_compressed_csv(tmp_path):
    path = tmp_path / "prices.csv.gz"
    ohlcv(20).to_csv(path, index=False)
    assert len(load_prices(path)) == 20


def test_embedded_msft_is_the_2010_2016_slice():
    table = load_msft()
    assert len(table) == 1762
    assert table["date"].iloc[0] == pd.Timestamp("2010-01-04")
    assert table["date"].iloc[-1] == pd.Timestamp("2016-12-30")
    assert set(table["symbol"]) == {"MSFT"}
    assert table["close"].iloc[0] == pytest.approx(25.954)


def test_select_symbol_returns_that_symbol_only(kaggle_csv):
    table = load_prices(kaggle_csv)
    rows = select_symbol(table, "AAPL", str(kaggle_csv))
    assert set(rows["symbol"]) == {"AAPL"} and len(rows) == 300


def test_select_symbol_needs_a_choice_in_a_multi_symbol_file(kaggle_csv):
    with pytest.raises(StockcasterError, match="expected --symbol"):
        select_symbol(load_prices(kaggle_csv), None, str(kaggle_csv))


def test_column_mapping_rejects_unknown_names():
    with pytest.raises(StockcasterError, match="received 'price'"):
        parse_column_mapping("price=Last")
