"""The one Anki note type every palace deck uses: frozen fields, four card templates, CSS.

Anki matches a note type by id; when its fields or templates (count, names, order) differ from
the collection's, the importer makes a second note type and skips the existing notes. So the
names below are frozen forever; only the *content* of templates and CSS may change, and a change
reaches Anki because the note type's `mod` grows (see `changes.py`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

MODEL_NAME = "Palace locus"

# The fields of every note, in order. NEVER rename, reorder, add or remove one: Anki would make
# a second note type and skip every existing note on import. Id comes first, so Anki's
# "duplicate first field" check sees a unique value; Position is the sort field.
FIELDS: tuple[str, ...] = (
    "Id",  # <palace id>/<stop id>: the identity the GUID is derived from; never shown
    "Palace",  # palace title
    "Room",  # room name
    "Parent",  # for a step: the locus it belongs to; empty for a locus
    "Locus",  # the place of this stop
    "Position",  # walk number of this stop, 1 = first: the sort field
    "Previous",  # the place you came from; empty at the start of the walk
    "Concept",  # what lives here (rendered Markdown)
    "Description",  # (rendered Markdown)
    "Note",  # the mnemonic, the vivid image (rendered Markdown)
    "Picture",  # <img> of the locus (a step shows its locus' picture)
    "RoomPicture",  # <img> of the room
    "Next",  # the next place on the walk; empty at the end
    "NextConcept",  # what lives there (rendered Markdown)
    "Sequence",  # for a step: its locus' steps in order, this one blanked; empty otherwise
)
SORT_FIELD = FIELDS.index("Position")


class CardKind(NamedTuple):
    name: str  # the `kinds` name used in configuration
    template: str  # the card type's name in Anki: frozen like the fields
    files: str  # stem of the template files in cards/


# In template order (= Anki's card `ord`). NEVER rename, reorder or remove one.
CARD_KINDS: tuple[CardKind, ...] = (
    CardKind("place-concept", "Place → Concept", "place-concept"),
    CardKind("concept-place", "Concept → Place", "concept-place"),
    CardKind("route", "Route", "route"),
    CardKind("sequence", "Sequence", "sequence"),
)
ALL_KINDS = frozenset(kind.name for kind in CARD_KINDS)


def stable_id(name: str) -> int:
    """A fixed Anki id for a stable name: 47 bits of its SHA-256, kept below 2**53 (JSON-safe)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return (1 << 47) | (int.from_bytes(digest[:8], "big") & ((1 << 47) - 1))


MODEL_ID = stable_id("palace/note-type/locus")


class Design(NamedTuple):
    """What Anki shows: templates (front, back) in card order, and the CSS."""

    templates: tuple[tuple[str, str], ...]
    css: str

    @property
    def checksum(self) -> str:
        return design_checksum(
            FIELDS,
            [(k.template, *t) for k, t in zip(CARD_KINDS, self.templates, strict=True)],
            self.css,
        )


def design_checksum(fields: Iterable[str], templates: Iterable[Sequence[str]], css: str) -> str:
    """Checksum of what the note type shows; also computed from a previous deck's note type."""
    data = json.dumps([list(fields), [list(t) for t in templates], css], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def checksum_of_model_json(model: Mapping[str, Any]) -> str:
    """`design_checksum` of a note type as stored in a deck's `col.models` JSON."""
    fields = [field["name"] for field in model.get("flds", [])]
    templates = [(t["name"], t["qfmt"], t["afmt"]) for t in model.get("tmpls", [])]
    return design_checksum(fields, templates, str(model.get("css", "")))


@cache
def design() -> Design:
    """The templates and CSS, read once from the package data in `cards/`."""
    cards = resources.files(__package__).joinpath("cards")
    templates = tuple(
        (
            cards.joinpath(f"{kind.files}.front.html").read_text("utf-8"),
            cards.joinpath(f"{kind.files}.back.html").read_text("utf-8"),
        )
        for kind in CARD_KINDS
    )
    return Design(templates, cards.joinpath("style.css").read_text("utf-8"))


def model_json(design: Design, mod: int, deck_id: int) -> dict[str, Any]:
    """The note type as Anki's legacy collection stores it in `col.models` (the JSON genanki
    0.13 writes, key for key: `tests/test_deck.py` holds the two side by side)."""
    return {
        "css": design.css,
        "did": deck_id,
        "flds": [_field_json(number, name) for number, name in enumerate(FIELDS)],
        "id": str(MODEL_ID),
        "latexPost": LATEX_POST,
        "latexPre": LATEX_PRE,
        "latexsvg": False,
        "mod": mod,
        "name": MODEL_NAME,
        "req": required_fields(design),
        "sortf": SORT_FIELD,
        "tags": [],
        "tmpls": [
            _template_json(number, kind.template, front, back)
            for number, (kind, (front, back)) in enumerate(
                zip(CARD_KINDS, design.templates, strict=True)
            )
        ],
        "type": 0,
        "usn": -1,
        "vers": [],
    }


def _field_json(number: int, name: str) -> dict[str, Any]:
    return {"name": name, "ord": number, "font": "Liberation Sans", "media": [], "rtl": False,
            "size": 20, "sticky": False}  # fmt: skip


def _template_json(number: int, name: str, front: str, back: str) -> dict[str, Any]:
    return {"name": name, "qfmt": front, "afmt": back, "ord": number, "bafmt": "", "bqfmt": "",
            "bfont": "", "bsize": 0, "did": None}  # fmt: skip


LATEX_PRE = (
    "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n"
    "\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n"
    "\\begin{document}\n"
)
LATEX_POST = "\\end{document}"


@cache
def required_fields(design: Design) -> list[list[Any]]:
    """Anki's legacy `req` of each card type: the fields without which its front shows no field
    at all (`[ord, "all", [field ords]]`), else any of which it needs (`[ord, "any", ...]`).

    Current Anki works this out itself; older versions read it from the note type. The rule is
    genanki's (and Anki 2.1's): render the front with all fields filled but one, or one only."""
    req: list[list[Any]] = []
    for number, (front, _) in enumerate(design.templates):
        tokens = _mustache(front)
        required = [
            i for i, name in enumerate(FIELDS) if not _shows_a_field(tokens, set(FIELDS) - {name})
        ]
        if required:
            req.append([number, "all", required])
            continue
        required = [i for i, name in enumerate(FIELDS) if _shows_a_field(tokens, {name})]
        if not required:
            raise ValueError(f"card type {CARD_KINDS[number].template!r} never shows a field")
        req.append([number, "any", required])
    return req


_MUSTACHE = re.compile(r"{{([#^/]?)\s*(.*?)\s*}}")


def _mustache(template: str) -> list[tuple[str, str]]:
    """The tags of a template: ("#", name) opens a section, ("^", name) an inverted one, ("/",
    name) closes one, ("", name) shows a field."""
    return [(match.group(1), match.group(2)) for match in _MUSTACHE.finditer(template)]


def _shows_a_field(tokens: list[tuple[str, str]], filled: set[str]) -> bool:
    """Whether a front with these tags shows the content of some field when exactly the fields
    in `filled` are non-empty (Mustache: a section shows when its field is non-empty, an
    inverted one when it is empty; an unknown name, e.g. `text:Field`, is empty)."""
    hidden: list[bool] = []  # per open section: whether it hides its content
    for kind, name in tokens:
        if kind in ("#", "^"):
            outer = bool(hidden) and hidden[-1]
            hidden.append(outer or ((name in filled) != (kind == "#")))
        elif kind == "/":
            if hidden:
                hidden.pop()
        elif name in filled and not (hidden and hidden[-1]):
            return True
    return False
