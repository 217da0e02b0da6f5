"""Datasets shipped with stockcaster, so that it runs offline on a fresh machine."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from stockcaster.data import parse_prices
from stockcaster.data.readers import RawPrices

MSFT_SOURCE = "embedded MSFT (pmdarima)"


def load_msft() -> pd.DataFrame:
    """Microsoft daily prices, 2010-01-04 .. 2016-12-30 (1,762 trading days).

    The rows are the 2010-2016 slice of the MSFT history that the `pmdarima` package
    ships (`pmdarima.datasets.load_msft`, MIT licence), written in stockcaster's column
    names. Its prices are adjusted for dividends, so they sit below the as-traded closes
    of the Kaggle NYSE file.

    Returns:
        A validated price table (date, symbol, open, high, low, close, volume).
    """
    data = resources.files(__name__).joinpath("msft_2010_2016.csv.gz")
    with resources.as_file(data) as path:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return parse_prices(RawPrices(frame=frame, source=MSFT_SOURCE, first_line=2, unit="line"))
