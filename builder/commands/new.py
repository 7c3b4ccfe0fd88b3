"""`palace new DIR`: a ready palace project for a new owner, made from the files in `starter/`.

The project holds an example palace that uses every feature of the notes format, its picture,
a `palace.toml`, the Pages workflow, a `requirements.txt` that installs this version of Palace,
a `.gitignore` and a README; `palace build` works in it at once.
"""

from __future__ import annotations

import json
import re
import shlex
from importlib import resources
from pathlib import Path

from builder import __version__
from builder.errors import PalaceError, UsageError
from builder.notes.assemble import title_from_file_name
from builder.notes.identity import slugify

HOMEPAGE = "https://github.com/palace-notes/palace"  # also [project.urls] in pyproject.toml
# What the new project's workflow installs: the Palace that made the project, from its
# repository (the name `palace` on PyPI belongs to another project).
REQUIREMENT = f"palace-loci @ git+{HOMEPAGE}@v{__version__}"

# Each file of `starter/` and where it goes in a new project ({notes}: the palace's file name).
TEMPLATES = {
    "palace.md": "source/{notes}",
    "front-door.svg": "source/pictures/front-door.svg",
    "palace.toml": "palace.toml",
    "requirements.txt": "requirements.txt",
    "pages.yml": ".github/workflows/pages.yml",
    "gitignore": ".gitignore",  # without the dot here, or git would apply it to this repository
    "README.md": "README.md",
}
_PLACEHOLDER = re.compile(r"\{(title|title_toml|homepage|notes|deck|requirement)\}")


def project_files(title: str) -> dict[str, bytes]:
    """Every file of a new project titled `title`: {path inside the project: bytes}."""
    palace_id = slugify(title, fallback="palace")
    values = {
        "title": title,
        "title_toml": json.dumps(title, ensure_ascii=False),  # a JSON string is a TOML string
        "homepage": HOMEPAGE,
        "notes": f"{palace_id}.md",
        "deck": f"{palace_id}.apkg",
        "requirement": REQUIREMENT,
    }

    def fill(text: str) -> str:
        # one pass, so a title that contains `{notes}` stays as it is
        return _PLACEHOLDER.sub(lambda match: values[match[1]], text)

    return {
        fill(target): fill(_template(name)).encode("utf-8") for name, target in TEMPLATES.items()
    }


def new_project(folder: Path, title: str | None) -> list[str]:
    """Create a palace project in `folder` (new, or empty); the lines to tell the user."""
    if title is None:
        title = title_from_file_name(f"{folder.resolve().name}.md")  # `my-palace` → My palace
    else:
        title = _check_title(title)
    where = folder.as_posix()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{where}: is a file; choose a new folder for the palace")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(
            f"{where}: the folder is not empty; choose a new or empty folder "
            "(palace new never overwrites files)"
        )
    files = project_files(title)
    for name, data in files.items():
        path = folder / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as error:
            raise PalaceError(f"{path.as_posix()}: cannot write: {error.strerror}") from error
    return [
        f"created the palace '{title}' in {where}/:",
        *(f"  {name}" for name in sorted(files)),
        f"next: cd {shlex.quote(where)} && palace build    (then open site/index.html)",
    ]


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise UsageError("--title: the title is empty")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in title):
        raise UsageError("--title: the title must be one line of text")
    return title


def _template(name: str) -> str:
    return resources.files(__package__ or "builder").joinpath("starter", name).read_text("utf-8")
