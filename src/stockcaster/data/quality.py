"""What a price table's closes say about themselves: each symbol's largest one-day move and
longest gap between rows, the moves that look like a split the prices were not adjusted
for, a one-day spike that reverts (a bad tick), rows further apart than a day's (weekly or
monthly prices), the gaps longer than a month, a close unchanged for two weeks of rows (a
halt, or prices carried forward), weekend rows that repeat Friday's close; in a panel, one
series under two symbols' names, and a symbol on a calendar of its own among the others.

An unadjusted 7:1 split reads as a day that lost 86%: every return-based feature, scaler
and score would take it for a crash. Kaggle's NYSE `prices.csv` (the reference post's file)
holds such days; its `prices-split-adjusted.csv`, Yahoo's adjusted closes and `fetch`'s
default prices do not. The prices are not changed here, only described: a real crash can
look like a split too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcaster import columns as C

SPLIT_RATIOS = (2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 25, 50, 100)  # k-for-1 and 1-for-k
_CLOSE_TO = 0.03  # a close within 3% of k or 1/k times the one before
_SPIKE = 1.5  # a close this many times both neighbours' (or 1/1.5 of them): a one-day spike
STILL_ROWS = 10  # rows in a row with one close: two weeks of sessions (the shared panel: 5 at most)
_BY_CHANCE = 0.05  # runs so long expected from a symbol's other unchanged closes: not noted
LONG_GAP_DAYS = 31  # calendar days without a row: more than any exchange's holidays
_ROUNDING = 1e-6  # a price this share beyond its day's range is taken to fit it
_NAMES_SHOWN = 5  # names of one series listed, then how many more


def symbol_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per symbol, sorted: its first and last day, rows, lowest, highest and last close, the
    mean and deviation of its daily returns (in %), its largest one-day move (in %, signed)
    and its longest gap between consecutive rows (`longest_gap`, calendar days); a symbol of
    one row has no returns, no move and no gap (NaN). One pass over all symbols at once."""
    rows = table.sort_values([C.SYMBOL, C.DATE], kind="stable")
    by = rows.groupby(C.SYMBOL, sort=True)
    returns = 100 * by[C.CLOSE].pct_change()
    gaps = by[C.DATE].diff().dt.days
    largest = returns.abs().groupby(rows[C.SYMBOL]).idxmax().dropna()
    summary = pd.DataFrame({
        "first": by[C.DATE].first(), "last": by[C.DATE].last(), "rows": by.size(),
        "min": by[C.CLOSE].min(), "max": by[C.CLOSE].max(), "last_close": by[C.CLOSE].last(),
        "mean_pct": returns.groupby(rows[C.SYMBOL]).mean(),
        "sd_pct": returns.groupby(rows[C.SYMBOL]).std(),
        "largest_pct": pd.Series(returns[largest].to_numpy(), index=largest.index),
        "longest_gap": gaps.groupby(rows[C.SYMBOL]).max(),
    })  # fmt: skip
    return summary.rename_axis(C.SYMBOL).reset_index()


def _longest_gap(dates: np.ndarray) -> tuple[int, int] | None:
    """The most calendar days between two consecutive `dates`, and the row before them;
    None for fewer than two rows."""
    gaps = np.diff(dates).astype("int64")
    if not len(gaps):
        return None
    at = int(np.argmax(gaps))
    return int(gaps[at]), at


def _longest_still(close: np.ndarray) -> tuple[int, int] | None:
    """The most consecutive rows with one close, and the first of them, where they are
    `STILL_ROWS` or more and chance would not give them: a coarse tick leaves half a penny
    stock's closes unchanged, and runs of 10 among them; None otherwise."""
    changed = np.diff(close) != 0
    bounds = np.concatenate([[0], np.flatnonzero(changed) + 1, [len(close)]])
    lengths = np.diff(bounds)  # each run of one close
    at = int(np.argmax(lengths)) if len(lengths) else 0
    if not len(lengths) or lengths[at] < STILL_ROWS:
        return None
    repeats = int(lengths[at]) - 1  # the run's unchanged closes
    others = (len(changed) - changed.sum() - repeats) / max(len(changed) - repeats, 1)
    if len(changed) * others**repeats >= _BY_CHANCE:  # the expected count of such runs
        return None
    return int(lengths[at]), int(bounds[at])


