"""`stockcaster run`: one symbol, one model, evaluated beside the naive forecast.

The steps, in order: load and validate the prices (data/), split and fit the feature
pipeline on the training rows (features/), build (models/) and train (training/) the
network, forecast every test day one step ahead from actual history and compare with
the naive forecast (evaluation/), and write the run folder (reporting/).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stockcaster import columns as C
from stockcaster.data.quality import price_notes
from stockcaster.errors import StockcasterError, failing_fit
from stockcaster.evaluation import compare_with_naive, forecast_table
from stockcaster.evaluation.significance import diebold_mariano, lag_check
from stockcaster.features import FeatureConfig, FeaturePipeline
from stockcaster.jobs.envelope import (
    Prices,
    Source,
    check_output,
    job,
    output_folder,
    read_source,
    reproducibility,
)
from stockcaster.jobs.run_model import one_fit_forecasts
from stockcaster.models.options import check_settings_run
from stockcaster.models.presets import RunConfig, to_toml
from stockcaster.models.registry import ModelOptions
from stockcaster.models.variance import price_model
from stockcaster.provenance import fingerprint
from stockcaster.reporting.figures import (
    forecast_figure,
    loss_figure,
    price_figure,
    residual_figure,
)
from stockcaster.store import files
from stockcaster.store.files import safe_name


@dataclass(frozen=True)
class RunResult:
    """What a run leaves: its folder, its metrics and its test-period forecasts."""

    folder: Path
    metrics: dict
    forecasts: pd.DataFrame
    history: dict[str, list[float]]


@dataclass(frozen=True)
class _Trained:
    """The network, its training record and its test-period forecasts."""

    model: object  # keras.Model
    fit: object  # training.fit.TrainResult
    forecasts: pd.DataFrame
    samples: tuple[int, int]  # training and validation windows
    predict_seconds: float


@job
def run(
    config: RunConfig,
    source: Source | None = None,
    *,
    out: str | Path = "runs",
    verbose: bool = True,
    model: str | None = None,
    settings: tuple[tuple[str, object], ...] = (),
) -> RunResult:
    """Train `config`'s model on one symbol and evaluate it on the test period.

    Every input is validated before anything is trained or written; the run folder
    appears only once all of its files are written.

    Args:
        config: the run config (a preset).
        source: the prices; the embedded MSFT history by default.
        out: parent folder of the run folder.
        verbose: print Keras' progress.
        model: a registered model to run instead of the preset's network
            (`run_model.py`); `settings` are the models' own (`--set`).

    Raises:
        StockcasterError: bad input, before any output is written.
    """
    if price_model(model) is not None:
        check_settings_run(settings, [model])
        return _run_model(model, ModelOptions(preset=config, settings=settings), source, out)
    check_settings_run(settings, ())  # the preset's network takes the preset's sizes
    if config.model.direct:
        raise StockcasterError(
            f"--preset: expected a one-step preset for run (default, seed), received "
            f"{config.name!r} with a {config.model.horizon}-step head; its forecasts are "
            "walked forward by `stockcaster backtest` and made by `train` and `predict`"
        )
    prices = read_source(source or Source())
    pipeline = FeaturePipeline(config.features)
    pipeline.check_length(len(prices.table), prices.where)
    check_output(out)
    with failing_fit(f"--preset {config.name}: expected a network that fits {prices.where}"):
        trained = _train_and_forecast(config, pipeline, prices, verbose)
    metrics = _metrics(config, prices, trained)
    with output_folder(out, prices.symbol, config.name) as folder:
        _write(folder.path, config, prices, trained, metrics)
    return RunResult(folder.final, metrics, trained.forecasts, trained.fit.history)


def _run_model(name: str, options: ModelOptions, source: Source | None, out) -> RunResult:
    """`run --model NAME`: the model fitted once and walked over the test period."""
    prices = read_source(source or Source())
    check_output(out)
    forecasts = one_fit_forecasts(name, options, prices)
    metrics = {
        "symbol": prices.symbol,
        "source": prices.source,
        "preset": options.preset.name,
        "model_name": name,
        "test_period": _test_period(forecasts),
        **compare_with_naive(forecasts),
        **_verdict(forecasts),
        "notes": price_notes(prices.table),
        "data": fingerprint(prices.series),
        "reproducibility": reproducibility(options.preset.training.seed),
    }
    with output_folder(out, prices.symbol, name) as folder:
        path = folder.path
        (path / files.CONFIG_FILE).write_text(to_toml(options.preset))
        files.write_json(path / files.METRICS_FILE, metrics)
        files.write_csv(forecasts, path / files.PREDICTIONS_FILE, date_format="%Y-%m-%d")
        price_figure(prices.table, path / files.PRICES_FIGURE)
        residual_figure(forecasts, path / files.RESIDUALS_FIGURE)
        title = f"{prices.symbol}: actual vs predicted close, test period ({name})"
        forecast_figure(forecasts, path / files.FORECAST_FIGURE, title)
    return RunResult(folder.final, metrics, forecasts, {})


def _test_period(forecasts: pd.DataFrame) -> dict:
    return {
        "start": f"{forecasts[C.DATE].iloc[0]:%Y-%m-%d}",
        "end": f"{forecasts[C.DATE].iloc[-1]:%Y-%m-%d}",
        "days": len(forecasts),
    }


def _train_and_forecast(
    config: RunConfig, pipeline: FeaturePipeline, prices: Prices, verbose: bool
) -> _Trained:
    """Fit the pipeline on the training rows, train the network, forecast the test days."""
    # Delayed imports: Keras starts only once the input is known to be good.
    from stockcaster.models.networks import build_network
    from stockcaster.training.fit import train
    from stockcaster.training.seeds import set_seed

    close = prices.table[C.CLOSE].to_numpy(dtype="float64")
    split = pipeline.split(len(close))
    pipeline.fit(close, split)
    fit, validation, test = pipeline.parts(close, split)
    set_seed(config.training.seed)
    name = f"stockcaster_{safe_name(config.name)}"
    model = build_network(config.model, fit.x.shape[1:], name=name)
    result = train(model, fit, validation, config.training, verbose=verbose)
    started = time.perf_counter()
    predicted = model.predict(test.x, batch_size=1024, verbose=0)[:, 0]  # [test days]
    seconds = time.perf_counter() - started
    prices_forecast = pipeline.to_price(predicted, close, test.days)
    forecasts = forecast_table(prices.table, test.days, prices_forecast)
    return _Trained(model, result, forecasts, (len(fit.y), len(validation.y)), seconds)


def _metrics(config: RunConfig, prices: Prices, trained: _Trained) -> dict:
    forecasts, history = trained.forecasts, trained.fit.history
    return {
        "symbol": prices.symbol,
        "source": prices.source,
        "preset": config.name,
        "test_period": _test_period(forecasts),
        **compare_with_naive(forecasts),
        "final_train_loss": history["loss"][-1],
        "final_val_loss": history["val_loss"][-1],
        "loss_units": loss_units(config.features),
        "epochs_run": len(history["loss"]),
        "best_epoch": trained.fit.best_epoch,
        "train_samples": trained.samples[0],
        "validation_samples": trained.samples[1],
        "train_seconds": trained.fit.seconds,
        "predict_seconds": trained.predict_seconds,
        "notes": _notes(config) + price_notes(prices.table),
        **_verdict(forecasts),
        "data": fingerprint(prices.series),
        "reproducibility": reproducibility(config.training.seed),
    }


def _write(path: Path, config: RunConfig, prices: Prices, trained: _Trained, metrics: dict) -> None:
    """The run folder's files: model, config, metrics, forecasts, history and figures."""
    forecasts, fit = trained.forecasts, trained.fit
    trained.model.save(path / files.MODEL_FILE)
    (path / files.CONFIG_FILE).write_text(to_toml(config))
    files.write_json(path / files.METRICS_FILE, metrics)
    files.write_csv(forecasts, path / files.PREDICTIONS_FILE, date_format="%Y-%m-%d")
    history = pd.DataFrame(fit.history).rename_axis("epoch")
    history.index += 1
    history.to_csv(path / files.HISTORY_FILE)
    price_figure(prices.table, path / files.PRICES_FIGURE)
    residual_figure(forecasts, path / files.RESIDUALS_FIGURE)
    loss_figure(fit.history, path / files.LOSS_FIGURE, metrics["loss_units"], fit.best_epoch)
    ratio = metrics["mse_ratio"]
    versus = f"MSE {ratio:.2f}x naive" if ratio is not None else "naive has no error"
    title = (
        f"{prices.symbol}: actual vs predicted close, test period (preset {config.name}, {versus})"
    )
    forecast_figure(forecasts, path / files.FORECAST_FIGURE, title)


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
    if config.features.validation_fraction is None:
        return [
            "validation data is the test period, as in the reference notebook: the "
            "checkpoint kept is the epoch that scored best on the test days, so these test "
            "figures are optimistic"
        ]
    return []
