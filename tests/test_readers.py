"""Each loader: Kaggle NYSE, Yahoo per-ticker, generic CSV with a mapping, Parquet, embedded."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import ohlcv, write_kaggle
from stockcaster.cli import app
from stockcaster.data import load_prices, parse_column_mapping, select_symbol
from stockcaster.data.covariates import read_covariates
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


def test_a_yfinance_download_of_several_tickers_reads_as_their_panel(tmp_path):
    """`yf.download(["MSFT", "AAPL"]).to_csv(...)` puts each field's tickers side by side;
    it was refused ("save each to its own file"). It reads as the panel of their one-ticker
    downloads, and a bad cell of the second ticker is named by its own file line."""
    one, two = ohlcv(30, "MSFT"), ohlcv(30, "AAPL", 1).assign(date=ohlcv(30)["date"])
    fields = ["Close", "High", "Low", "Open", "Volume"]
    lines = ["Price," + ",".join(f for f in fields for _ in "12"),
             "Ticker" + ",MSFT,AAPL" * 5, "Date" + "," * 10]  # fmt: skip
    lines += [f"{a.date:%Y-%m-%d}," + ",".join(f"{getattr(r, f.lower())!r}" for f in fields
                                               for r in (a, b))
              for a, b in zip(one.itertuples(), two.itertuples(), strict=True)]  # fmt: skip
    path = tmp_path / "download.csv"
    path.write_text("\n".join(lines) + "\n")
    loaded = load_panel(path).prices
    expected = pd.concat([two, one], ignore_index=True)[loaded.columns]  # AAPL sorts first
    pd.testing.assert_frame_equal(loaded, expected, check_exact=True, check_dtype=False)
    cells = lines[9].split(",")
    cells[2] = "abc"  # AAPL's close on the 10th line
    lines[9] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(StockcasterError, match="download.csv line 10: expected a number in "
                                               "column 'close', received 'abc'"):  # fmt: skip
        load_prices(path)
    # Grouped by ticker (`group_by="ticker"`: the tickers' line first) it was refused
    swapped = lines[1], lines[0]  # `Ticker,MSFT,AAPL,...` over `Price,Close,Close,...`
    by_ticker = tmp_path / "by_ticker.csv"
    by_ticker.write_text("\n".join([*swapped, *lines[2:]]).replace("abc", "x") + "\n")
    with pytest.raises(StockcasterError, match="by_ticker.csv line 10: expected a number in "
                                               "column 'close', received 'x'"):  # fmt: skip
        load_prices(by_ticker)
    by_ticker.write_text(by_ticker.read_text().replace(",x,", f",{float(two['close'].iloc[6])!r},"))
    pd.testing.assert_frame_equal(load_panel(by_ticker).prices, loaded)

    path.write_text("Ticker,AAPL,MSFT\nDate,,\n2016-12-29,116.7,62.9\n2016-12-30,115.8,x\n")
    with pytest.raises(StockcasterError, match="download.csv line 4: expected a number in "
                                               "column 'close', received 'x'"):  # fmt: skip
        load_prices(path)
    path.write_text(path.read_text().replace(",x", ",62.1"))
    assert load_prices(path)[["symbol", "close"]].values.tolist() == [
        ["AAPL", 116.7], ["AAPL", 115.8], ["MSFT", 62.9], ["MSFT", 62.1]]  # fmt: skip


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


@pytest.mark.parametrize("separator", ["|", ":"])
def test_a_file_separated_by_another_character_is_named_as_such(tmp_path, separator):
    path = tmp_path / "export.csv"
    ohlcv(5).to_csv(path, index=False, sep=separator)
    said = ("expected columns separated by commas, semicolons or tabs, received a header "
            f"separated by {separator!r}")  # fmt: skip
    with pytest.raises(StockcasterError, match=re.escape(said)):
        load_prices(path)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_file_separated_by_semicolons_or_tabs_reads_as_with_commas(tmp_path, separator):
    """Excel writes CSV with semicolons where the decimal mark is a comma; both files, and
    tab-separated ones, were refused ("expected comma-separated columns")."""
    prices = ["open", "high", "low", "close"]
    table = ohlcv(30).round(dict.fromkeys(prices, 6))
    written = table.copy()
    if separator == ";":  # and its numbers with decimal commas
        written[prices] = table[prices].map(lambda v: f"{v:.6f}".replace(".", ","))
    written.to_csv(tmp_path / "export.csv", index=False, sep=separator)
    loaded = load_prices(tmp_path / "export.csv")
    pd.testing.assert_frame_equal(loaded, table, check_dtype=False)
    with (tmp_path / "export.csv").open("a") as file:
        file.write(separator.join(["2015-03-01", "MSFT", "1", "2"] * 2) + "\n")  # 8 fields
    name = {";": "semicolon", "\t": "tab"}[separator]
    with pytest.raises(StockcasterError, match=f"line 32: expected 7 {name}-separated fields"):
        load_prices(tmp_path / "export.csv")


def test_excel_s_windows_csv_reads_its_headers_and_other_bytes_are_one_line(tmp_path):
    """Excel's CSV on Windows is Windows-1252: a header "Schlußkurs" was "expected a UTF-8
    CSV file"."""
    path = tmp_path / "export.csv"
    path.write_bytes("Datum,Schlußkurs\n2016-01-04,1.5\n2016-01-05,1.6\n".encode("cp1252"))
    loaded = load_prices(path, columns=parse_column_mapping("date=Datum,close=Schlußkurs"))
    assert loaded["close"].tolist() == [1.5, 1.6]
    path.write_bytes(b"date,close\n2016-01-04,1.5\n2016-01-05,1\x81\n")  # text in neither
    with pytest.raises(
        StockcasterError,
        match="expected a CSV file in UTF-8 .or Windows-1252, or "
        "UTF-16 with its byte order mark., received bytes",
    ):
        load_prices(path)


def test_excel_s_unicode_text_reads_as_its_csv(tmp_path):
    """Excel's "Unicode Text" (UTF-16 with its byte order mark, tab-separated) was refused
    as binary data."""
    table = ohlcv(20)
    table.to_csv(tmp_path / "prices.txt", index=False, sep="\t", encoding="utf-16")
    assert (tmp_path / "prices.txt").read_bytes()[:2] == b"\xff\xfe"
    loaded = load_prices(tmp_path / "prices.txt", symbol="MSFT")
    pd.testing.assert_frame_equal(loaded, table, check_dtype=False)


