"""From a command's options to a job's typed request: each built here, once.

The CLI hands over plain values (strings, numbers, paths) and gets back the objects the
jobs take: where the prices come from (`symbol_source`, `panel_source`), a preset with
`--epochs` applied (`preset`), and a universe's global model (`global_model`), which
`universe`, `train --universe` and `tune --universe` build the same way: the same
settings object as a symbol's preset, from the `universe` preset or one named.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from stockcaster import columns as C
from stockcaster.data.headers import parse_column_mapping, parse_covariates
from stockcaster.errors import StockcasterError
from stockcaster.jobs.envelope import Source
from stockcaster.jobs.fetch import panel_file, ticker_file
from stockcaster.jobs.universe_panel import COVARIATE_SET
from stockcaster.jobs.universe_plan import PanelSource
from stockcaster.models.presets import RunConfig, load_preset

__all__ = ["RunConfig", "global_model", "panel_source", "preset", "symbol_list"]


def symbol_source(
    data: Path | None, symbol: str | None, columns: str | None, fill: str | None
) -> Source:
    """One symbol's prices, with `--columns` parsed and checked.

    Raises:
        StockcasterError: a bad mapping, or one without a file to map (it was ignored).
    """
    if columns and data is None:
        raise StockcasterError(
            "--columns: expected --data FILE whose headers it maps, received none (the "
            "embedded MSFT data needs no mapping)"
        )
    if fill and data is None:
        raise StockcasterError(
            f"--fill: expected --data FILE whose missing values it fills, received {fill} "
            "for the embedded MSFT data, which has none"
        )
    mapping = parse_column_mapping(columns) if columns else None
    return Source(data=data, symbol=symbol, columns=mapping, fill=fill)


def with_covariates(source, covariates: str | None, features: tuple[str, ...]):
    """`source` (a symbol's or a panel's) with `--covariates COL,...` of its file kept beside
    the prices, for `--features columns`.

    Raises:
        StockcasterError: covariates without the `columns` set, or without a file.
    """
    if covariates is None:
        return source
    if COVARIATE_SET not in features:
        raise StockcasterError(
            f"--covariates: expected --features {COVARIATE_SET} with them (the set that reads "
            f"them), received --features {','.join(features)}"
        )
    if source.data is None:
        raise StockcasterError("--covariates: expected --data FILE that holds them, received none")
    mapping = {**(source.columns or {}), **parse_covariates(covariates)}
    return dataclasses.replace(source, columns=mapping)


def refuse_covariates(source, where: str) -> None:
    """`--covariates` for what reads none (one symbol's bundle or network, `where`):
    refused, as nothing would read them.

    Raises:
        StockcasterError: naming them.
    """
    given = [v for k, v in (source.columns or {}).items() if k.startswith(C.COVARIATE)]
    if given:
        raise StockcasterError(
            f"--covariates: expected a universe bundle of --features columns, received "
            f"{where}, one symbol's, with {', '.join(given)}"
        )


def ticker_source(ticker: str, start: str | None = None) -> Source:
    """A ticker's prices from the local cache (`jobs/fetch.py`: downloaded first if no
    cache file answers)."""
    return Source(data=ticker_file(ticker, start), symbol=ticker.upper())


def tickers_source(tickers: str, start: str | None = None, strict: bool = False) -> PanelSource:
    """`--tickers A,B`: a universe of the tickers' cached prices (downloaded first when
    missing), every ticker a symbol."""
    names = symbol_list(tickers) or []
    return PanelSource(panel_file(names, start), None, None, None, strict)


def bundle_panel(data: Path | None, covariates: str | None = None) -> PanelSource | None:
    """`explain BUNDLE --data FILE [--covariates ...]`: the bundle's panel (None: none
    given), with the covariates a bundle of `--features columns` reads.

    Raises:
        StockcasterError: covariates without the file.
    """
    if data is None and covariates is not None:
        raise StockcasterError("--covariates: expected --data FILE with them, received none")
    source = None if data is None else PanelSource(data)
    return with_covariates(source, covariates, (COVARIATE_SET,))


def panel_source(
    data: Path, symbols: str | None, columns: str | None, fill: str | None, strict: bool = False
) -> PanelSource:
    """A universe's prices: `--symbols A,B` parsed (None: every symbol), `--columns` too."""
    wanted = symbol_list(symbols)
    mapping = parse_column_mapping(columns) if columns else None
    return PanelSource(data, wanted, mapping, fill, strict)


