"""Records → JSON or CSV on stdout (`palace export`), for scripts and other tools."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from builder.notes.records import Palace, Picture, Stop

CSV_COLUMNS = (
    "palace",
    "room",
    "number",
    "id",
    "parent",
    "locus",
    "concept",
    "description",
    "note",
    "image",
    "source",
    "line",
)


def _image(picture: Picture | None) -> str | None:
    return picture.name if picture else None


def palace_dict(palace: Palace) -> dict[str, Any]:
    """The JSON shape documented in README ("Export")."""
    return {
        "id": palace.id,
        "title": palace.title,
        "source": palace.source,
        "rooms": [
            {
                "id": room.id,
                "name": room.name,
                "note": room.note,
                "image": _image(room.picture),
                "line": room.line,
                "loci": [
                    {
                        "id": locus.id,
                        "locus": locus.place,
                        "concept": locus.concept,
                        "description": locus.description,
                        "note": locus.note,
                        "image": _image(locus.picture),
                        "line": locus.line,
                        "steps": [
                            {
                                "id": step.id,
                                "locus": step.place,
                                "concept": step.concept,
                                "description": step.description,
                                "line": step.line,
                            }
                            for step in locus.steps
                        ],
                    }
                    for locus in room.loci
                ],
            }
            for room in palace.rooms
        ],
    }


def to_json(palaces: tuple[Palace, ...]) -> str:
    data = {"palaces": [palace_dict(palace) for palace in palaces]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _row(palace: Palace, stop: Stop) -> list[str]:
    return [
        palace.title,
        stop.room.name,
        str(stop.number),
        stop.id,
        stop.locus.id if stop.step else "",
        stop.place,
        stop.concept,
        stop.description,
        "" if stop.step else (stop.locus.note or ""),
        "" if stop.step else (_image(stop.locus.picture) or ""),
        palace.source,
        str(stop.line),
    ]


def to_csv(palaces: tuple[Palace, ...]) -> str:
    """One row per stop on the walk (loci and steps), in walk order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for palace in palaces:
        writer.writerows(_row(palace, stop) for stop in palace.walk)
    return out.getvalue()
