"""Lag windows: the `lookback` values before day t are the inputs, day t is the target."""

from __future__ import annotations

from typing import Literal

import numpy as np

from stockcaster.errors import StockcasterError

Layout = Literal["timesteps", "features"]
LAYOUTS: tuple[str, ...] = ("timesteps", "features")


def lag_windows(
    series: np.ndarray, days: np.ndarray, lookback: int, layout: Layout = "timesteps"
) -> tuple[np.ndarray, np.ndarray]:
    """Cut the windows that forecast `series` on each of `days`.

    Args:
        series: the (scaled) target series, one value per row.       # [rows]
        days: rows to forecast; each needs `lookback` rows before it.
        lookback: number of lags.
        layout: "timesteps" gives `[samples, lookback, 1]` (one value per step);
            "features" gives `[samples, 1, lookback]`, the lags side by side in one step,
            as the reference notebook reshapes them.

    Returns:
        `(x, y)`: x `[samples, *input_shape]` float32, y `[samples]` float32.

    Raises:
        StockcasterError: `lookback` < 1, or a day without `lookback` rows before it.
    """
    if lookback < 1:
        raise StockcasterError(f"expected lookback >= 1, received lookback={lookback}")
    days = np.asarray(days, dtype=np.int64)
    if days.size and days.min() < lookback:
        raise StockcasterError(
            f"expected every forecast day to have {lookback} rows before it, "
            f"received day {int(days.min())}"
        )
    offsets = np.arange(-lookback, 0)  # [lookback]
    x = series[days[:, None] + offsets[None, :]]  # [samples, lookback]
    y = series[days]  # [samples]
    # "timesteps": [samples, lookback, 1]; "features": [samples, 1, lookback]
    x = x[:, :, None] if layout == "timesteps" else x[:, None, :]
    return x.astype("float32"), y.astype("float32")
