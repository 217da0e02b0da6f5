"""A search's folder: new for a new search, or holding the same search for `--resume` (its
study made by `stockcaster tune`, its settings the same), and locked while the search runs."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

from stockcaster.errors import StockcasterError
from stockcaster.store import files
from stockcaster.store.lock import locked_folder
from stockcaster.tuning.search import STUDY_FILE, is_study

SETTINGS_FILE = "search.json"  # the search's settings, checked by --resume
_EXTENDABLE = {"trials", "timeout_minutes"}  # settings --resume may change


@contextlib.contextmanager
def search_folder(folder: Path, resume: bool, settings: dict) -> Iterator[None]:
    """A new folder for a new search, or with `resume` one that holds the same search (its
    study made by this command); locked for the search, so one search writes it at a time.

    Raises:
        StockcasterError: a folder with other files, another search's, or one in use.
    """
    with locked_folder(folder):
        found = sorted(p.name for p in folder.iterdir())
        if found and not resume:
            holds = STUDY_FILE in found or "ray" in found or SETTINGS_FILE in found
            raise StockcasterError(
                f"{folder}: expected a new folder, received one that holds a search "
                "(add --resume to continue it, or choose another --out)"
                if holds
                else f"{folder}: expected an empty or new folder for the search, received "
                f"one with files ({', '.join(found[:3])})"
            )
        if found:
            _check_stored(folder, settings)
        files.write_atomic(folder / SETTINGS_FILE, lambda p: files.write_json(p, settings))
        yield


def _check_stored(folder: Path, settings: dict) -> None:
    """Refuse to resume anything but a search of `stockcaster tune` with these settings."""
    kept = folder / SETTINGS_FILE
    try:
        stored = json.loads(kept.read_text())
    except (OSError, ValueError):
        stored = None
    if not isinstance(stored, dict) or not is_study(folder / STUDY_FILE):
        raise StockcasterError(
            f"{folder}: expected a search that stockcaster tune made (its {SETTINGS_FILE} "
            f"and {STUDY_FILE}), received a folder without them; choose another --out"
        )
    asked = json.loads(files.json_text(settings))
    # How many trials, and for how long, may change: a search is continued or extended.
    differ = [k for k in {*asked, *stored} - _EXTENDABLE if stored.get(k) != asked.get(k)]
    if differ:
        key = sorted(differ)[0]
        raise StockcasterError(
            f"{folder}: expected --resume with the settings of the stored search, "
            f"received a different {key!r}"
        )
