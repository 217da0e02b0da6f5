"""Numbers as price sites write them: "$61.09" (Nasdaq.com's historical prices), "2,595.40"
and "26.02M" (Investing.com's).

A column is read this way only when Arrow's cast of plain numbers left a cell unread and
every present cell is written so: an optional minus, currency sign ($ € £ ¥), digits
grouped by thousands commas, a decimal point, and (in the volume only) K, M or B for a
thousand, a million and a billion. A comma is never guessed to be a decimal one: "1,234"
is 1234 only beside a cell that shows the column's decimal mark is a point ("2,595.40",
"999.5") or holds a second group ("1,234,567"); a column whose commas could be either is
refused, naming a line, as dates that read both as month/day and day/month are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from stockcaster import columns as C
from stockcaster.errors import StockcasterError

_PATTERN = (
    r"^(?P<minus>-?)\s*[$€£¥]?\s*(?P<minus_after>-?)"
    r"(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?\s*(?P<unit>[KMB]?)$"
)
_UNITS = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9}


def written_numbers(
    values: pd.Series, cells: pd.Series, missing: pd.Series, where: Callable[[int], str]
) -> pd.Series:
    """`values` (the column as plain numbers: NaN where a present cell was not one), with
    each cell a price site writes so read as it means.

    Args:
        values: the column as `validate.to_numbers` read it.
        cells: its cells as read.
        missing: which cells hold no value.
        where: names a row's place ("FILE line N") from its position.

    Returns:
        The column; NaN still where a present cell is no number, written either way.

    Raises:
        StockcasterError: commas that could be thousands or decimal marks, naming a line.
    """
    unread = (values.isna() & ~missing).to_numpy()
    if not unread.any() or cells.dtype != object and not isinstance(cells.dtype, pd.ArrowDtype):
        return values
    present = ~missing.to_numpy()
    parts = cells[present].astype(str).str.strip().str.extract(_PATTERN)
    units = parts["unit"].fillna("")
    twice = (parts["minus"] == "-") & (parts["minus_after"] == "-")  # "-$-5"
    suffixed = (units > "") & (cells.name != C.VOLUME)  # K, M, B: in a volume only
    parts[twice | suffixed] = np.nan
    grouped = parts["digits"].str.contains(",", na=False).to_numpy()
    told = parts["fraction"].notna().any() or (parts["digits"].str.count(",") > 1).any()
    if grouped.any() and not told:
        at = int(np.flatnonzero(present)[np.flatnonzero(grouped)[0]])
        raise StockcasterError(
            f"{where(at)}: expected numbers whose decimal mark can be told, received "
            f"{cells.iloc[at]!r} in {C.label(cells.name)}, which reads as thousands or as a "
            "decimal comma (write the numbers without thousands commas)"
        )
    sign = parts["minus"].fillna("") + parts["minus_after"].fillna("")
    plain = sign + parts["digits"].str.replace(",", "") + parts["fraction"].fillna("")
    text = pa.array(plain.to_numpy(dtype=object), pa.string(), from_pandas=True)  # NaN: null
    number = pc.cast(text, pa.float64())
    read = np.full(len(cells), np.nan)
    read[present] = number.to_numpy(zero_copy_only=False) * units.map(_UNITS).to_numpy()
    kept = np.where(unread, read + 0.0, values.to_numpy())  # -0 is 0; plain cells as read
    return pd.Series(kept, index=cells.index, name=cells.name)
