"""The settings of a palace project: `palace.toml`, or `[tool.palace]` in `pyproject.toml`.

Both are looked for in the folder palace runs in (the one that holds `source/`). `palace.toml`
has the settings at its top level; `pyproject.toml` has them in its `[tool.palace]` table. When
both configure palace, that is an error: an owner who edits one and sees nothing happen would
not guess that the other wins. Every key is optional; an unknown key or a value of the wrong
kind is an error naming the file and the key (exit 2, like a wrong option); every such error
in the file is reported at once, one a line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.errors import UsageError

PALACE_TOML = "palace.toml"
PYPROJECT = "pyproject.toml"
# The deck's card kinds, in template order (builder.deck.ALL_KINDS; a test keeps them equal).
# Named here so reading the settings does not import the deck builder.
CARD_KINDS = ("place-concept", "concept-place", "route", "sequence")
DEFAULT_OUT = "site"
DEFAULT_LANG = "en"
DEFAULT_NEW_CARDS_PER_DAY = 20  # Anki's default too
MAX_NEW_CARDS_PER_DAY = 100_000
MAX_EPOCH = 253_402_300_799  # 9999-12-31 23:59:59 UTC
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


class ConfigError(UsageError):
    """The configuration file cannot be read, or has an unknown key or a wrong value."""


@dataclass(frozen=True, slots=True)
class Config:
    """The settings, defaults filled in. `file` is where they came from (None: defaults)."""

    title: str | None = None  # the study site's title; None: the palace's (or "Memory palaces")
    base_url: str | None = None  # where the site is published, ends in "/"; None: no sitemap
    lang: str = DEFAULT_LANG  # the language of the notes, for <html lang>
    card_kinds: tuple[str, ...] = CARD_KINDS
    deck_prefix: str = ""  # a parent deck for every palace's deck in Anki, e.g. "Study::ML"
    out: str = DEFAULT_OUT  # the output folder, relative to the project folder
    new_cards_per_day: int = DEFAULT_NEW_CARDS_PER_DAY  # the site quiz's new cards a day
    file: str | None = None

    def values(self) -> dict[str, Any]:
        """The settings as plain data (what a build depends on), without `file`."""
        return {
            "title": self.title,
            "base_url": self.base_url,
            "lang": self.lang,
            "card_kinds": list(self.card_kinds),
            "deck_prefix": self.deck_prefix,
            "out": self.out,
            "new_cards_per_day": self.new_cards_per_day,
        }


KEYS = tuple(sorted(Config().values()))


def load_config(folder: Path = Path()) -> Config:
    """The settings of the project in `folder`: from `palace.toml` or `pyproject.toml`."""
    source_date_epoch()  # the environment's one setting: wrong, it stops every command too
    own = folder / PALACE_TOML
    pyproject = folder / PYPROJECT
    table = None
    if pyproject.is_file():
        tool = _read(pyproject).get("tool", {})
        table = tool.get("palace") if isinstance(tool, dict) else None
    if own.is_file():
        if table is not None:
            raise ConfigError(
                f"{_name(own)} and [tool.palace] in {_name(pyproject)} both configure palace: "
                "keep one of them"
            )
        data = _read(own)
        if "tool" in data and isinstance(data["tool"], dict) and "palace" in data["tool"]:
            raise ConfigError(
                f"{_name(own)}: the settings go at the top level of {PALACE_TOML}, "
                "without [tool.palace]"
            )
        return _settings(data, _name(own), "")
    if table is None:
        return Config()
    if not isinstance(table, dict):
        raise ConfigError(f"{_name(pyproject)}: [tool.palace] must be a table, not {_shown(table)}")
    return _settings(table, _name(pyproject), "[tool.palace] ")


def source_date_epoch() -> int | None:
    """`SOURCE_DATE_EPOCH`, the time reproducible builds give new and changed notes (a whole
    number of seconds, up to the year 9999); None when it is not set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    if not (epoch.isascii() and epoch.isdigit()) or int(epoch) > MAX_EPOCH:
        raise ConfigError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {epoch!r}")
    return int(epoch)


def _name(path: Path) -> str:
    return path.as_posix()


def _read(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a file to read

    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigError(f"{_name(path)}: cannot read: {reason}") from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _TOML_POSITION.search(message)
        if where is None:
            raise ConfigError(f"{_name(path)}: invalid TOML: {message}") from error
        line, col = where.groups()
        message = message[: where.start()]
        raise ConfigError(f"{_name(path)}:{line}:{col}: invalid TOML: {message}") from error


def _settings(data: dict[str, Any], file: str, table: str) -> Config:
    where = f" in {table.strip()}" if table else ""
    problems = {  # key → what is wrong with it
        key: f"{file}: unknown key '{key}'{where} (known: {', '.join(KEYS)})"
        for key in data
        if key not in KEYS
    }

    def fail(key: str, expected: str) -> None:
        problems[key] = f"{file}: {table}{key} must be {expected}, not {_shown(data[key])}"

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            fail(key, "a non-empty string" if isinstance(value, str) else "a string")
            return None
        return value.strip()

    base_url = text("base_url")
    if base_url is not None and not _URL.fullmatch(base_url):
        fail("base_url", 'an http:// or https:// URL like "https://example.org/palace/"')
    lang = text("lang")
    if lang is not None and not _LANG.fullmatch(lang):
        fail("lang", 'a language tag like "en" or "de-CH"')
    prefix = text("deck_prefix")
    levels = [level.strip() for level in prefix.split("::")] if prefix is not None else []
    if not all(levels):
        fail("deck_prefix", 'deck names separated by "::", like "Study::ML"')
    config = Config(
        title=text("title"),
        base_url=base_url if base_url is None or base_url.endswith("/") else base_url + "/",
        lang=lang or DEFAULT_LANG,
        card_kinds=_kinds(data, fail),
        deck_prefix="::".join(levels),
        out=text("out") or DEFAULT_OUT,
        new_cards_per_day=_new_per_day(data, fail),
        file=file,
    )
    if problems:
        raise ConfigError("\n".join(problems[key] for key in data if key in problems))
    return config


def _new_per_day(data: dict[str, Any], fail: Callable[[str, str], None]) -> int:
    value = data.get("new_cards_per_day", DEFAULT_NEW_CARDS_PER_DAY)
    # bool is an int to Python, not to TOML's reader: `true` is not a number of cards
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= MAX_NEW_CARDS_PER_DAY
    ):
        fail("new_cards_per_day", f"a whole number from 0 to {MAX_NEW_CARDS_PER_DAY:,}")
        return DEFAULT_NEW_CARDS_PER_DAY
    return value


def _kinds(data: dict[str, Any], fail: Callable[[str, str], None]) -> tuple[str, ...]:
    value = data.get("card_kinds", CARD_KINDS)
    known = ", ".join(f'"{kind}"' for kind in CARD_KINDS)
    if (
        not isinstance(value, list | tuple)
        or not value
        or any(kind not in CARD_KINDS for kind in value)
        or len(set(value)) != len(value)
    ):
        fail("card_kinds", f"a list of different card kinds from {known}")
        return CARD_KINDS
    return tuple(kind for kind in CARD_KINDS if kind in value)


def _shown(value: Any) -> str:
    """A value as TOML would write it: `42`, `"text"`, `true`, `["a", 1]`, `a table`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    if isinstance(value, dict):
        return "a table"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
