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
COVARIATE = "covariate:"  # a covariate's column in the price table: "covariate:<its name>"
COVARIATE_FILE = COVARIATE + "@file"  # a column mapping's entry: covariates from that file
"""Canonical order of the price table; only `date`, `symbol` and `close` are required."""

REQUIRED_COLUMNS = (DATE, SYMBOL, CLOSE)

# The forecast table: one row per forecast day (and model and origin).
MODEL = "model"
ORIGIN = "origin"  # the last day whose close the forecast knew
HORIZON = "horizon"  # trading days from the origin to the forecast day
ACTUAL = "actual"
YHAT = "yhat"
NAIVE = "naive"  # the naive forecast: the close at the origin
LO = "lo"  # lower end of the forecast interval (the lowest quantile)
HI = "hi"  # upper end (the highest quantile)
ERROR = "error"
STAGE = "stage"  # where a model failed: "fit" or "predict"

FORECAST_COLUMNS = (DATE, SYMBOL, MODEL, ORIGIN, HORIZON, YHAT, ACTUAL, LO, HI)
"""The forecast table of a walk-forward (backtest.csv, `walk_forward`)."""

# The other forecast tables are views of it, with the columns their file has always had:
RUN_FORECAST_COLUMNS = (DATE, SYMBOL, HORIZON, ACTUAL, YHAT, NAIVE)  # run: predictions.csv
FUTURE_FORECAST_COLUMNS = (DATE, SYMBOL, HORIZON, YHAT, LO, HI)  # predict: forecast.csv (+ q*)
STORED_FORECAST_COLUMNS = (SYMBOL, MODEL, DATE, YHAT, ACTUAL, NAIVE)  # the results store
PANEL_FORECAST_COLUMNS = (SYMBOL, DATE, YHAT)  # a panel model's one-step forecasts
FAILURE_COLUMNS = (MODEL, ORIGIN, STAGE, ERROR)  # windows on which a model failed


def label(name: str) -> str:
    """A column of the price table as a message names it: a covariate by the name the user
    gave (`--covariates`), not its `covariate:` column."""
    if name.startswith(COVARIATE):
        return f"covariate {name.removeprefix(COVARIATE)!r}"
    return f"column {name!r}"
