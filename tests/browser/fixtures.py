"""The palaces the site tests render: the seed palace of the repo, a hostile one, a German one."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from functools import cache
from pathlib import Path

import pytest

from builder.notes.load import load_notes
from builder.notes.records import Palace
from builder.site import render_site

from . import dom

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "source"
HOSTILE = Path(__file__).resolve().parent / "notes"  # hostile.md: notes that try to break out
GERMAN = Path(__file__).resolve().parent / "german"  # haus.md: Küche, Straße, Überanpassung
SCRIPTS = Path(__file__).resolve().parent / "scripts"  # 世界.md: Japanese, Cyrillic, Arabic, emoji

# Deck bytes stand in for the decks the build writes next to the pages.
FAKE_DECK = b"PK\x03\x04 not a real deck " * 500


@cache
def palaces(*sources: Path) -> tuple[Palace, ...]:
    notes = load_notes([str(source) for source in sources])
    assert not notes.errors, [d.format() for d in notes.errors]
    return notes.palaces


def deck_files(found: tuple[Palace, ...]) -> dict[str, bytes]:
    """The decks the build would write beside the pages."""
    return {f"{palace.id}.apkg": FAKE_DECK for palace in found}


def decks_for(found: tuple[Palace, ...]) -> dict[str, int]:
    """What the site is told of the decks: their sizes."""
    return {name: len(data) for name, data in deck_files(found).items()}


def render(*sources: Path, with_decks: bool = True) -> dict[str, bytes]:
    """The site's files for the palaces in `sources` (with fake decks unless told not to)."""
    found = palaces(*sources)
    return render_site(found, decks_for(found) if with_decks else {})


@pytest.fixture(scope="module")
def seed() -> dict[str, bytes]:
    """The site of the repository's own palace."""
    return render(SEED)


@pytest.fixture(scope="module")
def both() -> dict[str, bytes]:
    """The hostile palace next to the seed: home lists palaces, notes try to break out."""
    return render(HOSTILE, SEED)


def page(files: dict[str, bytes], path: str) -> etree.Element:
    """One rendered page, parsed strictly."""
    return dom.parse(files[path])


def html_pages(files: dict[str, bytes]) -> list[str]:
    return [path for path in files if path.endswith(".html")]
