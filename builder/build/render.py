"""Step 2 of the pipeline: the decks and the site, rendered in memory from the same records.

The two are independent but for the size of each deck, which the palace page and the home page
show; the site renders those pages last. When big notes are rendered anew, the decks render in a
forked child (`decks_beside`, `fork.py`) while this process renders the site, using both cores; the
child sends back the decks and what it added to the memo and to `Reuse`. Either way the result
is the same to the byte.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from builder.build import fork
from builder.build.collector import collector_paused
from builder.errors import OutputError, PalaceError

if TYPE_CHECKING:
    from pathlib import Path

    from builder.config import Config
    from builder.deck import DeckOutput
    from builder.build.memo import Memo, Reuse
    from builder.notes.records import Palace

    # What the child sends back: the decks, what it used of the memo, its `Reuse` keys and the
    # files it kept; None when the notes it read have errors.
    Sent = tuple[DeckOutput, dict[str, dict[Any, Any]], dict[str, str], set[str]] | None
    Beside = fork.Forked[Sent]

# Below this many bytes of notes (~2,000 stops), a child costs more than it saves.
FORK_FROM_BYTES = 150_000


class SavedDuringBuild(Exception):
    """Notes files were saved while the build read and rendered them: build again."""


def decks_beside(
    sources: Sequence[str], out: Path, config: Config, memo: Memo, reuse: Reuse, strict: bool
) -> Beside | None:
    """Start rendering the decks in a forked child, which reads the notes itself, while this
    process reads them too and renders the site; None when it does not pay or cannot be done
    here (`fork.can_fork`).

    It pays when everything is rendered anew (a first build, `--full`, new code or settings)
    and the notes are big: then the site takes ~0.4 s and the decks ~0.2 s at 10,000 loci.
    After an edit, the decks' part (patching the previous deck, ~55 ms) is longer than the
    site's (~25 ms), and reading the notes twice over made the build 35 ms slower, not faster.
    The child is forked before any record is made: records made before would be shared, and
    each process writes to every page of them it touches (reference counts), which copies it.
    Both processes reading the same notes is checked by the build, which compares the files
    with what it read before writing (`Notes.changed_since_read`): the child reads them after
    this process looked at them."""
    if not reuse.nothing_kept:
        return None
    from builder.notes.load import find_notes

    try:
        size = sum(os.stat(notes.file).st_size for notes in find_notes(sources))
    except (OSError, PalaceError):
        return None  # reading the notes says what is wrong
    if size < FORK_FROM_BYTES or not fork.can_fork():
        return None
    from builder.notes.load import load_notes
    from builder.markup import remembering

    known = set(reuse.keys)

    def in_child() -> Sent:
        notes = load_notes(sources)
        if notes.failed(strict):
            return None  # this process reads them too, and says what is wrong
        with collector_paused(), remembering(memo.table("inline")):
            rendered = _decks(notes.palaces, out, config, memo, reuse)
        added = {path: key for path, key in reuse.keys.items() if path not in known}
        return rendered, memo.used(), added, reuse.kept & set(added)

    return fork.Forked(in_child)


def render_outputs(
    palaces: tuple[Palace, ...],
    out: Path,
    config: Config,
    memo: Memo,
    reuse: Reuse,
    stage: Callable[[str], None],
    beside: Beside | None = None,
) -> tuple[DeckOutput, dict[str, bytes]]:
    """Every deck (`render_decks`) and the site's files (`render_site`) of this build; the
    decks from `beside` (`decks_beside`), if given."""
    from builder.deck import deck_name  # here: the no-op build never needs them
    from builder.site import render_site

    def site(sizes: Mapping[str, int]) -> dict[str, bytes]:
        return render_site(
            palaces,
            sizes,
            lang=config.lang,
            site_title=config.title,
            base_url=config.base_url,
            memo=memo,
            reuse=reuse,
        )

    if beside is None:
        stage("rendering decks")
        rendered = _decks(palaces, out, config, memo, reuse)
        stage("rendering site")
        return rendered, site(rendered.sizes)

    stage("rendering decks and site")
    outcome: list[DeckOutput] = []

    def finished() -> DeckOutput:
        if not outcome:  # once: take over what the child added to the memo and to Reuse
            try:
                result = beside.result()
            except fork.ChildFailed as error:  # e.g. killed for want of memory
                raise OutputError(
                    f"rendering the decks: {error}; {out.as_posix()} is unchanged"
                ) from None
            if result is None:  # the child read notes with errors, this process not
                raise SavedDuringBuild("the notes")
            rendered, used, keys, kept = result
            memo.adopt(used)
            reuse.keys.update(keys)
            reuse.kept.update(kept)
            outcome.append(rendered)
        return outcome[0]

    files = site(DeckSizes([deck_name(palace) for palace in palaces], finished))
    return finished(), files


def _decks(
    palaces: tuple[Palace, ...], out: Path, config: Config, memo: Memo, reuse: Reuse
) -> DeckOutput:
    from builder.deck import render_decks  # here: the no-op build never needs it

    return render_decks(
        palaces,
        out,
        kinds=frozenset(config.card_kinds),
        deck_prefix=config.deck_prefix,
        memo=memo,
        reuse=reuse,
    )


class DeckSizes(Mapping[str, int]):
    """The size of each deck by file name: the names are known from the start, the sizes once
    `decks()` returns (the first look at one waits for the decks to be rendered)."""

    def __init__(self, names: list[str], decks: Callable[[], DeckOutput]) -> None:
        self._names, self._decks = names, decks

    def __getitem__(self, name: str) -> int:
        if name not in self._names:
            raise KeyError(name)
        return self._decks().sizes[name]

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