@pytest.mark.parametrize(
    ("name", "kind"),
    [("prices.xls", "a spreadsheet not of Excel's .xlsx"), ("prices.json", "a JSON file"),
     ("prices.xlsx", None)],
)  # fmt: skip
def test_a_file_of_another_format_is_named_as_such(tmp_path, name, kind):
    """An old Excel workbook (.xls) and a JSON file were read as CSV: "received only a
    header"; a damaged .xlsx is one line too."""
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04\x14\x00" if "xls" in name else b'{"close": [1, 2]}\n')
    said = (
        f"expected a CSV, Parquet or .xlsx file, received {kind} (save the prices as CSV or .xlsx)"
    )
    if kind is None:
        said = "expected an Excel workbook, received unreadable data (BadZipFile)"
    with pytest.raises(StockcasterError, match=re.escape(said)):
        load_prices(path)


def test_an_excel_workbook_reads_as_its_csv_and_names_its_rows_as_excel_does(tmp_path):
    """An .xlsx was refused ("save the prices as CSV"). Its first sheet reads to the table
    its CSV gives, bit for bit; a bad cell is named by Excel's row number."""
    pytest.importorskip("openpyxl")
    table = ohlcv(40).round(6)  # a workbook keeps 15 digits of a number, as Excel does
    table.to_csv(tmp_path / "prices.csv", index=False)
    table.to_excel(tmp_path / "prices.xlsx", index=False)
    from_csv, from_sheet = (
        load_prices(tmp_path / "prices.csv"),
        load_prices(tmp_path / "prices.xlsx"),
    )
    pd.testing.assert_frame_equal(from_sheet, from_csv, check_exact=True)
    bad = table.astype({"close": object})
    bad.loc[3, "close"] = "abc"
    bad.to_excel(tmp_path / "bad.xlsx", index=False)
    with pytest.raises(StockcasterError, match=r"bad.xlsx row 5: expected a number in column "
                                               "'close', received 'abc'"):  # fmt: skip
        load_prices(tmp_path / "bad.xlsx")


def test_a_workbook_s_table_under_a_title_or_on_a_later_sheet_is_read(tmp_path):
    """A sheet's table under a title, starting at column B, was "expected columns date,
    close, received columns My prices, Unnamed: 1, ..."; prices on a second sheet, after an
    empty first one, were "received only a header". Its bad cell is still named by Excel's
    row; a workbook of empty sheets says so."""
    pytest.importorskip("openpyxl")
    table = ohlcv(40).round(6)
    table.to_csv(tmp_path / "prices.csv", index=False)
    bad = table.astype({"close": object})
    bad.loc[3, "close"] = "abc"
    with pd.ExcelWriter(tmp_path / "book.xlsx") as book:
        pd.DataFrame().to_excel(book, sheet_name="Notes")
        pd.DataFrame({"x": ["My prices"]}).to_excel(book, sheet_name="Prices", index=False,
                                                    header=False)  # fmt: skip
        table.to_excel(book, sheet_name="Prices", index=False, startrow=2, startcol=1)
    with pd.ExcelWriter(tmp_path / "bad.xlsx") as book:
        bad.to_excel(book, index=False, startrow=3)
    pd.testing.assert_frame_equal(
        load_prices(tmp_path / "book.xlsx"), load_prices(tmp_path / "prices.csv"),
        check_exact=True,
    )  # fmt: skip
    with pytest.raises(StockcasterError, match=r"bad.xlsx row 8: expected a number in column "
                                               "'close', received 'abc'"):  # fmt: skip
        load_prices(tmp_path / "bad.xlsx")
    for names in (("2015", "2016"), ("Sheet1", "Sheet2"), ("Data", "Prices")):  # not tickers'
        with pd.ExcelWriter(tmp_path / "years.xlsx") as book:
            for name in names:
                table.drop(columns="symbol").to_excel(book, sheet_name=name, index=False)
        with pytest.raises(StockcasterError, match=re.escape(
                "years.xlsx: expected one sheet of prices, or a sheet per ticker named as tickers "
                f"are, received 2 sheets of the same columns ({', '.join(names)})")):  # fmt: skip
            load_prices(tmp_path / "years.xlsx")
    with pd.ExcelWriter(tmp_path / "empty.xlsx") as book:
        pd.DataFrame().to_excel(book, sheet_name="One")
        pd.DataFrame().to_excel(book, sheet_name="Two")
    with pytest.raises(
        StockcasterError,
        match="empty.xlsx: expected a sheet of prices, "
        "received a workbook whose 2 sheets are empty",
    ):
        load_prices(tmp_path / "empty.xlsx")


def test_a_workbook_of_a_sheet_per_ticker_reads_as_their_panel(tmp_path):
    """A workbook of a sheet per ticker (each sheet named by it, the same columns) was read
    as its first sheet alone, silently, then refused. It reads as their panel, each symbol
    its sheet's name, a bad cell named by its sheet and Excel's row; sheets of one table
    with a symbol column are read as its parts; a sheet of other columns is not read."""
    pytest.importorskip("openpyxl")
    one, two = ohlcv(40, "MSFT").round(6), ohlcv(30, "AAPL", 1).round(6)
    with pd.ExcelWriter(tmp_path / "tickers.xlsx") as book:
        one.drop(columns="symbol").to_excel(book, sheet_name="MSFT", index=False)
        pd.DataFrame({"note": ["from the terminal"], "by": ["me"]}).to_excel(
            book, sheet_name="Notes"
        )
        two.drop(columns="symbol").to_excel(book, sheet_name="AAPL", index=False, startrow=2)
    expected = pd.concat([two, one], ignore_index=True)  # AAPL sorts first
    loaded = load_panel(tmp_path / "tickers.xlsx")
    assert loaded.symbols == ["AAPL", "MSFT"] and not loaded.broken
    pd.testing.assert_frame_equal(loaded.prices, expected[loaded.prices.columns],
                                  check_exact=True, check_dtype=False)  # fmt: skip
    with pd.ExcelWriter(tmp_path / "parts.xlsx") as book:  # one table, with its symbols
        one.iloc[:20].to_excel(book, sheet_name="Sheet1", index=False)
        pd.concat([one.iloc[20:], two]).to_excel(book, sheet_name="Sheet2", index=False)
    pd.testing.assert_frame_equal(load_prices(tmp_path / "parts.xlsx"),
                                  load_prices(tmp_path / "tickers.xlsx"))  # fmt: skip
    bad = two.drop(columns="symbol").astype({"close": object})
    bad.loc[3, "close"] = "abc"
    with pd.ExcelWriter(tmp_path / "bad.xlsx") as book:
        one.drop(columns="symbol").to_excel(book, sheet_name="MSFT", index=False)
        bad.to_excel(book, sheet_name="AAPL", index=False)
    with pytest.raises(StockcasterError, match="bad.xlsx sheet AAPL row 5: expected a number "
                                               "in column 'close', received 'abc'"):  # fmt: skip
        load_prices(tmp_path / "bad.xlsx")
    with pd.ExcelWriter(tmp_path / "twice.xlsx") as book:  # a day in two parts
        one.iloc[:20].to_excel(book, sheet_name="Sheet1", index=False)
        one.iloc[19:].to_excel(book, sheet_name="Sheet2", index=False)
    with pd.ExcelWriter(tmp_path / "headers.xlsx") as book:  # sheets of a header only
        one.drop(columns="symbol").iloc[:0].to_excel(book, sheet_name="MSFT", index=False)
        one.drop(columns="symbol").iloc[:0].to_excel(book, sheet_name="AAPL", index=False)
    with pytest.raises(StockcasterError, match="headers.xlsx: expected rows of prices, received "
                                               "only a header"):  # fmt: skip
        load_prices(tmp_path / "headers.xlsx")
    said = "twice.xlsx sheet Sheet1 row 21 and sheet Sheet2 row 2: expected one row per date"
    with pytest.raises(StockcasterError, match=said):
        load_prices(tmp_path / "twice.xlsx")