def _carried_weekends(close: np.ndarray, dates: np.ndarray) -> int:
    """How many Saturday and Sunday rows repeat the close before them, where 9 in 10 of at
    least `STILL_ROWS` weekend rows do and fewer than half the weekday rows (a stock's file
    with its weekends carried forward; a cryptocurrency's weekend closes move, and a
    stablecoin's repeat on every day); 0 otherwise."""
    weekend, same = ~np.is_busday(dates[1:]), close[1:] == close[:-1]  # Saturday, Sunday
    repeated, weekdays = int(same[weekend].sum()), same[~weekend]
    carried = weekend.sum() >= STILL_ROWS and repeated >= 0.9 * weekend.sum()
    return repeated if carried and len(weekdays) and weekdays.mean() < 0.5 else 0


def _spikes(close: np.ndarray) -> np.ndarray:
    """Rows whose close is `_SPIKE` times both neighbours' (or 1 / `_SPIKE` of them) while
    those two are within 10% of each other: a one-day spike that reverts, a bad tick (the
    shared panel's 437 symbols have none)."""
    before, mid, after = close[:-2], close[1:-1], close[2:]
    high = np.minimum(mid / before, mid / after)
    low = np.minimum(before / mid, after / mid)
    back = np.abs(after / before - 1) < 0.1
    return np.flatnonzero(((high >= _SPIKE) | (low >= _SPIKE)) & back) + 1


def _move_note(symbol: str, close: np.ndarray, dates: np.ndarray) -> str | None:
    """The first day `symbol`'s close moved by a split's ratio, as a sentence, or else its
    first one-day spike (`_spikes`: a move that reverts is no split); None."""
    ratio = close[1:] / close[:-1]
    times = np.where(ratio < 1, 1 / ratio, ratio)  # k for a k-for-1 split or its reverse
    k = np.rint(times)
    spikes = _spikes(close)
    hit = np.isin(k, SPLIT_RATIOS) & (np.abs(times / k - 1) < _CLOSE_TO)
    hit = np.flatnonzero(hit & ~np.isin(np.arange(len(ratio)), np.r_[spikes - 1, spikes]))
    if len(spikes) and (not len(hit) or spikes[0] - 1 < hit[0]):
        at = int(spikes[0])
        move = close[at] / close[at - 1] - 1
        return (
            f"{symbol}'s close on {dates[at]}, {close[at]:g}, is {move:+.1%} from the day "
            "before's and back the day after (a bad tick?): every return-based feature and "
            "score reads both moves as real"
        )
    if not len(hit):
        return None
    at, n = hit[0], int(k[hit[0]])
    kind = f"{n}-for-1 split" if ratio[at] < 1 else f"1-for-{n} reverse split"
    return (
        f"{symbol}'s close moved {ratio[at] - 1:+.1%} on {dates[at + 1]}, as a {kind} "
        "would: if the prices are not adjusted for splits, use ones that are (a "
        "split-adjusted file, or `fetch`'s adjusted prices)"
    )


def _repeated(symbol: str, close: np.ndarray, dates: np.ndarray) -> list[str]:
    """Sentences on closes that repeat the one before where prices would move: weekends
    carried forward, and a stretch of one close (`_longest_still`)."""
    said = []
    carried = _carried_weekends(close, dates)
    if carried:
        said.append(
            f"{symbol}'s {carried:,} Saturday and Sunday rows repeat the close before them "
            "(weekends carried forward?): naive forecasts each of them exactly, and an "
            "exchange's prices have no such rows"
        )
    still = _longest_still(close)
    if still is not None:
        n, at = still
        said.append(
            f"{symbol}'s close is {close[at]:g} on {n} rows in a row, {dates[at]} to "
            f"{dates[at + n - 1]} (a halt, or prices carried forward?): naive forecasts "
            "each of those days exactly, and EWMA and GARCH read them as calm days"
        )
    return said