def symbol_list(symbols: str | None) -> list[str] | None:
    """`--symbols A,B` as names (None: every symbol)."""
    return None if symbols is None else [s.strip() for s in symbols.split(",") if s.strip()]


def preset(name: str, epochs: int | None = None) -> RunConfig:
    """The preset a command names (a name or a .toml file), with `--epochs` applied."""
    config = load_preset(name)
    if epochs is None:
        return config
    return dataclasses.replace(config, training=dataclasses.replace(config.training, epochs=epochs))


def with_features(config: RunConfig, **given) -> RunConfig:
    """`config` with the feature settings given (None: the preset's), checked.

    Raises:
        StockcasterError: an estimator for a target that is not the variance (it was read
            by nothing).
    """
    given = {k: v for k, v in given.items() if v is not None}
    if not given:
        return config
    features = dataclasses.replace(config.features, **given)
    check_estimator(given.get("estimator"), features.target)
    return dataclasses.replace(config, features=features)


def check_estimator(estimator: str | None, target: str) -> None:
    """A day's variance estimator is the variance target's: with another target it would be
    read by nothing, and the command would run as if it were not there.

    Raises:
        StockcasterError: an estimator given with another target.
    """
    if estimator is not None and target != "variance":
        raise StockcasterError(
            f"--estimator: expected --target variance with it (it measures a day's variance), "
            f"received the target {target}"
        )


def global_model(
    features: str = "returns",
    *,
    preset_name: str | None = None,
    quantiles: str | None = None,
    **options,
) -> RunConfig:
    """A universe's global model: the `universe` preset (or `preset_name`, a preset or a
    .toml such as a universe search's best.toml), then the options given over it (lookback,
    target and normalise set its features; embedding_dim its network; epochs and
    batch_size its training), then `quantiles` (a head such as "0.1,0.5,0.9").

    Raises:
        StockcasterError: a preset a panel's model cannot take (a series' target, a
            multi-step head).
    """
    config = load_preset(preset_name or "universe", "--global-preset")
    given = {k: v for k, v in options.items() if v is not None}
    parts = {
        section: {k: given.pop(k) for k in keys if k in given}
        for section, keys in (
            ("features", ("lookback", "target", "normalise")),
            ("model", ("embedding_dim",)),
            ("training", ("epochs", "batch_size")),
        )  # fmt: skip
    }
    if given:
        raise TypeError(f"global_model: unknown options {sorted(given)}")
    parts["features"]["inputs"] = features
    if quantiles is not None:
        parts["model"]["quantiles"] = parse_quantiles(quantiles)
    for name, changed in parts.items():
        section = getattr(config, name)
        for key, given_value in changed.items():  # one at a time: a refusal names its option
            try:
                section = dataclasses.replace(section, **{key: given_value})
            except StockcasterError as err:
                option = f"--{key.replace('_', '-')}"
                said = str(err) if str(err).startswith(option) else f"{option}: {err}"
                raise StockcasterError(said) from None
        config = dataclasses.replace(config, **{name: section})
    return config.for_panel(f"--global-preset {preset_name or 'universe'}")


def parse_quantiles(text: str | None) -> tuple[float, ...]:
    """`--quantiles 0.1,0.5,0.9` as levels (checked by `ModelConfig`); None: none."""
    if text is None:
        return ()
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise StockcasterError(
            f"--quantiles: expected levels such as 0.1,0.5,0.9, received {text!r}"
        ) from None
