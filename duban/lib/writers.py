"""A queue for SQLite writers on hot paths (the ballot cast).

SQLite lets one writer in at a time. A writer that finds the database locked sleeps (1, 2,
5 … 100 ms) before it tries again, so in a burst a write can wait far longer than the lock is
ever held, and the unlucky ones wait longest: a ballot's p95 was three times its median.
Writers that go through `sqlite_writer()` queue instead: the threads of one process on a
lock, the processes (gunicorn's workers) on an exclusive `flock` of a file beside the
database. Both wake the next waiter the moment the lock is released, so waiting costs no
more than the writes before it.

Only a queue: the transaction itself still takes SQLite's own lock (BEGIN IMMEDIATE), so a
writer that does not queue here (the worker, another page) stays correct and at worst waits
with SQLite's busy timeout. On PostgreSQL (row locks, no global write lock) this does nothing.
"""

import fcntl
import os
import threading
from contextlib import contextmanager

from django.db import connection

_THREADS = threading.Lock()
# (process id, lock file path) -> file descriptor. A flock belongs to the open file, which a
# forked child shares with its parent: each process opens its own.
_FILES: dict[tuple[int, str], int] = {}


def lock_path(database_name: str) -> str | None:
    """The queue's file for a SQLite database file, or None for an in-memory database."""
    name = str(database_name or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return name + ".writers"


def _descriptor(path: str) -> int:
    key = (os.getpid(), path)
    fd = _FILES.get(key)
    if fd is None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        _FILES[key] = fd
    return fd


@contextmanager
def sqlite_writer(using=connection):
    """Wait in line for the database's write lock (SQLite only); wrap the whole transaction."""
    if using.vendor != "sqlite":
        yield
        return
    path = lock_path(using.settings_dict.get("NAME"))
    with _THREADS:
        if path is None:
            yield
            return
        fd = _descriptor(path)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
