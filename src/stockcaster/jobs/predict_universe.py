"""`stockcaster predict` on a universe bundle: tomorrow for every symbol, and the book it picks.

The steps: load and check the bundle (store/bundle.py: the global network reads its own
files, models/global_files.py); read the panel (data/); set aside the symbols the bundle
does not know, the bundle's symbols the data lacks, and those whose data ends before the
bundle's last training day; forecast each remaining symbol's next H sessions from the
window ending on its own last row, the network fed back on itself after the first
(`models/global_forecast.py::session_paths`), so a file whose symbols end on different
days is forecast from each one's own last close (and says so); rank the next session's
predicted returns into the long and short lists of a top-k book; write `forecast.csv`,
`picks.csv`, `universe_prediction.json` and the figures
(`reporting/universe_report.py` reads them back into a report).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from stockcaster import columns as C
from stockcaster.data.calendar import check_sessions
from stockcaster.data.panel import load_panel, select_symbols
from stockcaster.data.quality import price_notes
from stockcaster.errors import StockcasterError
from stockcaster.features.feature_sets import feature_set_spec, window_rows
from stockcaster.features.targets import check_cross_section
from stockcaster.jobs.envelope import (
    check_forecast,
    check_horizon,
    check_output,
    job,
    output_folder,
    reproducibility,
)
from stockcaster.jobs.predict import MOST_RECURSIVE_STEPS
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.models.global_files import check_features
from stockcaster.models.global_forecast import session_paths
from stockcaster.models.variance import BAND, BAND_HISTORY, banded, risk_columns, sigma_ahead
from stockcaster.reporting.universe_figures import fans_figure, picks_figure
from stockcaster.settings import whole_number
from stockcaster.store import files
from stockcaster.store.bundle import open_bundle

TOP_K = 10  # symbols long and short, by default


@dataclass(frozen=True)
class UniversePrediction:
    folder: Path
    forecast: pd.DataFrame
    picks: pd.DataFrame
    meta: dict


@job
def predict_universe(
    model: str | Path,
    source: PanelSource,
    horizon: int | None = None,
    top_k: int = TOP_K,
    *,
    out: str | Path = "runs",
) -> UniversePrediction:
    """Forecast every symbol's next `horizon` sessions with a universe bundle; pick the book.

    Raises:
        StockcasterError: a bad bundle or data, a horizon the bundle cannot give, or no
            symbol of the bundle in the data, before anything is written.
    """
    horizon = check_horizon(1 if horizon is None else horizon, MOST_RECURSIVE_STEPS,
                            "a universe bundle")  # fmt: skip
    if not whole_number(top_k) or top_k < 1:  # a Python caller's 2.5 picked 2.5 a side
        raise StockcasterError(f"--top-k: expected at least 1, received {top_k!r}")
    bundle = open_bundle(Path(model), panel=True)
    check_output(out)
    panel = load_panel(source.data, source.columns, source.fill, source.strict)
    panel = panel.spelled_as(bundle.forecaster.symbols)  # `msft` is the bundle's MSFT
    prices, set_aside = _usable(panel, source, bundle)
    prices = check_features(bundle.forecaster.scales, bundle.config.features.inputs, prices,
                            f"--bundle {model}")  # fmt: skip
    check_cross_section(bundle.config.features, sorted(set(prices[C.SYMBOL])), " (the bundle's)")
    exchange = bundle.meta["exchange"]
    check_sessions(prices[C.DATE], exchange, panel.source, True, prices[C.SYMBOL])
    with np.errstate(all="ignore"):  # what overflows is no price: check_forecast says so
        network, scales = bundle.forecaster.network, bundle.forecaster.scales
        until = np.datetime64(bundle.trained_until, "ns")
        paths = session_paths(network, bundle.config, scales, prices, until, horizon, exchange)
    _too_short(paths, prices, set_aside, rows_needed(bundle.config.features), panel.source)
    risks = symbol_risks(paths, prices)
    paths, interval = with_risk_bands(paths, risks, set_aside, panel.source)
    made = paths[paths[C.HORIZON] == 1].reset_index(drop=True)
    forecast = paths.reindex(columns=list(C.FUTURE_FORECAST_COLUMNS))
    check_forecast(forecast, model)
    picks = pick_book(made, top_k)
    last_days = made[C.ORIGIN].dt.strftime("%Y-%m-%d")
    meta = {
        "bundle": str(model), "bundle_meta": bundle.meta, "source": panel.source,
        "horizon": horizon, "interval": interval,
        "symbols": {"forecast": len(made), "set_aside": len(set_aside)}, "set_aside": set_aside,
        "last_dates": sorted(set(last_days)), "own_last_close": last_days.nunique() > 1,
        "top_k": top_k, "book": len(picks) // 2, "notes": price_notes(prices),
        "reproducibility": reproducibility(),
    }  # fmt: skip
    with output_folder(out, "universe", "predict") as folder:
        path = folder.path
        files.write_csv(forecast, path / files.PREDICT_FILE, date_format="%Y-%m-%d")
        files.write_csv(picks, path / files.PICKS_FILE)
        files.write_csv(risks, path / files.RISK_CSV)
        files.write_json(path / files.UNIVERSE_PREDICT_META, meta)
        picks_figure(made, picks, path)
        fans_figure(prices, paths, picks, path)
    return UniversePrediction(folder.final, forecast, picks, meta)


def _usable(panel, source: PanelSource, bundle) -> tuple[pd.DataFrame, dict[str, str]]:
    """The rows of the bundle's symbols that end on or after its training, and why each
    other symbol is set aside."""
    chosen = select_symbols(panel, source.symbols)
    symbols = bundle.forecaster.symbols
    known = set(symbols)
    aside = {s: panel.broken[s] for s in chosen if s in panel.broken}
    aside.update({s: "not in the bundle" for s in chosen if s not in known and s not in aside})
    listed = set(panel.prices[C.SYMBOL])
    if source.symbols is None:  # the whole file asked for: the bundle's symbols it lacks
        aside.update({s: "in the bundle, not in the data" for s in symbols if s not in listed})
    rows = panel.prices[panel.prices[C.SYMBOL].isin([s for s in chosen if s not in aside])]
    last = rows.groupby(C.SYMBOL, sort=False)[C.DATE].max()
    early = last[last.to_numpy() < np.datetime64(bundle.trained_until, "ns")]
    aside.update({s: f"data ends {d:%Y-%m-%d}, before the bundle's training"
                  for s, d in early.items()})  # fmt: skip
    rows = rows[~rows[C.SYMBOL].isin(early.index)]
    if rows.empty:
        day = f"{pd.Timestamp(bundle.trained_until):%Y-%m-%d}"
        raise _none_left(f"{panel.source}: expected prices of the bundle's symbols up to {day} "
                         "or later", aside)  # fmt: skip
    return rows.reset_index(drop=True), aside


def _none_left(expected: str, aside: dict[str, str]) -> StockcasterError:
    """The error of a prediction that set every symbol aside: the first three reasons."""
    why = "; ".join(f"{s}: {reason}" for s, reason in list(aside.items())[:3])
    return StockcasterError(f"{expected}, received none ({why}{' ...' if len(aside) > 3 else ''})")


def rows_needed(features) -> int:
    """The rows a global model's window reads (`feature_sets.window_rows`)."""
    return window_rows(features.lookback, feature_set_spec(features.inputs).warmup)


