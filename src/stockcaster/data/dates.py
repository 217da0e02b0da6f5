"""What a date cell may look like: ISO 8601 (with a time and its UTC offset or not), the
other forms exports write (`30/12/2016`, `Dec 30, 2016`, `20161230`, ...), Excel's serial
day numbers (a date cell formatted as a number) and, from crypto exchanges' APIs, Unix
timestamps in seconds or milliseconds at midnight UTC.

A file's dates are read in one form, every cell alike: a form whose day/month swap reads
every cell too is refused, not guessed, as is a timestamp whose day depends on a time zone.
"""

from __future__ import annotations

import pandas as pd

from stockcaster.errors import StockcasterError

# Date formats tried, in order, when a file's dates are not ISO 8601. A format and the one
# with day and month swapped that both read every cell are refused, not guessed; a two-digit
# year is Python's (69-99: 1900s), and a date that has not come yet is refused.
_OTHER_DATE_FORMATS = (
    "%m/%d/%Y", "%d/%m/%Y", "%m-%d-%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d", "%d-%b-%Y",
    "%b %d, %Y", "%d %b %Y", "%b %d %Y", "%B %d, %Y", "%d %B %Y",
    "%m/%d/%y", "%d/%m/%y", "%d.%m.%y", "%d-%b-%y",
)  # fmt: skip

# A time of day after a date of another form than ISO's (Google Sheets' `1/4/2010 16:00:00`,
# Excel's `1/4/2010 4:00:00 PM`, `04.01.2010 00:00`): dropped, as an ISO date's is.
_TIME_OF_DAY = r"[ T]+\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?$"

# Excel's day numbers: days since 1899-12-30 (its 1900 leap-year bug left in its count),
# read from 20000 (1954-10-03) to 79999 (2119-01-10), maybe with a time as a fraction.
_SERIAL = r"\d{5}(?:\.\d*)?"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")

# Unix timestamps by their digits: seconds (9-10, 1973-2286) or milliseconds (12-13).
_EPOCH_UNITS = {9: "s", 10: "s", 12: "ms", 13: "ms"}

# A time's UTC offset ("Z", "-05:00", "+0900"), as yfinance's CSVs write after each date.
_UTC_OFFSET = r"(?<=\d:\d\d)(?:\.\d+)?\s*(?:Z|[+-]\d\d(?::?\d\d)?)$"


def dates_in_one_format(source: str, text: pd.Series) -> pd.Series:
    """Parse distinct date cells (stripped text): ISO dates, or else the one other format
    that reads every cell, or else Excel's day numbers or Unix timestamps; NaT where none
    reads a cell.

    Raises:
        StockcasterError: dates that read both as month/day and day/month, or timestamps
            off midnight UTC: a wrong guess would silently move the history's days.
    """
    iso = iso_dates(text)
    if iso.notna().any() or text.empty:
        return iso  # ISO dates, or no date at all (reported as missing values)
    text = text.str.replace(_TIME_OF_DAY, "", regex=True)
    read = {fmt: pd.to_datetime(text, format=fmt, errors="coerce") for fmt in _OTHER_DATE_FORMATS}
    fits = [fmt for fmt, dates in read.items() if dates.notna().all()]
    swapped = {f.replace("%m", "%M").replace("%d", "%m").replace("%M", "%d") for f in fits}
    if set(fits) & swapped:
        raise StockcasterError(
            f"{source}: expected dates whose day and month can be told apart, received "
            f"dates like {text.iloc[0]!r} that read both as month/day and "
            "day/month; write them as YYYY-MM-DD"
        )
    if fits:
        return read[fits[0]]
    numbered = _excel_serials(text)
    if numbered is None:
        numbered = _epoch_dates(source, text)
    if numbered is not None:
        return numbered
    return pd.to_datetime(text, format="ISO8601", errors="coerce")  # ISO with "4:00:00 PM"


def _excel_serials(text: pd.Series) -> pd.Series | None:
    """Excel's serial day numbers (a date cell formatted as a number: `42734` is 2016-12-30,
    `42734.666` its 4 pm), when every cell is one of 1954-2119; None for cells of another
    kind."""
    if not text.str.fullmatch(_SERIAL).all():
        return None
    days = text.astype("float64")
    if not ((days >= 20_000) & (days < 80_000)).all():
        return None
    return (_EXCEL_EPOCH + pd.to_timedelta(days.floordiv(1), unit="D")).astype("datetime64[ns]")


def iso_dates(text: pd.Series) -> pd.Series:
    """ISO 8601 date cells (stripped text) as datetime64[ns], NaT where a cell is none.

    A time with a UTC offset keeps its own local day: a close belongs to the exchange's
    date, not to the UTC date it falls on, and a file of New York closes holds two offsets
    (-05:00 in winter, -04:00 in summer), which pandas would leave unparsed.
    """
    local = text.str.replace(_UTC_OFFSET, "", regex=True)
    return pd.to_datetime(local, format="ISO8601", errors="coerce")


def _epoch_dates(source: str, text: pd.Series) -> pd.Series | None:
    """Unix timestamps of one unit (every cell whole digits, of one length), as their UTC
    days, as a crypto exchange's daily bars are stamped; None for cells of another kind.

    Raises:
        StockcasterError: a timestamp off midnight UTC, whose day is its exchange's time
            zone's (a European stock's midnight is 23:00 UTC the day before).
    """
    lengths = text.str.len()
    unit = _EPOCH_UNITS.get(int(lengths.iloc[0]))
    if unit is None or not text.str.fullmatch(r"\d+").all() or lengths.nunique() != 1:
        return None
    stamps = pd.to_datetime(text.astype("int64"), unit=unit)
    off = stamps != stamps.dt.normalize()
    if off.any():
        first = text[off].iloc[0]
        raise StockcasterError(
            f"{source}: expected Unix timestamps at midnight UTC (a day's bar), received "
            f"{first!r}, {stamps[off].iloc[0]:%Y-%m-%d %H:%M} UTC, whose day depends on the "
            "exchange's time zone; write the dates as YYYY-MM-DD"
        )
    return stamps.astype("datetime64[ns]")
