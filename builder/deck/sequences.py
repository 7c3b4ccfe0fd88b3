"""A locus' steps as Sequence cards show them, the way overlapping cloze teaches an ordered
list: a card per step shows only the steps before it (at most two) and asks for the next; its
back, and the card that asks for the whole list, show every step in order.

Places and concepts come in as field HTML (escaped names, `markup.inline` concepts).
"""

from __future__ import annotations


def _head(place: str, concept: str, asked: int, count: int) -> str:
    """A sequence's name (its locus' concept) and place, and which step is asked (0: none)."""
    where = f" · step {asked} of {count}" if asked else f" · {count} steps"
    return (
        f'<div class="sequence-head"><span class="sequence-concept">{concept}</span> at '
        f'<span class="sequence-locus">{place}</span>{where}</div>'
    )


def _item(place: str, concept: str, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return (
        f'<li{attribute}><span class="step-locus">{place}</span>: '
        f'<span class="step-concept">{concept}</span></li>'
    )


_SHOWN_BEFORE = 2  # steps before the asked one on a Sequence card's front (overlapping cloze)


def so_far(place: str, concept: str, steps: list[tuple[str, str]], asked: int) -> str:
    """A step's Sequence front: the sequence, at most two steps before it, and its own place
    with a blank; never a later step."""
    first = max(1, asked - _SHOWN_BEFORE)
    items = [_item(*step) for step in steps[first - 1 : asked - 1]]
    items.append(
        f'<li class="asked"><span class="step-locus">{steps[asked - 1][0]}</span>: '
        '<span class="blank">?</span></li>'
    )
    head = _head(place, concept, asked, len(steps))
    return f'{head}<ol class="steps" start="{first}">{"".join(items)}</ol>'


def whole_sequence(place: str, concept: str, steps: list[tuple[str, str]], asked: int) -> str:
    """The whole sequence in order, the step at `asked` (from 1; 0: none) marked: a Sequence
    card's back, and the front's question for the locus itself. Empty without steps."""
    if not steps:
        return ""
    items = [_item(*step, "asked" if n == asked else "") for n, step in enumerate(steps, 1)]
    return f'{_head(place, concept, asked, len(steps))}<ol class="steps">{"".join(items)}</ol>'
