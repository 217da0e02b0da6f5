"""The pieces every HTML report is made of: images, tables, paragraphs, the record."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from stockcaster.reporting.numbers import figure


def image_html(folder: Path, name: str, alt: str) -> str:
    """A PNG of the folder embedded as a data URI (empty if the file is missing)."""
    path = folder / name
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"


def table_html(frame: pd.DataFrame, digits: int = 4) -> str:
    """A frame as an HTML table, numbers to `digits` decimals, scrolling if wide.

    A column of whole numbers stays whole (counts that a missing value made floats read
    `8`, not `8.0000`).
    """
    counts = {
        name: frame[name].astype("Int64")
        for name in frame.columns
        if frame[name].dtype.kind == "f"
        and frame[name].notna().any()
        and (frame[name].dropna() % 1 == 0).all()
        and frame[name].dropna().abs().max() < 2**53
    }
    frame = frame.assign(**counts) if counts else frame
    # to_html writes None as "None" in a column of objects (a column all None): blank, as NaN
    frame = frame.assign(**{name: frame[name].where(frame[name].notna(), "")
                            for name in frame.columns if frame[name].dtype == object})  # fmt: skip
    table = frame.to_html(index=False, na_rep="", float_format=lambda v: figure(v, digits))
    return f"<div class='wide'>{table}</div>"


def paragraph(value: str) -> str:
    """Escaped text as one paragraph."""
    return f"<p>{html.escape(value)}</p>"


def notes_html(summary: dict) -> str:
    """A result's notes on its prices (`summary["notes"]`, `data/quality.py`), a paragraph
    each, "Note: ..."; "" for none."""
    return "".join(paragraph(f"Note: {n}") for n in summary.get("notes") or [])


def left_out_html(summary: dict, where: str) -> str:
    """The symbols a result left out and why (`summary["left_out"]`), a paragraph each, the
    first 10 (the rest in `where`, a file of the result); "" for none."""
    why = summary.get("left_out") or {}
    shown = [paragraph(f"Left out: {s} ({reason})") for s, reason in list(why.items())[:10]]
    rest = [paragraph(f"Left out: {len(why) - 10} more ({where})")] * (len(why) > 10)
    return "".join(shown + rest)


def record_html(meta: dict, config_text: str | None = None) -> str:
    """The reproducibility record: config, data fingerprint, versions, command."""
    parts = []
    if config_text is not None:
        parts.append("<h3>config</h3><pre>" + html.escape(config_text) + "</pre>")
    shown = {k: meta[k] for k in ("data", "reproducibility", "source") if k in meta}
    parts.append("<pre>" + html.escape(json.dumps(shown, indent=2)) + "</pre>")
    return "\n".join(parts)
