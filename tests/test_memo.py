"""The memory of rendered pieces between builds, and which outputs a build may keep."""

from __future__ import annotations

import marshal
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from builder.cache import memo


@pytest.fixture(autouse=True)
def _in_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo lives in `.palace-cache/` of the folder palace runs in: a temporary one."""
    monkeypatch.chdir(tmp_path)


def test_equal_values_digest_alike_however_python_shares_them() -> None:
    shared = "kitchen" * 3
    assert memo.digest((shared, shared)) == memo.digest(("kitchen" * 3, "".join(["kitchen"] * 3)))
    assert memo.digest("a", ("b",)) != memo.digest("a", ("c",))
    assert memo.digest("ab", "") != memo.digest("a", "b")


def test_a_table_makes_each_value_once_and_the_next_build_keeps_only_what_was_used(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    first = memo.Memo("stamp-1")
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    for key in ("stove", "sink", "stove"):
        assert first.table("rows").get(key, partial(make, key)) == key.upper()
    assert made == ["stove", "sink"]
    memo.save(out, first)

    second = memo.load(out, "stamp-1")
    assert remembered(out, "stamp-1") == {"rows": {"stove": "STOVE", "sink": "SINK"}}
    rows = second.table("rows")
    assert rows.get("stove", lambda: "made again") == "STOVE"
    assert (rows.hits, rows.misses) == (1, 0)
    memo.save(out, second)
    assert remembered(out, "stamp-1") == {"rows": {"stove": "STOVE"}}  # "sink" went unused


def remembered(out: Path, stamp: str) -> dict[str, dict[Any, Any]]:
    """Exactly what the next build finds in the memo, every table read."""
    old = memo.load(out, stamp)._old_file
    if old is None:
        return {}
    try:
        return {name: table for name in old.parts if (table := old.table(name))}
    finally:
        old.close()


def saved(out: Path, stamp: str, tables: dict[str, dict[Any, Any]]) -> None:
    """A build with `stamp` that used exactly `tables`, saved."""
    made = memo.Memo(stamp)
    for name, entries in tables.items():
        for key, value in entries.items():
            made.table(name).get(key, lambda value=value: value)
    memo.save(out, made)


TABLES = {"rows": {("room", 1): "<li>1</li>", "stove": "STOVE"}, "inline": {"*a*": b"<em>a</em>"}}


def values(data: bytes) -> list[Any]:
    """The marshal dumps of a memo file, each after its length."""
    found = []
    while data:
        length = int.from_bytes(data[:8], "little")
        found.append(marshal.loads(data[8 : 8 + length]))
        data = data[8 + length :]
    return found


def framed(*found: Any) -> bytes:
    return b"".join(len(d).to_bytes(8, "little") + d for d in map(marshal.dumps, found))


def parts(tables: dict[str, dict[Any, Any]]) -> list[Any]:
    """A table's name, then its entries, for each table."""
    return [value for name, entries in tables.items() for value in (name, entries)]


def test_the_file_is_marshal_dumps_of_a_header_and_tables_in_parts(tmp_path: Path) -> None:
    out = tmp_path / "site"
    saved(out, "code-1", TABLES)
    assert values(memo.memo_file(out).read_bytes()) == [
        {"format": memo.FORMAT, "stamp": "code-1"},
        *parts(TABLES),
    ]
    assert remembered(out, "code-1") == TABLES
    assert memo.memo_file(out) == tmp_path / ".palace-cache" / "site.memo"
    assert (tmp_path / ".palace-cache" / ".gitignore").is_file()


def test_another_stamp_or_format_remembers_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    saved(out, "code-1", TABLES)
    assert remembered(out, "code-2") == {}
    file = memo.memo_file(out)
    for other in (memo.FORMAT - 1, memo.FORMAT + 1, "3", None):
        file.write_bytes(framed({"format": other, "stamp": "code-1"}, *parts(TABLES)))
        assert remembered(out, "code-1") == {}, other
    file.write_bytes(framed({"format": memo.FORMAT, "stamp": "code-1"}, *parts(TABLES)))
    assert remembered(out, "code-1") == TABLES


