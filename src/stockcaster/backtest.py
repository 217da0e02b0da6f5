"""`stockcaster backtest`: every model walked forward over the test period, beside naive.

The steps: load and validate the prices (data/), check the models and the backtest's
fit to the data, walk each model forward (evaluation/backtest.py), score it against naive
with significance, lag and trading figures (evaluation/leaderboard.py), and write the run
folder (reporting/).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.config import RunConfig
from stockcaster.data import FillPolicy
from stockcaster.errors import StockcasterError
from stockcaster.evaluation.backtest import (
    MODEL,
    BacktestConfig,
    check_backtest,
    origin_count,
    walk_forward,
)
from stockcaster.evaluation.leaderboard import benchmark, leaderboard
from stockcaster.models import baselines
from stockcaster.models.base import Forecaster
from stockcaster.models.prophet import ProphetForecaster, prophet_installed
from stockcaster.provenance import command_line, fingerprint, versions
from stockcaster.reporting import run_folder as files
from stockcaster.series import load_series

MODEL_NAMES = ("lstm", "naive", "drift", "ma", "arima", "prophet")


@dataclass(frozen=True)
class BacktestRun:
    """What a backtest leaves: its folder, leaderboard, forecasts and failures."""

    folder: Path
    leaderboard: pd.DataFrame
    forecasts: pd.DataFrame
    failures: pd.DataFrame
    buy_and_hold: dict


def installed_models() -> list[str]:
    """The models this installation can run (Prophet only with its extra)."""
    return [m for m in MODEL_NAMES if m != "prophet" or prophet_installed()]


def parse_models(text: str | None) -> list[str]:
    """Parse `--models lstm,naive,...`; None means every installed model.

    Raises:
        StockcasterError: an unknown or empty name, or Prophet without its extra.
    """
    if text is None:
        return installed_models()
    names = [n.strip().lower() for n in text.split(",")]
    for name in names:
        if name not in MODEL_NAMES:
            raise StockcasterError(
                f"--models: expected names among {', '.join(MODEL_NAMES)}, received {name!r}"
            )
    if "prophet" in names:
        ProphetForecaster()  # raises with the install hint when Prophet is missing
    return list(dict.fromkeys(names))


def forecaster_factory(
    name: str, preset: RunConfig, ma_window: int = 5
) -> Callable[[], Forecaster]:
    """A function that builds a fresh, unfitted forecaster of `name`."""
    if name == "lstm":
        from stockcaster.training.forecaster import LSTMForecaster

        return lambda: LSTMForecaster(preset.features, preset.model, preset.training)
    if name == "prophet":
        return ProphetForecaster
    makers = {
        "naive": baselines.naive,
        "drift": baselines.drift,
        "ma": lambda: baselines.moving_average(ma_window),
        "arima": baselines.arima,
    }
    return makers[name]


def backtest(
    preset: RunConfig,
    config: BacktestConfig,
    data: str | Path | None = None,
    symbol: str | None = None,
    models: list[str] | None = None,
    *,
    cost_bps: float = 5.0,
    ma_window: int = 5,
    columns: Mapping[str, str] | None = None,
    fill: FillPolicy | None = None,
    out: str | Path = "runs",
    progress: Callable[[str, int], Callable[[], None]] | None = None,
) -> BacktestRun:
    """Walk every model forward over one symbol's test period and score it against naive.

    Args:
        preset: the LSTM's config (features, network, training).
        config: horizon, step, refits and window.
        data: a price file; None for the embedded MSFT history.
        symbol: the symbol; None for the only one in the file.
        models: names from `MODEL_NAMES`; None for every installed model.
        cost_bps: trading cost per unit of position change, in basis points.
        ma_window: closes averaged by the moving-average baseline.
        columns, fill: as for `stockcaster run`.
        out: parent folder of the run folder.
        progress: given a model's name and its number of origins, returns the function
            to call after each origin (for a progress bar).

    Raises:
        StockcasterError: bad input, before anything is fitted or written.
    """
    models = models or installed_models()
    prices, source = load_series(data, symbol, columns, fill)
    name = prices[C.SYMBOL].iloc[0]
    if cost_bps < 0:
        raise StockcasterError(f"--cost-bps: expected 0 or more, received {cost_bps}")
    if ma_window < 1:
        raise StockcasterError(f"--ma-window: expected at least 1, received {ma_window}")
    lookback = preset.features.lookback
    min_train = max(30, 3 * lookback + 10) if "lstm" in models else max(30, ma_window + 1)
    check_backtest(config, len(prices), f"{source} symbol {name}", min_train)
    series = pd.Series(
        prices[C.CLOSE].to_numpy(dtype="float64"), index=pd.DatetimeIndex(prices[C.DATE])
    )

    total = origin_count(config, len(series))
    results = [
        walk_forward(
            series,
            name,
            forecaster_factory(m, preset, ma_window),
            config,
            progress(m, total) if progress else None,
        )
        for m in models
    ]
    forecasts = _concat([r.forecasts for r in results])
    failures = _concat([r.failures for r in results])
    train_size = results[0].train_size
    levels = {"lstm": preset.model.quantiles} if preset.model.quantiles else {}
    board = leaderboard(forecasts, series, train_size, cost_bps, levels)
    board = _with_models_that_failed(board, models, failures)
    hold = benchmark(forecasts, series, cost_bps)
    summary = {
        "symbol": name,
        "source": source,
        "preset": preset.name,
        "backtest": asdict(config),
        "cost_bps": cost_bps,
        "ma_window": ma_window,
        "train_size": train_size,
        "test_period": {
            "start": f"{series.index[train_size]:%Y-%m-%d}",
            "end": f"{series.index[-1]:%Y-%m-%d}",
            "days": len(series) - train_size,
        },
        "buy_and_hold": hold,
        "data": fingerprint(series),
        "reproducibility": {
            "command": command_line(),
            "seed": preset.training.seed,
            "versions": versions(),
        },
        "leaderboard": files.records(board),
        "failures": files.records(failures),
    }
    from stockcaster.reporting.backtest_figures import (
        equity_figure,
        error_figure,
        forecasts_figure,
    )

    with files.RunFolder(Path(out), files.new_run_name(name, "backtest")) as folder:
        board.to_csv(folder.path / files.LEADERBOARD_CSV, index=False)
        files.write_json(folder.path / files.LEADERBOARD_JSON, summary)
        forecasts.to_csv(folder.path / files.FORECASTS_FILE, index=False, date_format="%Y-%m-%d")
        forecasts_figure(forecasts, folder.path / files.FORECASTS_FIGURE)
        error_figure(forecasts, folder.path / files.ERRORS_FIGURE)
        equity_figure(forecasts, series, cost_bps, folder.path / files.EQUITY_FIGURE)
    return BacktestRun(folder.final, board, forecasts, failures, hold)


def _with_models_that_failed(
    board: pd.DataFrame, models: list[str], failures: pd.DataFrame
) -> pd.DataFrame:
    """Add each model's first error; list models without any forecast too."""
    first_error = failures.groupby(MODEL)["error"].first() if len(failures) else pd.Series()
    missing = [m for m in models if m not in set(board[MODEL])]
    board = pd.concat([board, pd.DataFrame({MODEL: missing, "n": 0})], ignore_index=True)
    board["error"] = board[MODEL].map(first_error)
    board[C.HORIZON] = board[C.HORIZON].astype("Int64")
    return board


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    kept = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(kept, ignore_index=True)
