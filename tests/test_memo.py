"""The memory of rendered pieces between builds, and which outputs a build may keep."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from builder import memo


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
    rows = second.table("rows")
    assert rows.peek("sink") == "SINK"  # seen, not kept
    assert rows.get("stove", lambda: "made again") == "STOVE"
    assert (rows.hits, rows.misses) == (1, 0)
    memo.save(out, second)

    third = memo.load(out, "stamp-1").table("rows")
    assert third.peek("stove") == "STOVE"
    assert third.peek("sink") is None


def test_another_stamp_or_a_damaged_file_remembers_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    remembered = memo.Memo("code-1")
    remembered.table("rows").get("stove", lambda: "STOVE")
    memo.save(out, remembered)
    assert memo.load(out, "code-2").table("rows").peek("stove") is None
    memo.memo_file(out).write_bytes(b"\x00 not marshal")
    assert memo.load(out, "code-1").table("rows").peek("stove") is None
    assert (tmp_path / ".palace-cache" / ".gitignore").is_file()


def test_reuse_keeps_only_files_with_the_same_key() -> None:
    reuse = memo.Reuse({"index.html": "k1", "room/index.html": "k2"})
    assert reuse.previous("room/index.html") == "k2"
    assert reuse.keep("index.html", "k1") is True
    assert reuse.keep("room/index.html", "changed") is False
    assert reuse.keep("new.html", "k3") is False
    assert reuse.kept == {"index.html"}
    assert reuse.keys == {"index.html": "k1", "room/index.html": "changed", "new.html": "k3"}
