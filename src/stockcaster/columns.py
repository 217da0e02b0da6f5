"""Column names of stockcaster's tables, named once."""

DATE = "date"
SYMBOL = "symbol"
OPEN = "open"
HIGH = "high"
LOW = "low"
CLOSE = "close"
VOLUME = "volume"
ADJ_CLOSE = "adj_close"

PRICE_COLUMNS = (OPEN, HIGH, LOW, CLOSE, ADJ_CLOSE)
"""Columns that hold prices: each must be positive."""

NUMERIC_COLUMNS = (*PRICE_COLUMNS, VOLUME)
PRICE_TABLE_COLUMNS = (DATE, SYMBOL, OPEN, HIGH, LOW, CLOSE, VOLUME, ADJ_CLOSE)
"""Canonical order of the price table; only `date`, `symbol` and `close` are required."""

REQUIRED_COLUMNS = (DATE, SYMBOL, CLOSE)

# The forecast table: one row per forecast day.
HORIZON = "horizon"
ACTUAL = "actual"
YHAT = "yhat"
NAIVE = "naive"
LO = "lo"  # lower end of the forecast interval (the lowest quantile)
HI = "hi"  # upper end (the highest quantile)
