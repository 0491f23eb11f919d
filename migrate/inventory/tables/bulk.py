"""Reading and storing a large inventory without the cyclic garbage collector in the way.

An RVTools export of 50,000 VMs becomes a few million live objects (rows, cells, servers, their
disks) that all stay alive until the import ends. CPython's cyclic collector runs a full pass
each time the tracked objects grow by a quarter, each pass walking everything built so far:
measured on that export, 2.0 s of the 5.1 s CPU the RVTools rows take in Python and 1.8 s of
the 7.4 s the store import takes. Nothing the readers or the import build forms a reference
cycle, so nothing is left for the collector to find; it runs again once the block ends.
The plan document and its JSON (`migrate.planning.document`) use it too.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def quiet_gc() -> Iterator[None]:
    """No automatic cyclic collection inside the block; the collector's previous state after it
    (a nested block, or a caller that disabled it itself, leaves it as it was)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
