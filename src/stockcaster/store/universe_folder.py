"""A universe run's folder: new for a new run, or holding the same run for `--resume` (its
results store's settings read without changing the file, and compared)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from stockcaster.errors import StockcasterError
from stockcaster.store.files import STORE_FILE


def open_run_folder(out: Path, resume: bool, settings: dict) -> Path:
    """Check a universe run's folder (made, checked and locked by the caller,
    `store/lock.py::locked_folder`): empty for a new run, or holding the same run for
    `resume`.

    Raises:
        StockcasterError: a folder that holds a run without `resume`, a stored run with
            other settings, or a folder with other files in it.
    """
    store = out / STORE_FILE
    if store.exists() and not resume:
        raise StockcasterError(
            f"{out}: expected a new folder, received one that holds a universe run "
            "(add --resume to continue it, or choose another --out)"
        )
    if store.exists():
        before = stored_settings(store)
        if before != settings:  # a key of either side (a forged store may add one)
            key = sorted(k for k in {*before, *settings} if before.get(k) != settings.get(k))[0]
            raise StockcasterError(
                f"{out}: expected --resume with the settings of the stored run, received "
                f"a different {key!r} (start a new run with another --out)"
            )
    elif out.is_dir() and any(out.iterdir()):
        raise StockcasterError(
            f"{out}: expected an empty or new folder for the run, received one with files"
        )
    return out


def stored_settings(store: Path) -> dict:
    """The settings of the run a store holds, read without changing the file.

    Raises:
        StockcasterError: not a results store of stockcaster, damaged, or without its
            settings (a `meta` table dropped or emptied): nothing to check a resume against.
    """
    fix = "start a new run with another --out"
    try:
        db = sqlite3.connect(f"{store.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            row = None
            if "meta" in tables:
                row = db.execute("SELECT value FROM meta WHERE key = 'settings'").fetchone()
        finally:
            db.close()
        settings = json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError, TypeError) as err:
        raise StockcasterError(
            f"{store}: expected a stockcaster results store, received a damaged file ({err}); {fix}"
        ) from None
    if not isinstance(settings, dict) or not {"symbols", "forecasts"} <= tables:
        raise StockcasterError(
            f"{store}: expected a stockcaster results store with its run's settings (table "
            f"meta), received one without them; {fix}"
        )
    return settings
