"""Numbers as price sites write them: "$61.09" (Nasdaq.com's historical prices), "2,595.40"
and "26.02M" (Investing.com's), "62,14" and "2.595,40" (its European sites'), "10 012,58"
(French sites', a space or a no-break space between thousands) and "10'012.58" (Swiss).

A column is read this way only where Arrow's cast of plain numbers left a cell unread: an
optional minus and currency sign ($ € £ ¥), digits grouped by thousands, a decimal mark,
and (in the volume only) K, M or B for a thousand, a million and a billion. The marks are
a column's, never guessed: "1,234" is 1234 only beside a cell that only the point-decimal
reading reads ("2,595.40", "999.5", "1,234,567"), and 1.234 only beside one that only the
comma-decimal reading reads ("62,14", "2.595,40"); a column that reads both ways with
different numbers is refused, naming a line, as dates that read both as month/day and
day/month are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stockcaster import columns as C
from stockcaster.errors import StockcasterError, shown

_NUMBER = (
    r"^(?P<minus>-?)\s*[$€£¥]?\s*(?P<minus_after>-?)"
    r"(?P<digits>{digits})(?P<fraction>{fraction})?\s*(?P<unit>[KMB]?)$"
)
# Thousands marks that are never a decimal mark: a space, French and Swiss sites' (a plain,
# a no-break or a narrow no-break one: "10 012,58") and Swiss apostrophes ("10'012.58").
_SPACES = " \u00a0\u202f'\u2019"
_GROUPS = r"\d{{1,3}}(?:{mark}\d{{3}})+|\d{{1,3}}(?:[" + _SPACES + r"]\d{{3}})+|\d+"
_POINT = _NUMBER.format(digits=_GROUPS.format(mark=","), fraction=r"\.\d+")  # 2,595.40
_COMMA = _NUMBER.format(digits=_GROUPS.format(mark=r"\."), fraction=r",\d+")  # 2.595,40
_UNITS = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9}


def written_numbers(
    values: pd.Series, cells: pd.Series, missing: pd.Series, where: Callable[[int], str]
) -> pd.Series:
    """`values` (the column as plain numbers: NaN where a present cell was not one), with
    each cell a price site writes so read as it means, by the column's decimal mark.

    Args:
        values: the column as `validate.to_numbers` read it.
        cells: its cells as read.
        missing: which cells hold no value.
        where: names a row's place ("FILE line N") from its position.

    Returns:
        The column; NaN still where a present cell is no number, written either way.

    Raises:
        StockcasterError: a column that reads as numbers both ways, naming a line.
    """
    unread = (values.isna() & ~missing).to_numpy()
    if not unread.any() or cells.dtype != object and not isinstance(cells.dtype, pd.ArrowDtype):
        return values
    present = ~missing.to_numpy()
    text = cells[present].astype(str).str.strip()
    volume = cells.name == C.VOLUME
    point, comma = _read(text, _POINT, ",", ".", volume), _read(text, _COMMA, ".", ",", volume)
    only_point = np.isfinite(point) & ~np.isfinite(comma)
    only_comma = np.isfinite(comma) & ~np.isfinite(point)
    if not only_point.any() and not only_comma.any():
        # "1,234": 1234 or 1.234; a plain "110.123" that Arrow read is a decimal point's
        differ = np.isfinite(point) & (point != comma) & unread[present]
        if differ.any():
            at = int(np.flatnonzero(present)[np.argmax(differ)])
            raise StockcasterError(
                f"{where(at)}: expected numbers whose decimal mark can be told, received "
                f"{shown(cells.iloc[at])} in {C.label(cells.name)}, which reads as thousands or as "
                "a decimal comma (write the numbers without thousands marks)"
            )
    read = np.full(len(cells), np.nan)
    if only_comma.sum() > only_point.sum():  # "1.062" beside "62,14" is 1062, not 1.062
        read[present] = comma
        kept = np.where(np.isfinite(read), read + 0.0, values.to_numpy())  # -0 is 0
    else:
        read[present] = point
        kept = np.where(unread, read + 0.0, values.to_numpy())  # plain cells as read
    return pd.Series(kept, index=cells.index, name=cells.name)


def _read(text: pd.Series, pattern: str, group: str, mark: str, volume: bool) -> np.ndarray:
    """Cells written by `pattern` (thousands by `group`, decimals after `mark`) as numbers;
    NaN for any other (a minus twice, K, M or B outside a `volume`)."""
    parts = text.str.extract(pattern)
    units = parts["unit"].fillna("")
    twice = (parts["minus"] == "-") & (parts["minus_after"] == "-")  # "-$-5"
    parts[twice | ((units > "") & (not volume))] = np.nan
    sign = parts["minus"].fillna("") + parts["minus_after"].fillna("")
    fraction = parts["fraction"].fillna("").str.replace(mark, ".")
    plain = sign + parts["digits"].str.replace(f"[{group}{_SPACES}]", "", regex=True) + fraction
    cast = pa.array(plain.to_numpy(dtype=object), pa.string(), from_pandas=True)  # NaN: null
    number = pc.cast(cast, pa.float64()).to_numpy(zero_copy_only=False)
    return number * units.map(_UNITS).to_numpy(dtype="float64")
