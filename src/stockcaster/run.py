"""`stockcaster run`: one symbol, one model, evaluated beside the naive forecast.

The steps, in order: load and validate the prices (data/), split and fit the feature
pipeline on the training rows (features/), build (models/) and train (training/) the
network, forecast every test day one step ahead from actual history and compare with
the naive forecast (evaluation/), and write the run folder (reporting/).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.config import RunConfig, to_toml
from stockcaster.data import FillPolicy
from stockcaster.evaluation import compare_with_naive, forecast_table
from stockcaster.evaluation.significance import diebold_mariano, lag_check
from stockcaster.features import FeatureConfig, FeaturePipeline
from stockcaster.provenance import command_line, fingerprint, versions
from stockcaster.reporting import run_folder as files
from stockcaster.reporting.figures import (
    forecast_figure,
    loss_figure,
    price_figure,
    residual_figure,
)
from stockcaster.series import load_series, price_series


@dataclass(frozen=True)
class RunResult:
    """What a run leaves: its folder, its metrics and its test-period forecasts."""

    folder: Path
    metrics: dict
    forecasts: pd.DataFrame
    history: dict[str, list[float]]


def run(
    config: RunConfig,
    data: str | Path | None = None,
    symbol: str | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    fill: FillPolicy | None = None,
    out: str | Path = "runs",
    verbose: bool = True,
) -> RunResult:
    """Train `config`'s model on one symbol and evaluate it on the test period.

    Every input is validated before anything is trained or written; the run folder
    appears only once all of its files are written.

    Args:
        config: the run config (a preset).
        data: a price file; None for the embedded MSFT history.
        symbol: the symbol to forecast; None for the only one in the file.
        columns: canonical name -> the file's column, for other headers.
        fill: policy for rows with missing values.
        out: parent folder of the run folder.
        verbose: print Keras' progress.

    Raises:
        StockcasterError: bad input, before any output is written.
    """
    prices, source = load_series(data, symbol, columns, fill)
    name = prices[C.SYMBOL].iloc[0]
    pipeline = FeaturePipeline(config.features)
    pipeline.check_length(len(prices), f"{source} symbol {name}")

    # Keras starts only once the input is known to be good.
    from stockcaster.models.rnn import build_rnn
    from stockcaster.training.fit import train
    from stockcaster.training.seeds import set_seed

    close = prices[C.CLOSE].to_numpy(dtype="float64")
    split = pipeline.split(len(close))
    pipeline.fit(close, split)
    fit, validation, test = pipeline.parts(close, split)

    set_seed(config.training.seed)
    model = build_rnn(config.model, fit.x.shape[1:], name=f"stockcaster_{config.name}")
    trained = train(model, fit, validation, config.training, verbose=verbose)
    started = time.perf_counter()
    predicted = model.predict(test.x, batch_size=1024, verbose=0)[:, 0]  # [test days]
    predict_seconds = time.perf_counter() - started
    forecasts = forecast_table(prices, test.days, pipeline.to_price(predicted, close, test.days))

    metrics = {
        "symbol": name,
        "source": source,
        "preset": config.name,
        "test_period": {
            "start": f"{forecasts[C.DATE].iloc[0]:%Y-%m-%d}",
            "end": f"{forecasts[C.DATE].iloc[-1]:%Y-%m-%d}",
            "days": len(forecasts),
        },
        **compare_with_naive(forecasts),
        "final_train_loss": trained.history["loss"][-1],
        "final_val_loss": trained.history["val_loss"][-1],
        "loss_units": loss_units(config.features),
        "epochs_run": len(trained.history["loss"]),
        "best_epoch": trained.best_epoch,
        "train_samples": len(fit.y),
        "validation_samples": len(validation.y),
        "train_seconds": trained.seconds,
        "predict_seconds": predict_seconds,
        "notes": _notes(config),
        **_verdict(forecasts),
        "data": fingerprint(price_series(prices)),
        "reproducibility": {
            "command": command_line(),
            "seed": config.training.seed,
            "versions": versions(),
        },
    }
    with files.RunFolder(Path(out), files.new_run_name(name, config.name)) as folder:
        model.save(folder.path / files.MODEL_FILE)
        (folder.path / files.CONFIG_FILE).write_text(to_toml(config))
        files.write_json(folder.path / files.METRICS_FILE, metrics)
        forecasts.to_csv(folder.path / files.PREDICTIONS_FILE, index=False, date_format="%Y-%m-%d")
        history = pd.DataFrame(trained.history).rename_axis("epoch")
        history.index += 1
        history.to_csv(folder.path / files.HISTORY_FILE)
        price_figure(prices, folder.path / files.PRICES_FIGURE)
        residual_figure(forecasts, folder.path / files.RESIDUALS_FIGURE)
        loss_figure(
            trained.history,
            folder.path / files.LOSS_FIGURE,
            metrics["loss_units"],
            trained.best_epoch,
        )
        forecast_figure(
            forecasts,
            folder.path / files.FORECAST_FIGURE,
            f"{name}: actual vs predicted close, test period (preset {config.name}, "
            f"MSE {metrics['mse_ratio']:.2f}x naive)",
        )
    return RunResult(folder.final, metrics, forecasts, trained.history)


def loss_units(features: FeatureConfig) -> str:
    """The units of the training loss: MSE of the target as the model saw it."""
    target = "close" if features.target == "close" else "log-return"
    scaled = {"none": "unscaled", "minmax": "min-max scaled", "standard": "standardised"}
    return f"{scaled[features.scaler]} {target}, squared"


def _verdict(forecasts: pd.DataFrame) -> dict:
    """Diebold-Mariano against naive and the one-day lag check, on the test days."""
    actual, yhat, naive = (forecasts[c].to_numpy() for c in (C.ACTUAL, C.YHAT, C.NAIVE))
    dm = diebold_mariano(yhat - actual, naive - actual)
    return {"dm_pvalue": dm["pvalue"], "lag_flag": lag_check(actual, yhat, naive)["lag_flag"]}


def _notes(config: RunConfig) -> list[str]:
    if config.features.validation == "test":
        return [
            "validation data is the test period, as in the reference notebook: the "
            "checkpoint kept is the epoch that scored best on the test days, so these test "
            "figures are optimistic"
        ]
    return []
