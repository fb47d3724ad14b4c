"""Whether work started by a process is still in hand: the process holds an exclusive ``flock``
on a file of its own while it works (an ingest batch, a background job), and the lock goes with
the process, however it ends."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def held(path: Path) -> bool:
    """Whether a live process holds the lock on ``path`` (False when the file is gone)."""
    if not path.exists():
        return False
    descriptor = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False
