"""The pipeline: notes → records → outputs rendered in memory → written to the output folder."""

from __future__ import annotations

from .load import Notes


def build(notes: Notes, out: str) -> str:
    """Build every output for `notes` into `out`; returns a one-line report of what was written."""
    return "nothing to write yet (decks and site come next)"