def test_a_big_table_is_saved_in_parts_and_read_back_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    rows = {number: f"<li>{number}</li>" for number in range(memo.PART * 2 + 1)}
    saved(out, "code-1", {"rows": rows})
    found = values(memo.memo_file(out).read_bytes())
    assert found[1::2] == ["rows"] * 3
    assert [len(part) for part in found[2::2]] == [memo.PART, memo.PART, 1]
    assert remembered(out, "code-1") == {"rows": rows}


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:1],
        lambda data: b"",
        lambda data: b"\x00 not marshal",
        lambda data: data[:-1],
        lambda data: data + b"\x01",
        lambda data: framed(["format", 3]),  # marshal, but not a memo
        lambda data: marshal.dumps({"format": memo.FORMAT, "stamp": "code-1", "tables": {}}),
        lambda data: framed({"format": memo.FORMAT, "stamp": "code-1"}, [1]),
        lambda data: framed({"format": memo.FORMAT, "stamp": "code-1"}, "t", 1),
        lambda data: framed({"format": memo.FORMAT, "stamp": "code-1"}, 1, {}),
        lambda data: framed({"format": memo.FORMAT, "stamp": "code-1"}, "t"),
    ],
)
def test_a_file_that_cannot_be_read_is_discarded_whole(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    out = tmp_path / "site"
    saved(out, "code-1", TABLES)
    file = memo.memo_file(out)
    file.write_bytes(damage(file.read_bytes()))
    assert remembered(out, "code-1") == {}
    saved(out, "code-1", {"rows": {"new": "NEW"}})  # and the next save writes it anew
    assert remembered(out, "code-1") == {"rows": {"new": "NEW"}}


def test_a_missing_file_or_cache_folder_remembers_nothing(tmp_path: Path) -> None:
    assert remembered(tmp_path / "site", "code-1") == {}


def test_saving_replaces_the_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "site"
    saved(out, "code-1", TABLES)
    first = memo.memo_file(out).stat().st_ino
    saved(out, "code-1", {"rows": {"stove": "STOVE"}})
    assert memo.memo_file(out).stat().st_ino != first  # renamed over, not written in place
    assert sorted(path.name for path in (tmp_path / ".palace-cache").iterdir()) == [
        ".gitignore",
        "site.memo",
    ]


def test_a_failed_save_leaves_the_previous_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    saved(out, "code-1", TABLES)

    def fail(source: object, target: object) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr("os.replace", fail)
        saved(out, "code-1", {"rows": {"stove": "STOVE"}})  # harmless: no error
    assert remembered(out, "code-1") == TABLES
    assert sorted(path.name for path in (tmp_path / ".palace-cache").iterdir()) == [
        ".gitignore",
        "site.memo",
    ]


def test_a_streamed_table_writes_its_parts_as_the_build_goes_and_keeps_none(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    rows: dict[Any, Any] = {number: f"<li>{number}</li>" for number in range(memo.PART * 2 + 1)}
    saved(out, "code-1", {"rows": rows, "inline": {"*a*": "<em>a</em>"}})
    build = memo.load(out, "code-1")
    table = build.table("rows", streamed=True)
    for number in range(memo.PART + 1):
        assert table.get(number, lambda: "made") == rows[number]
    assert len(table.entries()) == 1  # a part went into the next file already
    assert len(table._old) == memo.PART  # and each old entry used is let go
    (temp,) = (tmp_path / ".palace-cache").glob(".palace-*.tmp")
    assert table.get(0, lambda: "made again") == "made again"  # asked again: made again
    assert build.table("inline").get("*a*", lambda: "made") == "<em>a</em>"  # held
    memo.save(out, build)
    assert not temp.exists()
    assert remembered(out, "code-1") == {
        "rows": {**{n: rows[n] for n in range(1, memo.PART + 1)}, 0: "made again"},
        "inline": {"*a*": "<em>a</em>"},
    }


def test_a_build_that_fails_leaves_the_memo_and_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "site"
    rows = {number: str(number) for number in range(memo.PART * 2)}
    saved(out, "code-1", {"rows": rows})
    build = memo.load(out, "code-1")
    table = build.table("rows", streamed=True)
    for number in range(memo.PART * 2):
        table.get(number, lambda: "made")
    build.close()  # what the build does when it fails
    assert sorted(path.name for path in (tmp_path / ".palace-cache").iterdir()) == [
        ".gitignore",
        "site.memo",
    ]
    assert remembered(out, "code-1") == {"rows": rows}


def test_without_a_file_a_streamed_table_holds_everything() -> None:
    held = memo.Memo("stamp")
    table = held.table("rows", streamed=True)
    for number in range(memo.PART * 2):
        table.get(number, lambda number=number: str(number))  # type: ignore[misc]
    assert marshal.loads(held.dumps())["tables"]["rows"] == {
        number: str(number) for number in range(memo.PART * 2)
    }


def test_reuse_keeps_only_files_with_the_same_key() -> None:
    reuse = memo.Reuse({"index.html": "k1", "room/index.html": "k2"})
    assert reuse.keep("index.html", "k1") is True
    assert reuse.keep("room/index.html", "changed") is False
    assert reuse.keep("new.html", "k3") is False
    assert reuse.kept == {"index.html"}
    assert reuse.keys == {"index.html": "k1", "room/index.html": "changed", "new.html": "k3"}
