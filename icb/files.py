"""Files shared by several writers: a whole file replaced atomically, so that no reader
ever sees half of it and no planted link is followed, and an exclusive lock on a data
root's table that says so when the file system cannot lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path

from icb.errors import BadInput

NO_LOCK_ERRNOS = frozenset({errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL})


class LocksDoNotWork(BadInput):
    """A data root on a file system whose locks do not hold (some network drives)."""


def _refuse(lock_path: Path, how: str) -> LocksDoNotWork:
    return LocksDoNotWork(
        f"{lock_path}: the file system of this data root does not lock files ({how}); two "
        "stations writing here could lose each other's rows. Allowed: a data root on a local "
        "disk, or a network drive with working locks (NFS with lockd, SMB with byte-range "
        "locks); see docs/experimenter-guide.md; nothing was written")


@contextlib.contextmanager
def locked(root: Path, name: str, *, flock=None):
    """An exclusive lock on ``root/.<name>.lock`` for the ``with`` block.

    The lock is checked once taken: a second open of the lock file must be refused it.
    A file system where that second lock is granted too (or where ``flock`` fails with
    ENOLCK and the like) cannot keep two writers apart, and is refused
    (:class:`LocksDoNotWork`, exit 2) before anything is read or written.  ``flock`` is
    the locking call (the tests give one that locks nothing, as such a drive does).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with locked(folder, "participants"):
    ...     sorted(p.name for p in folder.iterdir())
    ['.participants.lock']
    >>> with locked(folder, "x", flock=lambda fd, op: None):
    ...     pass
    Traceback (most recent call last):
    icb.files.LocksDoNotWork: ...
    """
    flock = flock or fcntl.flock
    root.mkdir(parents=True, exist_ok=True)
    lock_path = root / f".{name}.lock"
    with open(lock_path, "a+") as lock:
        try:
            flock(lock.fileno(), fcntl.LOCK_EX)
        except OSError as exc:
            if exc.errno in NO_LOCK_ERRNOS:
                raise _refuse(lock_path, exc.strerror or str(exc)) from exc
            raise
        try:
            with open(lock_path, "a+") as probe:
                try:
                    flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass  # refused while held: the lock works
                else:
                    raise _refuse(lock_path, "a second lock on the same file was granted")
            yield
        finally:
            flock(lock.fileno(), fcntl.LOCK_UN)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """:func:`atomic_write_text` for bytes."""
    _atomic_write(path, data, "xb", {})


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` atomically through a temporary file made with O_EXCL in the same
    folder, under a random name (never a file of another process, never the target of a
    link planted at a guessable name); on failure (a full disk) the old file stays as it
    was, no temporary file is left, and the error names the file meant.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> atomic_write_text(folder / "a.txt", "one\\n")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('one\\n', ['a.txt'])
    """
    _atomic_write(path, text, "x", {"encoding": "utf-8", "newline": ""})


def _atomic_write(path: Path, content, mode: str, options: dict) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        with open(tmp, mode, **options) as fh:  # "x": O_EXCL
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
