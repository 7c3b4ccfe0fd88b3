"""Pausing Python's cyclic garbage collector around the stages that make millions of objects.

Reading notes, rendering decks and pages create many short-lived objects and no reference
cycles worth chasing; the cyclic collector would walk every record and cache again and again.
Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block; restore its previous state after (nests)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