def same_series(table: pd.DataFrame) -> list[str]:
    """Sentences on symbols whose rows hold the same days and closes as another's: one series
    under two names (a ticker's aliases, or one file appended again under another name),
    which a panel would count twice. The shared panel's 437 symbols have none.

    Each symbol's rows are summed as hashes first (one pass over the table); only symbols
    whose sums agree are then compared, by their days' and closes' bytes."""
    rows = table[[C.SYMBOL, C.DATE, C.CLOSE]].sort_values([C.SYMBOL, C.DATE], kind="stable")
    hashed = pd.util.hash_pandas_object(rows[[C.DATE, C.CLOSE]], index=False)
    by = hashed.groupby(rows[C.SYMBOL].to_numpy(), sort=True)
    keys = pd.DataFrame({"sum": by.sum(), "n": by.size()})
    alike = rows[rows[C.SYMBOL].isin(keys.index[keys.duplicated(keep=False)])]
    series: dict[bytes, list] = {}
    for symbol, mine in alike.groupby(C.SYMBOL, sort=True):
        days = mine[C.DATE].to_numpy(dtype="datetime64[ns]").tobytes()
        series.setdefault(days + mine[C.CLOSE].to_numpy("float64").tobytes(), []).append(symbol)
    return [
        f"{_listed(names)} hold the same closes on the same {by.size()[names[0]]:,} days (one "
        f"series under {len(names)} names?): every figure across symbols counts it "
        f"{'twice' if len(names) == 2 else f'{len(names):,} times'}, and a book can buy it "
        "under one name and sell it under another"
        for names in series.values()
        if len(names) > 1
    ]


def own_days(table: pd.DataFrame) -> list[str]:
    """Sentences on symbols with rows on many days most of the others lack (a
    cryptocurrency's weekends in a panel of stocks), over the span all of them cover: a
    day's cross-section then sets a return to that symbol's next row beside returns to the
    others' next, over other days. A foreign listing's few holidays of its own (under a
    tenth of its rows) are not noted."""
    by = table.groupby(C.SYMBOL, sort=True)[C.DATE]
    if by.ngroups < 2:
        return []
    span = table[table[C.DATE].between(by.min().max(), by.max().min())]
    sparse = span.groupby(C.DATE)[C.SYMBOL].transform("size") <= by.ngroups / 2
    counts = sparse.groupby(span[C.SYMBOL]).agg(["sum", "size"])
    own = counts[(counts["sum"] >= STILL_ROWS) & (counts["sum"] > 0.1 * counts["size"])]
    return [
        f"{symbol} has rows on {int(row['sum']):,} days most of the {by.ngroups} symbols lack "
        f"(the first {span.loc[sparse & (span[C.SYMBOL] == symbol), C.DATE].min():%Y-%m-%d}; "
        "another calendar?): a day's cross-section compares its return to its next row with "
        "theirs to their next, over other days"
        for symbol, row in own.iterrows()
    ]