def _too_short(
    paths: pd.DataFrame, prices: pd.DataFrame, set_aside: dict[str, str], rows: int, source: str
) -> None:
    """Set aside each symbol of `prices` with too few rows for a window (none in `paths`).

    Raises:
        StockcasterError: no symbol left to forecast.
    """
    short = sorted(set(prices[C.SYMBOL]) - set(paths[C.SYMBOL]))
    set_aside.update({s: f"fewer than {rows} rows to forecast from" for s in short})
    if paths.empty:
        raise _none_left(f"{source}: expected a symbol with {rows} rows to forecast from",
                         set_aside)  # fmt: skip


def symbol_risks(paths: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """Each symbol's volatility, VaR and ES to each session of its path (`sigma_ahead`, on
    its own days; none for a symbol with too short a history)."""
    rows = prices.groupby(C.SYMBOL, sort=False)
    symbols, steps, sigmas = [], [], []
    for symbol, mine in paths.groupby(C.SYMBOL, sort=False):
        horizon = int(mine[C.HORIZON].max())
        sigma = sigma_ahead(rows.get_group(symbol), horizon)
        if sigma is not None:
            symbols += [symbol] * horizon
            steps.append(np.arange(1, horizon + 1))
            sigmas.append(sigma)
    sigma = np.concatenate(sigmas) if sigmas else np.zeros(0)
    steps = np.concatenate(steps) if steps else np.zeros(0, "int64")
    return pd.DataFrame({C.SYMBOL: symbols, C.HORIZON: steps, **risk_columns(sigma)})


def with_risk_bands(
    paths: pd.DataFrame, risks: pd.DataFrame, set_aside: dict[str, str], source: str
) -> tuple[pd.DataFrame, str]:
    """Give every symbol's point path the interval its volatility implies, setting aside
    (saying why) each symbol without one; say where the intervals come from. A quantile
    head's paths keep theirs.

    Raises:
        StockcasterError: no symbol with a volatility left to forecast.
    """
    if paths[C.LO].notna().any():
        return paths, "quantile head"
    unmeasured = sorted(set(paths[C.SYMBOL]) - set(risks[C.SYMBOL]))
    set_aside.update({s: f"no volatility for its interval: fewer than {BAND_HISTORY} rows, or "
                      "too few that moved" for s in unmeasured})  # fmt: skip
    kept = paths[~paths[C.SYMBOL].isin(unmeasured)].reset_index(drop=True)
    if kept.empty:
        raise _none_left(
            f"{source}: expected a symbol whose volatility gives its interval", set_aside
        )
    sigma = kept.merge(risks, on=[C.SYMBOL, C.HORIZON], how="left")["sigma"].to_numpy()
    kept[C.LO], kept[C.HI] = banded(kept[C.YHAT].to_numpy(dtype="float64"), sigma)
    return kept, f"{BAND:.0%} interval from each symbol's volatility (HAR on the log range)"


def pick_book(made: pd.DataFrame, top_k: int) -> pd.DataFrame:
    """The long (highest predicted return) and short (lowest) lists of a top-k book, with
    each pick's interval as returns (empty for a point model)."""
    table = made.assign(predicted_return=made[C.YHAT] / made[C.CLOSE] - 1)
    for band in (C.LO, C.HI):
        table[f"{band}_return"] = table[band] / table[C.CLOSE] - 1 if band in table else np.nan
    ranked = table.sort_values(["predicted_return", C.SYMBOL], ascending=[False, True])
    k = min(top_k, len(ranked) // 2)
    long = ranked.head(k).assign(side="long", rank=np.arange(1, k + 1))
    short = ranked.tail(k).iloc[::-1].assign(side="short", rank=np.arange(1, k + 1))
    columns = ["side", "rank", C.SYMBOL, C.CLOSE, C.YHAT, "predicted_return", "lo_return",
               "hi_return"]  # fmt: skip
    return pd.concat([long, short])[columns].reset_index(drop=True)