@pytest.mark.parametrize(
    "form",
    ["%d-%m-%Y", "%m-%d-%Y", "%d %b %Y", "%b %d %Y", "%B %d, %Y", "%d.%m.%y", "%d-%b-%y",
     "%m/%d/%Y 16:00:00", "%m/%d/%Y 4:00:00 PM", "%d.%m.%Y %H:%M"],
)  # fmt: skip
def test_dates_in_other_common_forms_read_as_their_days(tmp_path, form):
    """Day-month-year with dashes (India's and the UK's exports), "30 Dec 2016", "December
    30, 2016" and two-digit years were refused: "expected a date like 2016-12-30"; so were
    such dates with a time of day (Google Sheets' GOOGLEFINANCE `11/30/2016 16:00:00`,
    Excel's `4:00:00 PM`), which ISO dates already had dropped."""
    days = pd.bdate_range("2016-11-01", periods=40)
    path = tmp_path / "export.csv"
    pd.DataFrame({"date": days.strftime(form), "close": range(1, 41)}).to_csv(path, index=False)
    assert load_prices(path)["date"].tolist() == days.tolist()


def test_unix_timestamps_at_midnight_utc_read_as_their_days(tmp_path):
    """A crypto exchange's daily bars (`timestamp` or `Open time`, in seconds or milliseconds
    at 00:00 UTC) were "expected a date like 2016-12-30" ("expected columns date"); one off
    midnight UTC (a stock's bar at 05:00 UTC, New York's midnight) is refused, since its day
    is its exchange's time zone's."""
    days = pd.bdate_range("2016-11-01", periods=40)
    for unit, scale, name in (("s", 10**9, "timestamp"), ("ms", 10**6, "Open time")):
        path = tmp_path / f"{unit}.csv"  # Binance's klines name the bar's start "Open time"
        stamps = days.asi8 // scale
        pd.DataFrame({name: stamps, "close": range(1, 41)}).to_csv(path, index=False)
        assert load_prices(path)["date"].tolist() == days.tolist()
    path = tmp_path / "stocks.csv"
    stamps = (days + pd.Timedelta(hours=5)).asi8 // 10**6
    pd.DataFrame({"timestamp": stamps, "close": range(1, 41)}).to_csv(path, index=False)
    with pytest.raises(
        StockcasterError,
        match=f"received '{stamps[0]}', 2016-11-01 05:00 UTC, "
        "whose day depends on the exchange's time zone",
    ):
        load_prices(path)
    path.write_text("date,close\n12345678901,1\n1234567890,2\n")  # lengths differ: no unit
    with pytest.raises(StockcasterError, match="line 2: expected a date like 2016-12-30"):
        load_prices(path)


def test_a_date_not_yet_come_is_refused(tmp_path):
    """A two-digit year read in the wrong century ("01.01.65" as 2065), or a typo, dated
    prices in the future without a word."""
    path = tmp_path / "export.csv"
    path.write_text("date,close\n30.12.64,1\n31.12.64,2\n")
    with pytest.raises(StockcasterError, match=r"line 2: expected dates up to today \(20\d\d-"
                                               r"\d\d-\d\d\), received '30.12.64', a day not "
                                               "yet traded"):  # fmt: skip
        load_prices(path)
    # In a panel, the symbol is set aside; covariates may be known ahead (a calendar).
    panel = pd.concat([ohlcv(30, "AAA"), ohlcv(30, "BBB", 1)], ignore_index=True)
    panel.loc[3, "date"] = pd.Timestamp("2164-12-30")
    panel.to_csv(tmp_path / "panel.csv", index=False, date_format="%Y-%m-%d")
    loaded = load_panel(tmp_path / "panel.csv")
    assert (
        loaded.symbols == ["BBB"] and "line 5: expected dates up to today" in loaded.broken["AAA"]
    )
    (tmp_path / "events.csv").write_text("date,event\n2016-01-04,0\n2164-12-30,1\n")
    assert len(read_covariates(tmp_path / "events.csv")) == 2