def _listed(names: list) -> str:
    """`A, B and C`, or the first `_NAMES_SHOWN` and how many more."""
    names = [str(n) for n in names]
    if len(names) > _NAMES_SHOWN:
        return f"{', '.join(names[:_NAMES_SHOWN])} and {len(names) - _NAMES_SHOWN:,} more"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def price_notes(table: pd.DataFrame, limit: int = 5) -> list[str]:
    """Sentences on what the closes say about themselves: each symbol whose close moved in a day by
    a split's ratio (within 3% of k or 1/k times the close before, k in `SPLIT_RATIOS`; its
    first such day) or by a one-day spike (`_spikes`), each with more than `LONG_GAP_DAYS`
    calendar days between two rows (its longest gap), each whose close stays one value for
    `STILL_ROWS` rows or more (its longest such stretch) or whose weekend rows repeat the
    close before them, and each with days whose prices do not fit their own low-high range
    (`out_of_range`); first, the symbols that hold one series under two names
    (`same_series`) or trade on days the others do not (`own_days`). At most `limit`, then
    how many more."""
    notes = same_series(table) + own_days(table)
    for symbol, mine in table.groupby(C.SYMBOL, sort=True):
        close = mine[C.CLOSE].to_numpy(dtype="float64")
        dates = mine[C.DATE].to_numpy(dtype="datetime64[D]")
        moved = _move_note(symbol, close, dates)
        notes += [moved] if moved else []
        spacing = _spacing(dates)
        if spacing is not None:
            kind = _KINDS.get(spacing, "not daily")
            notes.append(
                f"{symbol}'s rows are {spacing} days apart at the median ({kind} prices?): "
                f"each forecast, naive's too, is of its next row, {spacing} days on, not of "
                "the next day"
            )
        notes += _repeated(symbol, close, dates)
        gap = _longest_gap(dates)
        if gap is not None and gap[0] > LONG_GAP_DAYS:
            days, at = gap
            notes.append(
                f"{symbol} has no row for {days:,} days, from {dates[at]} to {dates[at + 1]}: "
                "its returns across the gap read as one day's"
            )
        unfit = out_of_range(mine)
        if unfit is not None:
            notes.append(f"{symbol}'s {unfit}: a day's variance from its range, and the ohlcv "
                         "and technical features, read them as they are")  # fmt: skip
    if len(notes) > limit:
        return [*notes[:limit], f"and {len(notes) - limit} more such notes"]
    return notes


# Calendar days between rows, at the median, beyond which prices are not daily: a daily
# series' is 1 (3 over a weekend, 4 over a holiday's), a weekly one's 7, a monthly one's 30.
_DAILY_SPACING = 4
_KINDS = (
    {7: "weekly", 14: "fortnightly"}
    | dict.fromkeys(range(28, 32), "monthly")
    | dict.fromkeys(range(89, 93), "quarterly")
)


def _spacing(dates: np.ndarray) -> int | None:
    """The median calendar days between a symbol's rows where that is more than a daily
    series' (`_DAILY_SPACING`), so they are not daily prices; None for daily ones, or for
    fewer than 3 rows."""
    if len(dates) < 3:
        return None
    median = float(np.median(np.diff(dates).astype("int64")))
    return int(round(median)) if median > _DAILY_SPACING else None


def out_of_range(mine: pd.DataFrame) -> str | None:
    """Where one symbol's prices do not fit their day's range: a high below the low, or an
    open or close outside low .. high (beyond a millionth, a rounding's room); None where
    every day fits, or the table has no high and low. Scraped and hand-made files have such
    days; an exchange's and Yahoo's (adjusted or not) do not."""
    if C.HIGH not in mine.columns or C.LOW not in mine.columns:
        return None
    high, low = (mine[c].to_numpy(dtype="float64") for c in (C.HIGH, C.LOW))
    room = _ROUNDING * high
    checks = [("high", high, "below the low", low, high < low - room)]
    for name in (C.OPEN, C.CLOSE):
        if name in mine.columns:
            value = mine[name].to_numpy(dtype="float64")
            checks += [(name, value, "above the high", high, value > high + room),
                       (name, value, "below the low", low, value < low - room)]  # fmt: skip
    bad = np.logical_or.reduce([check[-1] for check in checks])
    if not bad.any():
        return None
    at = int(np.argmax(bad))
    name, value, where, bound, _ = next(c for c in checks if c[-1][at])
    day = mine[C.DATE].to_numpy(dtype="datetime64[D]")[at]
    n = int(bad.sum())
    return (f"prices do not fit their day's range on {n:,} day{'s' * (n > 1)} (the first {day}: "
            f"{name} {value[at]:.6g} {where} {bound[at]:.6g})")  # fmt: skip
