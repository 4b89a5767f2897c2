"""The store's files: written whole or not at all, under a lock, failures named in one line.

Every file is written under a temporary name beside its target (with the user's umask)
and renamed, so that a reader never sees half of one; any failure raises
:class:`StoreError` naming the file and the cause (:func:`cause`: "disk full", not a
traceback).
"""

from __future__ import annotations

import errno
import os
import secrets
import sys
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

__all__ = [
    "StoreError",
    "cause",
    "discard",
    "lock",
    "mkdir",
    "rename",
    "say",
    "temporary",
    "write_atomic",
    "write_csv",
]

_CAUSES = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.ENOTDIR: "not a directory",
    errno.EISDIR: "is a directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


class StoreError(RuntimeError):
    """A store that cannot be written or read; the message names the file and the cause."""


def cause(error: BaseException) -> str:
    """Why ``error`` happened, in a few words ("disk full"), for a one-line message."""
    if isinstance(error, OSError) and error.errno in _CAUSES:
        return _CAUSES[error.errno]
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _umask() -> int:
    # Reading the umask means setting it; done once, before any thread writes.
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return _UMASK


_UMASK = None


def say(message):
    """One line on stderr, prefixed ``orgsim:``."""
    print(f"orgsim: {message}", file=sys.stderr, flush=True)


def mkdir(path: Path):
    """Create the folder ``path`` and its parents; :class:`StoreError` when it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create {path}: {cause(error)}") from None
    if not path.is_dir():
        raise StoreError(f"cannot create {path}: not a directory")


def temporary(target: Path, write) -> Path:
    """Call ``write(path)`` on a new temporary file beside ``target``; return its path."""
    mkdir(target.parent)
    tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        # os.open applies the umask (mkstemp would make the file 0600).
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        write(tmp)
    except BaseException as error:
        discard(tmp)
        if isinstance(error, OSError):
            raise StoreError(f"cannot write {target}: {cause(error)}") from None
        raise
    return tmp


def discard(tmp: Path):
    """Remove the temporary file ``tmp`` if it can be; never raises."""
    try:
        tmp.unlink(missing_ok=True)
    except OSError:  # a read-only or vanished folder: the error being raised says why
        pass


def rename(tmp: Path, target: Path):
    """Rename ``tmp`` to ``target``; on failure remove ``tmp`` and raise :class:`StoreError`."""
    try:
        os.replace(tmp, target)
    except OSError as error:
        discard(tmp)
        raise StoreError(f"cannot write {target}: {cause(error)}") from None


def write_atomic(target: Path, write):
    """Call ``write(path)`` on a temporary file beside ``target``, then rename it.

    The file follows the user's umask; a reader never sees half of it; a
    failure raises :class:`StoreError` naming ``target`` and the cause.
    """
    rename(temporary(target, write), target)


def write_csv(frame, target):
    """A DataFrame to the CSV file ``target`` (no index), its folder made, atomically as
    :func:`write_atomic`: :class:`StoreError` naming what could not be made or written."""
    target = Path(target)
    mkdir(target.parent)
    write_atomic(target, lambda path: frame.to_csv(path, index=False))


@contextmanager
def lock(store, name):
    """Held while the block runs: the lock file ``name`` in the store's ``.locks/``."""
    where = Path(store) / ".locks"
    mkdir(where)
    try:
        # Colleagues sharing a store take the same locks: the umask decides, as for results.
        held = FileLock(where / f"{name}.lock", mode=0o666 & ~_umask())
        held.acquire()
    except OSError as error:
        raise StoreError(f"cannot lock {where / name}.lock: {cause(error)}") from None
    try:
        yield
    finally:
        held.release()
