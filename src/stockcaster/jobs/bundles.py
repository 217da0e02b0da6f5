"""`train` and `predict` of any bundle: what the bundle holds chooses the job, not the CLI.

A bundle of one symbol's model forecasts that symbol (`predict.py`) and is fine-tuned on its
newer closes (`train.py`); a symbol's volatility model forecasts its risk
(`variance_bundle.py`); a universe's global network forecasts every symbol of a panel and
picks the book (`predict_universe.py`), and is fine-tuned on the panel's newer days
(`universe_bundle.py`). Both are one bundle format, saved and opened by one path
(`store/bundle.py`, the model writing and reading its own files): its `symbols` say how many
series it holds, its files how it is read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from stockcaster.data.calendar import DEFAULT_EXCHANGE
from stockcaster.errors import StockcasterError
from stockcaster.jobs.envelope import Source
from stockcaster.jobs.predict import Prediction, predict
from stockcaster.jobs.predict_universe import TOP_K, UniversePrediction, predict_universe
from stockcaster.jobs.requests import refuse_covariates
from stockcaster.jobs.train import train_bundle
from stockcaster.jobs.universe_bundle import resume_universe, train_universe
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.jobs.variance_bundle import predict_variance, train_variance
from stockcaster.models.families import check_epochs_read
from stockcaster.models.presets import RunConfig
from stockcaster.models.registry import DEFAULT_MODEL
from stockcaster.store.bundle_files import holds_panel, peek, read_meta
from stockcaster.store.variance_bundle import VARIANCE, holds_variance


@dataclass(frozen=True)
class TrainRequest:
    """What `train` saves.

    Attributes:
        save: the new bundle's folder.
        source: the prices (a panel's file with `universe` or a universe bundle to resume).
        preset: one symbol's model's config.
        model: a registered model to save instead of the preset's network.
        settings: the models' own settings (`--set`).
        exchange: the trading calendar the bundle forecasts on (None: XNYS; a resumed
            bundle keeps its own).
        resume: a bundle to fine-tune on newer data (one symbol's or a universe's).
        universe: the global model's config, to train one for every symbol of the panel.
        symbols: the panel's symbols to train on (None: every one).
        epochs: `--epochs` as given (None: not given), refused with `resume`: a fine-tune
            runs the bundle's own `warm_epochs`.
    """

    save: Path
    source: Source
    preset: RunConfig
    model: str | None = None
    settings: tuple[tuple[str, object], ...] = ()
    exchange: str | None = None
    resume: Path | None = None
    universe: RunConfig | None = None
    symbols: list[str] | None = None
    epochs: int | None = None


def training_notes(bundle: Path) -> list[str]:
    """What the prices a bundle was trained on say of themselves (`data/quality.py`: a
    split, a long gap, days outside their range), as its bundle.json records them."""
    return list(peek(bundle).get("notes") or [])


def train(request: TrainRequest) -> Path:
    """Train and save the bundle `request` asks for; its folder.

    Raises:
        StockcasterError: bad input, before anything is trained or written.
    """
    r = request
    variance = r.preset.features.target == VARIANCE
    resumed = None if r.resume is None or variance else read_meta(r.resume)  # before its model
    if r.resume is not None and (variance or holds_variance(resumed)):
        raise StockcasterError(
            f"--resume: expected a bundle of prices to fine-tune, received "
            f"{'--target variance' if variance else f'{r.resume}, a volatility bundle'} "
            "(a volatility model is trained anew: train --target variance --save NEW)"
        )
    if resumed is not None:
        _check_resumed(r, resumed)  # no --exchange: the bundle keeps its calendar
    exchange = r.exchange or DEFAULT_EXCHANGE
    check_epochs_read(r.epochs, [r.model or DEFAULT_MODEL])
    if variance and r.universe is not None:
        raise StockcasterError(
            "--universe: expected one symbol with --target variance (a universe's risk: "
            "universe --target variance), received --universe"
        )
    if r.universe is None and not (resumed is not None and holds_panel(resumed)):
        refuse_covariates(r.source, f"--save {r.save}")
    if variance:
        return train_variance(r.preset, r.save, r.source, model=r.model,
                              settings=r.settings, exchange=exchange)  # fmt: skip
    if resumed is not None and holds_panel(resumed):
        return resume_universe(r.resume, _panel(r.source, r.symbols, "--resume"), r.save)
    if r.universe is not None:
        return train_universe(_panel(r.source, r.symbols, "--universe"), r.universe,
                              r.model or DEFAULT_MODEL, r.save, exchange=exchange,
                              settings=r.settings)  # fmt: skip
    return train_bundle(r.preset, r.save, r.source, resume=r.resume, exchange=exchange,
                        model=r.model, settings=r.settings)  # fmt: skip


def predict_bundle(
    bundle: Path,
    source: Source,
    horizon: int | None = None,
    top_k: int | None = None,
    *,
    out="runs",
) -> Prediction | UniversePrediction:
    """Forecast the sessions after the data's last with any bundle: a symbol's forecasts its
    symbol; a universe's forecasts each of its symbols in the panel and picks `top_k` long
    and short (default 10; a symbol's bundle picks nothing, and refuses a `top_k`).

    Raises:
        StockcasterError: a bad bundle or data, before anything is written.
    """
    meta = peek(bundle) or read_meta(bundle)  # none to peek: read_meta says why, in one line
    if holds_panel(meta):
        chosen = None if source.symbol is None else [source.symbol]  # --symbol: that one
        panel = _panel(source, chosen, f"--bundle {bundle} (a universe bundle)")
        return predict_universe(bundle, panel, horizon, TOP_K if top_k is None else top_k, out=out)
    if top_k is not None:
        raise StockcasterError(
            f"--top-k: expected a universe bundle to pick from, received {bundle}, a bundle "
            "of one symbol"
        )
    refuse_covariates(source, f"--bundle {bundle}")
    if holds_variance(meta):
        return predict_variance(bundle, source, horizon, out=out)
    return predict(bundle, source, horizon, out=out)


def _check_resumed(r: TrainRequest, meta: dict) -> None:
    """`--model` and `--set` with `--resume`: none, or the bundle's own (which is what is
    fine-tuned: another model or setting would be silently ignored).

    Raises:
        StockcasterError: another model, or settings other than the bundle's.
    """
    for option, value, kept in (
        ("--epochs", r.epochs, "its own warm_epochs"),
        ("--exchange", r.exchange, f"its calendar, {meta.get('exchange')}"),
    ):
        if value is not None:
            raise StockcasterError(
                f"{option}: expected none with --resume, which fine-tunes the bundle with "
                f"{kept}, received {value}"
            )
    own = meta.get("model")
    given = [("--model", r.model, r.model == own)]
    given += [("--set", name, name == own and dataclasses.asdict(value) == meta.get("settings"))
              for name, value in r.settings]  # fmt: skip
    for option, name, same in given:
        if name and not same:
            raise StockcasterError(
                f"{option}: expected none or the bundle's own ({own}) with --resume, which "
                f"fine-tunes the bundle's model as it is, received {name}"
            )


def _panel(source: Source, symbols: list[str] | None, why: str) -> PanelSource:
    if source.data is None:
        raise StockcasterError(f"{why}: expected --data FILE with it, received none")
    return PanelSource(source.data, symbols, source.columns, source.fill)
