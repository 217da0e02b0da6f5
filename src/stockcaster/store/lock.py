"""One command at a time in a folder that is written in place (a search's study, a universe's
results store): the folder itself locked while the command runs.

The lock is the operating system's (`flock`, taken on the folder, so no lock file is
written): it ends with the process that holds it, so a command killed with -9 leaves no
stale lock behind, and `--resume` can take over at once. A second command that finds the
folder locked stops in one line before it writes anything.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from stockcaster.errors import StockcasterError
from stockcaster.store.files import check_writable

try:
    import fcntl  # POSIX only
except ImportError:  # pragma: no cover - Windows: no lock, as before
    fcntl = None


@contextlib.contextmanager
def folder_lock(folder: Path, option: str = "--out") -> Iterator[None]:
    """Hold `folder`'s lock for the block; the folder must exist.

    Raises:
        StockcasterError: another command holds it.
        FileNotFoundError: the folder was removed (by another command's probe) meanwhile.
    """
    handle = os.open(Path(folder), os.O_RDONLY)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StockcasterError(
                    f"{option}: expected a folder no other command is writing, received "
                    f"{folder}, which another stockcaster command is using (wait for it to "
                    "end, or choose another folder)"
                ) from None
        if os.stat(folder).st_ino != os.fstat(handle).st_ino:  # removed, and made again
            raise FileNotFoundError(folder)
        yield
    finally:
        os.close(handle)  # closing the folder releases the lock


@contextlib.contextmanager
def locked_folder(folder: Path, option: str = "--out") -> Iterator[Path]:
    """`folder`, made if missing, checked and locked for the block. Folders made here and
    still empty when the block fails are removed, while the lock is held (a refused command
    leaves nothing behind, and never removes a folder another command has locked).

    Another command starting at the same moment may remove the folder while probing it
    (`check_writable` leaves no trace); the folder is then made again, a few times.

    Raises:
        StockcasterError: a folder that cannot be made or written, or that another
            command holds.
    """
    folder = Path(folder)
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    with contextlib.ExitStack() as held:
        for attempt in range(_TRIES):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                held.enter_context(folder_lock(folder, option))
                break
            except FileNotFoundError:  # removed meanwhile: make it again
                if attempt == _TRIES - 1:
                    raise
            except OSError:
                check_writable(folder, option)  # says why, in one line
                raise
        try:
            check_writable(folder, option)  # room and a probe file; the folder exists
            yield folder
        except BaseException:
            for empty in made:  # deepest first
                with contextlib.suppress(OSError):
                    empty.rmdir()
            raise


_TRIES = 5
