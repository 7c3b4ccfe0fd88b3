"""Where Anki keeps a profile's collection, found as Anki's own profile manager finds it
(`qt/aqt/profiles.py`): `$ANKI_BASE` when set, else `%APPDATA%\\Anki2` on Windows,
`~/Library/Application Support/Anki2` on macOS and `$XDG_DATA_HOME/Anki2` (by default
`~/.local/share/Anki2`) elsewhere; each profile is a folder there holding `collection.anki2`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from builder.errors import UsageError

COLLECTION_FILE = "collection.anki2"


def anki_base(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """Anki's data folder, holding one folder per profile."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get("ANKI_BASE"):
        return Path(env["ANKI_BASE"])
    home = Path(env.get("HOME") or env.get("USERPROFILE") or Path.home())
    if platform == "win32":
        return Path(env.get("APPDATA") or home / "AppData" / "Roaming") / "Anki2"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Anki2"
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "Anki2"


def collection_path(profile: str | None, collection: str | None) -> Path:
    """The collection file named by `--collection`, or that of the profile `--profile`.
    Raises UsageError when there is none: the engine would create a new, empty collection."""
    if collection is not None:
        path = Path(collection)
        if not path.is_file():
            raise UsageError(f"{path.as_posix()}: no Anki collection there (a collection.anki2)")
        return path
    assert profile is not None
    if not profile.strip() or Path(profile).name != profile or profile in (".", ".."):
        raise UsageError(
            f"--profile '{profile}': give the name of an Anki profile, as Anki shows it"
        )
    base = anki_base()
    path = base / profile / COLLECTION_FILE
    if not path.is_file():
        found = sorted(p.parent.name for p in base.glob(f"*/{COLLECTION_FILE}"))
        there = f"profiles there: {', '.join(found)}" if found else "no profile there"
        raise UsageError(f"no Anki profile '{profile}' in {base.as_posix()} ({there})")
    return path
