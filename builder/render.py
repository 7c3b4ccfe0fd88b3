"""Step 2 of the pipeline: the decks and the site, rendered in memory from the same records.

The two are independent but for the size of each deck, which the palace page and the home page
show; the site renders those pages last. When a big palace is rendered from scratch, the decks
render in a forked child (`fork.py`) while this process renders the site, so the build uses both
cores; the child sends back the decks and what it added to the memo and to `Reuse`. Either way
the result is the same to the byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from . import fork
from .errors import OutputError

if TYPE_CHECKING:
    from pathlib import Path

    from .config import Config
    from .deck import DeckOutput
    from .memo import Memo, Reuse
    from .records import Palace

# Below this many stops in all, forking costs more than the second core gives back.
FORK_FROM = 2_000


def render_outputs(
    palaces: tuple[Palace, ...],
    out: Path,
    config: Config,
    memo: Memo,
    reuse: Reuse,
    stage: Callable[[str], None],
) -> tuple[DeckOutput, dict[str, bytes]]:
    """Every deck (`render_decks`) and the site's files (`render_site`) of this build."""
    from .deck import deck_name, render_decks  # here: the no-op build never needs them

    def decks() -> DeckOutput:
        return render_decks(
            palaces,
            out,
            kinds=frozenset(config.card_kinds),
            deck_prefix=config.deck_prefix,
            memo=memo,
            reuse=reuse,
        )

    def site(sizes: Mapping[str, int]) -> dict[str, bytes]:
        from .site import render_site  # in the parent only, while the child renders the decks

        return render_site(
            palaces,
            sizes,
            lang=config.lang,
            site_title=config.title,
            base_url=config.base_url,
            memo=memo,
            reuse=reuse,
        )

    if not _worth_forking(palaces, reuse):
        stage("rendering decks")
        rendered = decks()
        stage("rendering site")
        return rendered, site(rendered.sizes)

    stage("rendering decks and site")
    known = set(reuse.keys)

    def in_child() -> tuple[DeckOutput, dict[str, dict[Any, Any]], dict[str, str], set[str]]:
        rendered = decks()
        added = {path: key for path, key in reuse.keys.items() if path not in known}
        return rendered, memo.used(), added, reuse.kept & set(added)

    with fork.Forked(in_child) as child:
        outcome: list[DeckOutput] = []

        def finished() -> DeckOutput:
            if not outcome:  # once: take over what the child added to the memo and to Reuse
                try:
                    rendered, used, keys, kept = child.result()
                except fork.ChildFailed as error:  # e.g. killed for want of memory
                    raise OutputError(
                        f"rendering the decks: {error}; {out.as_posix()} is unchanged"
                    ) from None
                memo.adopt(used)
                reuse.keys.update(keys)
                reuse.kept.update(kept)
                outcome.append(rendered)
            return outcome[0]

        files = site(DeckSizes([deck_name(palace) for palace in palaces], finished))
        return finished(), files


def _worth_forking(palaces: tuple[Palace, ...], reuse: Reuse) -> bool:
    """Whether to render the decks in a child: only when everything is rendered anew (a first
    build, `--full`, new code or settings) and there is plenty of it. After an edit, the
    decks and the site render little, and a child costs more than it saves: it copies every
    page of memory it touches (reference counts are written to), ~20 ms at 10,000 loci."""
    if not reuse.nothing_kept or sum(len(palace.walk) for palace in palaces) < FORK_FROM:
        return False
    return fork.can_fork()


class DeckSizes(Mapping[str, int]):
    """The size of each deck by file name: the names are known from the start, the sizes once
    `sizes()` has them (the first look at one waits for the decks to be rendered)."""

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