def test_ambiguous_day_month_dates_are_refused_not_guessed(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("date,close\n01/02/2015,10\n02/02/2015,11\n")
    with pytest.raises(StockcasterError, match="month/day and day/month"):
        load_prices(path)
    path.write_text("date,close\n01-02-2015,10\n02-02-2015,11\n")  # with dashes too
    with pytest.raises(StockcasterError, match="month/day and day/month"):
        load_prices(path)


def _site_export(table: pd.DataFrame, price: str, volume: pd.Series) -> pd.DataFrame:
    """`table` newest first, as Nasdaq.com and Investing.com export: US dates, prices
    written by the format string `price`, and the volumes as `volume` writes them."""
    newest = table.iloc[::-1]
    written = {c: newest[c].map(price.format) for c in ("open", "high", "low", "close")}
    return pd.DataFrame({"Date": newest["date"].dt.strftime("%m/%d/%Y"), **written,
                         "Volume": volume.iloc[::-1]})  # fmt: skip


def test_nasdaq_and_investing_exports_read_as_the_prices_they_write(tmp_path):
    """Nasdaq.com's historical prices ("Close/Last", "$61.09") and Investing.com's ("Price",
    "2,595.40", "Vol." of "26.02M") were refused: "expected columns close" and then "expected
    a number in column 'open', received '$61.89'"."""
    table = ohlcv(30).assign(**{c: lambda t, c=c: (t[c] * 40).round(2)
                                for c in ("open", "high", "low", "close")})  # fmt: skip
    table["volume"] = table["volume"] * 13_000
    millions = (table["volume"] / 1e6).round(2)
    nasdaq = _site_export(table, "${:.2f}", table["volume"])
    nasdaq.rename(columns={"close": "Close/Last"}).to_csv(tmp_path / "nasdaq.csv", index=False)
    investing = _site_export(table, "{:,.2f}", millions.map("{:.2f}M".format))
    investing = investing.rename(columns={"close": "Price", "Volume": "Vol."})
    investing.assign(**{"Change %": "0.10%"}).to_csv(tmp_path / "investing.csv", index=False)
    assert table["close"].min() > 1000  # every price has a thousands comma at Investing.com
    for name, volume in (("nasdaq", table["volume"]), ("investing", millions * 1e6)):
        loaded = load_prices(tmp_path / f"{name}.csv", symbol="MSFT")
        assert list(loaded.columns) == ["date", "symbol", "open", "high", "low", "close", "volume"]
        pd.testing.assert_frame_equal(loaded, table.assign(volume=volume), check_dtype=False)
    # Investing.com names its file "MSFT Historical Data.csv": the symbol is MSFT, not
    # "MSFT HISTORICAL DATA" (a run's folder was named MSFT_HISTORICAL_DATA-...)
    (tmp_path / "investing.csv").rename(tmp_path / "MSFT Historical Data.csv")
    assert set(load_prices(tmp_path / "MSFT Historical Data.csv")["symbol"]) == {"MSFT"}


def test_alpha_vantage_and_quandl_headers_name_the_date_and_the_adjusted_close(tmp_path):
    """Alpha Vantage's CSV dates its rows under "timestamp", Quandl's WIKI prices adjust
    under "Adj. Close": both were refused or dropped."""
    path = tmp_path / "daily_MSFT.csv"
    path.write_text("timestamp,open,high,low,close,Adj. Close,volume\n"
                    "2016-12-30,62.96,62.99,62.03,62.14,60.1,25579900\n"
                    "2016-12-29,62.86,63.20,62.73,62.90,60.8,10250600\n")  # fmt: skip
    loaded = load_prices(path, symbol="MSFT")
    assert loaded["date"].dt.strftime("%Y-%m-%d").tolist() == ["2016-12-29", "2016-12-30"]
    assert loaded["adj_close"].tolist() == [60.8, 60.1]


def test_a_european_export_reads_its_decimal_commas(tmp_path):
    """Investing.com's European sites write "2.595,40" and "26,02M" (with German headers,
    mapped by --columns): refused as no numbers."""
    path = tmp_path / "export.csv"
    path.write_text('Datum,Zuletzt,Vol.\n"30.12.2016","2.595,40","26,02M"\n'
                    '"29.12.2016","62,14","950,50K"\n"28.12.2016","1.062","1,10M"\n')  # fmt: skip
    loaded = load_prices(path, columns=parse_column_mapping("date=Datum,close=Zuletzt"))
    assert loaded["close"].tolist() == [1062.0, 62.14, 2595.4]
    np.testing.assert_allclose(loaded["volume"], [1.1e6, 950_500.0, 26.02e6], rtol=1e-12)


def test_french_and_swiss_thousands_read_as_their_sites_write_them(tmp_path):
    """French sites group thousands by a space (a plain, a no-break or a narrow no-break
    one: "10 012,58") and Swiss ones by an apostrophe ("10'012.58"): refused as no numbers.
    A space between digits that are not groups of three is still no number."""
    for name, cells, encoding in (
        ("fr.csv", ["10 012,58", "9\u00a0999,36", "1\u202f001,10"], "utf-8"),
        ("fr1252.csv", ["10\u00a0012,58", "9 999,36", "1 001,10"], "cp1252"),
        ("ch.csv", ["10'012.58", "9\u2019999.36", "1'001.10"], "utf-8"),
    ):
        path = tmp_path / name
        rows = "".join(f'0{i + 4}.01.2016;"{c}"\n' for i, c in enumerate(cells))
        path.write_text("Date;Close\n" + rows, encoding=encoding)
        assert load_prices(path)["close"].tolist() == [10012.58, 9999.36, 1001.1], name
    path = tmp_path / "bad.csv"
    path.write_text('date,close\n2016-01-04,"1 2"\n2016-01-05,"10 012"\n')
    with pytest.raises(StockcasterError, match=re.escape("line 2: expected a number in col")):
        load_prices(path)


@pytest.mark.parametrize(
    ("cells", "said"),
    [
        # a comma that could be a thousands or a decimal one is refused, not guessed
        (["1,234", "1,240"], "line 2: expected numbers whose decimal mark can be told, "
                             "received '1,234' in column 'close'"),
        (["1.234", "$1.240"], "line 3: expected numbers whose decimal mark can be told, "
                              "received '$1.240'"),
        (["61.09", "62,14"], "line 3: expected a number in column 'close', received '62,14'"),
        # three decimals, as a yen rate's, beside a bad cell: the bad cell is named
        (["110.123", "abc"], "line 3: expected a number in column 'close', received 'abc'"),
        (["$12", "12abc"], "line 3: expected a number in column 'close', received '12abc'"),
        (["12", "12M"], "line 3: expected a number in column 'close', received '12M'"),
        (["-$-5", "5"], "line 2: expected a number in column 'close', received '-$-5'"),
    ],
)  # fmt: skip
def test_numbers_written_any_other_way_are_refused_naming_their_line(tmp_path, cells, said):
    path = tmp_path / "export.csv"
    path.write_text("date,close\n" + "".join(f'2016-01-0{i + 4},"{c}"\n' for i, c in
                                              enumerate(cells)))  # fmt: skip
    with pytest.raises(StockcasterError, match=re.escape(said)):
        load_prices(path)


def test_a_comma_is_thousands_beside_a_decimal_point_and_a_close_column_wins_over_price(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text('date,Price,close\n2016-01-04,1,"1,234"\n2016-01-05,2,"$999.5"\n')
    loaded = load_prices(path)
    assert loaded["close"].tolist() == [1234.0, 999.5]


def test_a_panel_of_written_numbers_sets_aside_only_its_symbol_with_a_bad_cell(tmp_path):
    """The row-by-row search for a panel's bad rows read "$1,234.50" as no number: every
    symbol was broken, and the file refused for one bad cell."""
    table = pd.concat([ohlcv(20, "AAA"), ohlcv(20, "BBB", 1), ohlcv(20, "CCC", 2)],
                      ignore_index=True)  # fmt: skip
    written = table.assign(close=(table["close"] * 40).map("${:,.2f}".format))
    written.loc[3, "close"] = "oops"
    written.to_csv(tmp_path / "panel.csv", index=False, date_format="%Y-%m-%d")
    panel = load_panel(tmp_path / "panel.csv")
    assert panel.symbols == ["BBB", "CCC"] and list(panel.broken) == ["AAA"]
    assert "line 5: expected a number in column 'close', received 'oops'" in panel.broken["AAA"]
    kept = table[table["symbol"] != "AAA"]["close"].to_numpy() * 40
    np.testing.assert_allclose(panel.prices["close"], kept, atol=0.005)


def test_intraday_bars_are_refused_as_such(tmp_path):
    """Hourly bars were refused as repeated dates, without saying why a day had 7 rows."""
    path = tmp_path / "hourly.csv"
    path.write_text("date,close\n" + "".join(f"2016-01-0{d} {h}:00:00,{d + h / 100}\n"
                                              for d in (4, 5) for h in (10, 11)))  # fmt: skip
    said = (
        "lines 2 and 3: expected one row per date for symbol HOURLY, received 2 rows for "
        "2016-01-04 (at 10:00 and 11:00: intraday bars? stockcaster forecasts one close a day"
    )
    with pytest.raises(StockcasterError, match=re.escape(said)):
        load_prices(path)
    path.write_text("date,close\n2016-01-04,1\n2016-01-04,2\n")  # the same day twice: no hint
    with pytest.raises(StockcasterError, match=r"received 2 rows for 2016-01-04$"):
        load_prices(path)


def test_excel_s_na_a_dash_and_fred_s_point_are_missing_values(tmp_path):
    """Excel writes #N/A, some sites an em or en dash, for a day without a value: they were
    "expected a number", where "null" and "-" were missing values."""
    path = tmp_path / "export.csv"
    path.write_text("date,close,volume\n2016-01-04,1,5\n2016-01-05,#N/A,5\n"
                    "2016-01-06,2,—\n2016-01-07,3,–\n2016-01-08,4,6\n")  # fmt: skip
    with pytest.raises(StockcasterError, match="received 3 rows with missing values"):
        load_prices(path)
    assert load_prices(path, fill="drop")["close"].tolist() == [1.0, 4.0]
    # FRED's download marks a day without a value (a holiday) with a point, under the
    # series' name: `DATE,SP500` read as SP500's closes, the point was "expected a number"
    path.write_text("DATE,SP500\n2015-01-01,.\n2015-01-02,2058.20\n2015-01-05,2020.58\n")
    with pytest.raises(StockcasterError, match=r"received 1 row with missing values \(first at "
                                               r"line 2\); choose --fill drop"):  # fmt: skip
        load_prices(path)
    loaded = load_prices(path, fill="drop")
    assert loaded["close"].tolist() == [2058.2, 2020.58] and set(loaded["symbol"]) == {"SP500"}


def test_a_huge_cell_is_quoted_short(tmp_path):
    """A cell of a million digits made a one-line error of a megabyte."""
    path = tmp_path / "export.csv"
    path.write_text("date,close\n2016-01-04," + "9" * 1_000_000 + "\n")
    with pytest.raises(StockcasterError) as refused:
        load_prices(path)
    said = str(refused.value)
    quoted = said.split("received ")[-1]
    assert quoted == "'" + "9" * 55 + "...'", said  # 60 characters, the quotes kept
    # A header of 1,000 columns, one of them a name of 5,000 characters (one of 100,000 made
    # a line of 800 kB).
    path.write_text("day," + "x" * 5_000 + "," + ",".join(f"c{i}" for i in range(1_000))
                    + "\n2016-01-04" + ",1" * 1_001 + "\n")  # fmt: skip
    with pytest.raises(StockcasterError) as refused:
        load_prices(path)
    said = str(refused.value)
    assert len(said) < 500 and f"received columns day, {'x' * 37}..., c0, c1," in said, said
    assert said.endswith("c17, ... (982 more) (map yours with --columns date=YOUR_NAME,"
                         "close=YOUR_NAME)")  # fmt: skip


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


def test_a_table_with_a_column_of_closes_per_symbol_reads_as_their_panel(tmp_path):
    """A table of closes (a date, then a column per ticker: a pivot of closes, a data site's
    download of many) was refused, told to melt it with pandas. It reads as the long table,
    each bad cell named by its line, a ticker's empty cells (before it listed) no rows, in a
    CSV and in Parquet alike, to the closes its long table gives."""
    long = pd.concat([ohlcv(30, s, k) for k, s in enumerate(("AAPL", "BRK-B", "^GSPC"))])
    wide = long.pivot(index="date", columns="symbol", values="close")
    wide.iloc[:12, 1] = np.nan  # BRK-B listed on the 13th day
    wide.to_csv(tmp_path / "closes.csv")
    wide.to_parquet(tmp_path / "closes.parquet")
    expected = long[["date", "symbol", "close"]].sort_values(["symbol", "date"])
    expected = expected[~((expected["symbol"] == "BRK-B") & (expected["date"] < wide.index[12]))]
    for name in ("closes.csv", "closes.parquet"):
        loaded = load_panel(tmp_path / name)
        assert loaded.symbols == ["AAPL", "BRK-B", "^GSPC"] and not loaded.broken
        pd.testing.assert_frame_equal(loaded.prices, expected.reset_index(drop=True),
                                      check_exact=True, check_dtype=False)  # fmt: skip
    lines = (tmp_path / "closes.csv").read_text().splitlines()
    lines[20] = lines[20].rsplit(",", 1)[0] + ",abc"  # ^GSPC's close on line 21
    (tmp_path / "closes.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(StockcasterError, match="closes.csv line 21: expected a number in column "
                                               "'close', received 'abc'"):  # fmt: skip
        load_prices(tmp_path / "closes.csv")
    (tmp_path / "twice.csv").write_text("Date,AAPL,MSFT,AAPL\n2016-01-04,1,2,3\n")
    with pytest.raises(StockcasterError, match="expected a column per ticker, received 'AAPL' "
                                               "twice"):  # fmt: skip
        load_prices(tmp_path / "twice.csv")  # it read as two symbols, AAPL and AAPL.1
    # Columns of numbers not named as tickers are (a German export's) are no such table
    path = tmp_path / "other.csv"
    path.write_text("Date,Open,Schlusskurs,Hoch\n2016-01-04,1,2,3\n")
    with pytest.raises(StockcasterError, match=r"close=YOUR_NAME\)$"):
        load_prices(path)
    path.write_text("date,value\n2016-01-04,1\n")  # one column of numbers: neither
    with pytest.raises(StockcasterError, match=r"close=YOUR_NAME\)$"):
        load_prices(path)


def test_one_index_s_closes_under_its_ticker_read_as_that_symbol(tmp_path):
    """`Date,SPX` (an index's history, one ticker's column of a pivot) was told to map its
    close with --columns, where `Date,SPX,NDX` read as two symbols' closes."""
    path = tmp_path / "index.csv"
    wide = ohlcv(30).set_index("date")[["close"]].rename(columns={"close": "^GSPC"})
    wide.to_csv(path)
    loaded = load_prices(path)
    assert set(loaded["symbol"]) == {"^GSPC"}
    assert loaded["close"].tolist() == pytest.approx(wide["^GSPC"].tolist())


def test_column_mapping_rejects_unknown_names():
    with pytest.raises(StockcasterError, match="received 'price'"):
        parse_column_mapping("price=Last")


def test_a_file_without_a_header_is_told_so(tmp_path):
    """Binance's klines have no header: their first bar's numbers were listed as "received
    columns 1483056000000, 25.7, ..." and the user told to map them with --columns."""
    path = tmp_path / "klines.csv"
    path.write_text("1483056000000,25.7,26.1,25.6,25.9,4579\n1483142400000,25.9,26,25.7,26,5932\n")
    said = (
        "klines.csv: expected a header naming columns date, close, received a first line of "
        "numbers (1483056000000, 25.7, 26.1, 25.6, 25.9, 4579): add one, such as "
        "date,open,high,low,close,volume"
    )
    with pytest.raises(StockcasterError, match=re.escape(said) + "$"):
        load_prices(path)
    path.write_text("day,last\n2016-01-04,1\n")  # named columns: the --columns hint (control)
    with pytest.raises(StockcasterError, match=r"received columns day, last \(map yours"):
        load_prices(path)


def test_metatrader_s_export_reads_without_its_angle_brackets(tmp_path):
    """MetaTrader 5's history export (tab-separated, `<DATE>` ... `<CLOSE>`, dates like
    `2016.12.30`) was "expected columns date, close, received columns <DATE>, <TIME>, ..."."""
    path = tmp_path / "EURUSD.csv"
    path.write_text(
        "<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n"
        "2016.12.29\t00:00:00\t1.0410\t1.0500\t1.0400\t1.0490\t9001\t0\t2\n"
        "2016.12.30\t00:00:00\t1.0490\t1.0520\t1.0460\t1.0470\t8002\t0\t2\n"
    )
    table = load_prices(path)
    assert list(table.columns) == ["date", "symbol", "open", "high", "low", "close", "volume"]
    assert table["close"].tolist() == [1.049, 1.047] and table["symbol"].iloc[0] == "EURUSD"
    assert table["date"].dt.strftime("%Y-%m-%d").tolist() == ["2016-12-29", "2016-12-30"]


def test_bloomberg_s_field_names_read_as_the_table_s(tmp_path):
    """Bloomberg's Excel add-in names its columns `Dates`, `PX_LAST`, `PX_VOLUME`: "expected
    columns date, close"; a file that has a `close` of its own keeps it (the control)."""
    table = ohlcv(30).round(6)
    names = {"date": "Dates", "open": "PX_OPEN", "high": "PX_HIGH", "low": "PX_LOW",
             "close": "PX_LAST", "volume": "PX_VOLUME"}  # fmt: skip
    table.rename(columns=names).to_csv(tmp_path / "bbg.csv", index=False)
    table.to_csv(tmp_path / "plain.csv", index=False)
    pd.testing.assert_frame_equal(
        load_prices(tmp_path / "bbg.csv"), load_prices(tmp_path / "plain.csv"), check_exact=True
    )
    table.assign(PX_LAST=table["close"] * 2).to_csv(tmp_path / "both.csv", index=False)
    assert load_prices(tmp_path / "both.csv")["close"].tolist() == table["close"].tolist()


def test_a_csv_under_a_title_reads_as_without_it_and_names_its_lines(tmp_path):
    """A CSV saved from a sheet with a title above its table (or a site's export that names
    itself first) was "expected columns date, close, received columns MSFT Historical Data";
    its bad cell's line counts the title's lines."""
    table = ohlcv(40).round(6)
    table.to_csv(tmp_path / "plain.csv", index=False)
    body = (tmp_path / "plain.csv").read_text()
    (tmp_path / "titled.csv").write_text('"MSFT Historical Data"\n\n' + body)
    pd.testing.assert_frame_equal(
        load_prices(tmp_path / "titled.csv"), load_prices(tmp_path / "plain.csv"),
        check_exact=True,
    )  # fmt: skip
    lines = body.splitlines()
    lines[4] = lines[4].replace(lines[4].split(",")[5], "abc", 1)  # the close of the 4th row
    (tmp_path / "bad.csv").write_text("MSFT\n" + "\n".join(lines) + "\n")
    with pytest.raises(StockcasterError, match=r"bad.csv line 6: expected a number in column "
                                               "'close', received 'abc'"):  # fmt: skip
        load_prices(tmp_path / "bad.csv")


def test_excel_s_day_numbers_read_as_their_days(tmp_path):
    """A date cell formatted as a number (Excel's `42734`, 2016-12-30) in a workbook or the
    CSV saved from it was "expected a date like 2016-12-30"; a number out of the range of
    days read (1954-2119) still is (the control)."""
    pytest.importorskip("openpyxl")
    days = pd.bdate_range("2016-11-01", periods=40)
    serials = (days - pd.Timestamp("1899-12-30")).days
    frame = pd.DataFrame({"date": serials, "close": range(1, 41)})
    frame.to_csv(tmp_path / "serial.csv", index=False)
    frame.assign(date=serials + 0.5).to_excel(tmp_path / "serial.xlsx", index=False)  # noon
    for name in ("serial.csv", "serial.xlsx"):
        assert load_prices(tmp_path / name)["date"].tolist() == days.tolist(), name
    frame.assign(date=serials - 30_000).to_csv(tmp_path / "far.csv", index=False)
    with pytest.raises(StockcasterError, match="line 2: expected a date like 2016-12-30"):
        load_prices(tmp_path / "far.csv")


def test_yahoo_s_history_page_footnote_marks_are_left_out_and_its_event_rows_passed_over(
    tmp_path,
):
    """A table copied from Yahoo's history page heads its closes `Close*` and `Adj Close**`
    (footnotes): "expected columns close", with an untrue hint of a column per symbol. Its
    rows of a dividend or a split were refused ("delete it")."""
    path = tmp_path / "paste.tsv"
    path.write_text(
        "Date\tOpen\tHigh\tLow\tClose*\tAdj Close**\tVolume\n"
        "Dec 30, 2016\t62.96\t62.99\t62.03\t62.14\t57.90\t25,579,900\n"
        "Dec 29, 2016\t62.86\t63.20\t62.73\t62.90\t58.61\t10,250,600\n"
    )
    table = load_prices(path)
    assert table["close"].tolist() == [62.90, 62.14]
    assert table["adj_close"].tolist() == [58.61, 57.9]
    assert table["volume"].tolist() == [10_250_600, 25_579_900]
    # Its rows of dividends and splits (a date and words) are passed over, as a title is
    path.write_text(path.read_text() + "Dec 15, 2016\t0.39 Dividend\n"
                    "Feb 18, 2003\t2:1 Stock Split\n"
                    "Dec 28, 2016\t62.86\t63.20\t62.73\t62.00\t58.61\tbad\n")  # fmt: skip
    with pytest.raises(StockcasterError, match=re.escape(
            "line 6: expected a number in column 'volume', received 'bad'")):  # fmt: skip
        load_prices(path)  # each later row keeps its line
    path.write_text(path.read_text().replace("\tbad", "\t10"))
    assert load_prices(path)["close"].tolist() == [62.00, 62.90, 62.14]
    # Those words in a row of prices are refused, named
    path.write_text(path.read_text().replace("\t62.00\t", "\t0.39 Dividend\t"))
    with pytest.raises(StockcasterError, match=re.escape(
        "line 6: expected a number in column 'close', received '0.39 Dividend' (a dividend, as "
        "Yahoo's history page writes it on a row of its own, in a row of prices)")):  # fmt: skip
        load_prices(path)
    # A panel passes them over too, and sets aside a symbol with such words among its prices
    panel = tmp_path / "panel.csv"
    panel.write_text("date,symbol,close,volume\n2016-12-29,AA,62.9,5\n"
                     "2016-12-30,AA,0.39 Dividend,\n2016-12-29,BB,10,5\n"
                     "2016-12-30,BB,0.39 Dividend,7\n")  # fmt: skip
    loaded = load_panel(panel)
    assert loaded.symbols == ["AA"] and loaded.prices["close"].tolist() == [62.9]
    assert loaded.broken["BB"].endswith("received '0.39 Dividend' (a dividend, as Yahoo's "
                                        "history page writes it on a row of its own, in a row "
                                        "of prices)")  # fmt: skip
    only = tmp_path / "only.csv"
    only.write_text("date,close\n2016-12-30,0.39 Dividend\n")
    with pytest.raises(StockcasterError, match="received only rows of dividends and splits"):
        load_prices(only)


def test_a_folder_of_one_symbol_files_reads_as_their_panel(tmp_path, monkeypatch):
    """Kaggle's per-ticker dataset (`Stocks/aapl.us.txt`, ...) and any folder of one file a
    symbol was "expected a price file, received a directory". A folder reads as the panel
    of its files, each symbol named by its file; an empty file is set aside with its reason
    (or stops a strict read); other files are not read; a symbol in two files is refused."""
    folder = tmp_path / "Stocks"
    folder.mkdir()
    tables = [ohlcv(120, s, k).drop(columns="symbol") for k, s in enumerate(("AAPL", "IBM"))]
    for name, table in zip(("aapl.us.txt", "ibm.us.txt"), tables, strict=True):
        table.to_csv(folder / name, index=False)
    (folder / "empty.us.txt").write_text("")
    (folder / "README.md").write_text("# the per-ticker files\n")
    long = pd.concat([t.assign(symbol=s) for t, s in zip(tables, ("AAPL", "IBM"), strict=True)])
    long.to_csv(tmp_path / "long.csv", index=False)
    panel = load_panel(folder)
    pd.testing.assert_frame_equal(panel.prices, load_panel(tmp_path / "long.csv").prices)
    assert list(panel.broken) == ["EMPTY"] and "empty.us.txt: expected" in panel.broken["EMPTY"]
    with pytest.raises(StockcasterError, match="empty.us.txt: expected a CSV or Parquet file"):
        load_panel(folder, strict=True)
    ran = CliRunner().invoke(app, ["universe", "--data", str(folder), "--models", "naive",
                                   "--workers", "1", "--out", str(tmp_path / "u"),
                                   "--quiet"])  # fmt: skip
    assert ran.exit_code == 0 and "skipped: EMPTY" in ran.output, ran.output
    import stockcaster.data.readers as readers

    read, reading = [], readers.read_cells
    monkeypatch.setattr(readers, "read_cells", lambda f: read.append(f) or reading(f))
    shown = CliRunner().invoke(app, ["inspect", str(folder)])
    said = " ".join(shown.output.split())
    assert shown.exit_code == 0 and "240 rows · 2 symbols" in said, shown.output
    assert "note: EMPTY set aside: " in said and "empty.us.txt: expected" in said
    assert sorted(f.name for f in read) == ["aapl.us.txt", "empty.us.txt", "ibm.us.txt"]  # once
    tables[0].to_csv(folder / "aapl.csv", index=False)
    with pytest.raises(StockcasterError, match="expected each symbol in one file, received AAPL"):
        load_panel(folder)
    for file in folder.iterdir():
        file.unlink()
    with pytest.raises(StockcasterError, match="received a folder without one"):
        load_panel(folder)


def test_a_symbol_is_matched_regardless_of_case_where_the_file_spells_it_one_way(tmp_path):
    """`--symbol aapl` of a file of AAPL was "expected a symbol in the file ..., received
    'aapl'; did you mean AAPL?", and `--symbols aapl` of a panel the same: a ticker is the
    same in any case at every exchange and price site. A file holding two spellings of it
    is still asked which."""
    from stockcaster.data.panel import select_symbols

    path = write_kaggle(tmp_path / "p.csv", pd.concat([ohlcv(40, "AAPL"), ohlcv(40, "msft", 1)]))
    table = load_prices(path)
    assert select_symbol(table, "aapl", "p.csv")["symbol"].unique().tolist() == ["AAPL"]
    assert select_symbol(table, "MSFT", "p.csv")["symbol"].unique().tolist() == ["msft"]
    assert select_symbols(load_panel(path), ["aapl", "Msft"]) == ["AAPL", "msft"]
    both = write_kaggle(tmp_path / "two.csv", pd.concat([ohlcv(40, "AAPL"), ohlcv(40, "aapl", 1)]))
    with pytest.raises(StockcasterError, match="received 'Aapl'; did you mean AAPL"):
        select_symbol(load_prices(both), "Aapl", "two.csv")


def test_a_dataframe_in_memory_reads_as_its_file_would(tmp_path):
    """A notebook's prices are a DataFrame (yfinance's `yf.download`, its columns a field and
    a ticker; `Ticker.history()`, its dates a time-zone-aware index): `load_prices(df)` and
    `Source(df)` were "TypeError: expected str, bytes or os.PathLike object, not DataFrame".
    They read as the same table its CSV gives, a bad value named by its row (iloc's); so does
    a Series of closes, and a frame whose dates are an unnamed index."""
    from stockcaster.jobs.envelope import Source
    from stockcaster.jobs.requests import preset
    from stockcaster.jobs.run import run

    one, two = ohlcv(60, "MSFT").round(6), ohlcv(60, "AAPL", 1).round(6)
    write_kaggle(tmp_path / "both.csv", pd.concat([one, two]))
    fields = ["close", "high", "low", "open", "volume"]
    download = pd.concat({t.symbol.iloc[0]: t.set_index("date")[fields] for t in (one, two)},
                         axis=1).swaplevel(axis=1)  # fmt: skip
    download.columns = download.columns.set_names(["Price", "Ticker"]).set_levels(
        [f.title() for f in download.columns.levels[0]], level=0)  # fmt: skip
    expected = load_prices(tmp_path / "both.csv")
    pd.testing.assert_frame_equal(load_prices(download), expected[load_prices(download).columns],
                                  check_dtype=False)  # fmt: skip
    assert load_panel(download).symbols == ["AAPL", "MSFT"]
    grouped = download.swaplevel(axis=1)  # `group_by="ticker"`: the tickers' level first
    pd.testing.assert_frame_equal(load_prices(grouped), load_prices(download))
    history = one.drop(columns="symbol").set_index("date")
    history.index = history.index.tz_localize("America/New_York")  # Ticker.history()'s dates
    table = load_prices(history, symbol="MSFT")
    assert table["date"].tolist() == one["date"].tolist() and table["symbol"].unique() == ["MSFT"]
    assert load_prices(download.xs("Close", axis=1, level=0))["close"].tolist() == (
        expected["close"].tolist())  # a column of closes per ticker  # fmt: skip
    history.iloc[7, history.columns.get_loc("close")] = -1.0
    said = "DataFrame row 7: expected a positive price in column 'close' for PRICES, received -1"
    with pytest.raises(StockcasterError, match=said):
        load_prices(history)
    # a Series of closes, an unnamed index of dates or of periods, a repeated column name
    closes = one.set_index("date")["close"]
    for given in (closes, closes.to_frame(), closes.to_frame().to_period("D")):
        assert load_prices(given)["close"].tolist() == one["close"].tolist()
    twice = pd.concat([closes, closes + 1], axis=1).rename_axis("date")
    assert load_prices(twice)["close"].tolist() == one["close"].tolist()  # the first, as a CSV's
    with pytest.raises(StockcasterError, match="expected numbers in column 'close', received "
                                               "bool values"):  # fmt: skip
        load_prices(closes.rename_axis("date").reset_index().assign(close=True))
    done = run(preset("default"), Source(one, "MSFT"), out=tmp_path / "runs", verbose=False,
               model="naive")  # fmt: skip
    recorded = json.loads((done.folder / "metrics.json").read_text())
    assert done.folder.name.startswith("MSFT-naive-") and recorded["source"] == "DataFrame"


def test_a_long_table_indexed_by_date_and_symbol_reads_as_its_columns_would(tmp_path):
    """`load_prices(df.set_index(["date", "symbol"]))` (a panel as pandas keeps one) was
    "TypeError: Must pass list-like as `names`"; a list or an array of numbers was "TypeError:
    expected str, bytes or os.PathLike object"."""
    table = pd.concat([ohlcv(60, "MSFT"), ohlcv(60, "AAPL", 1)])
    expected = load_prices(table)
    for index in (["date", "symbol"], ["symbol", "date"]):
        pd.testing.assert_frame_equal(load_prices(table.set_index(index)), expected)
    closes = table.set_index(["date", "symbol"])["close"]  # a stacked Series of closes
    assert load_prices(closes)["close"].tolist() == expected["close"].tolist()
    with pytest.raises(StockcasterError, match=re.escape(
            "DataFrame: expected an index of 2 levels named as columns are (date, symbol), "
            "received levels named [None, None]")):  # fmt: skip
        load_prices(table.set_index(["date", "symbol"]).rename_axis([None, None]))
    for given, kind in (([1.0, 2.0], "list"), (np.ones((3, 2)), "ndarray")):
        for read in (load_prices, load_panel):
            with pytest.raises(StockcasterError, match="prices: expected a file's path, a "
                               f"pandas DataFrame or a Series, received {kind}$"):  # fmt: skip
                read(given)


def test_a_python_caller_s_epochs_are_whole_numbers():
    """`preset("default", epochs="5")` was "TypeError: '<' not supported", and 2.5 or True
    epochs were taken (Keras trained True as 1 epoch)."""
    from stockcaster.jobs.requests import preset

    assert preset("default", epochs=3).training.epochs == 3
    for given in ("5", 2.5, True):
        with pytest.raises(StockcasterError, match=f"expected epochs >= 1, received "
                                                   f"epochs={given!r}"):  # fmt: skip
            preset("default", epochs=given)
