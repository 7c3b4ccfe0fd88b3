"""The memory of rendered pieces between builds, and which outputs a build may keep."""

from __future__ import annotations

import marshal
import os
import zlib
from functools import partial
from pathlib import Path
from typing import Any

from builder.build import memo


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


# The memo file: a base frame, then one delta frame per build (see `builder/memo.py`).

STAMP = "stamp-1"


def frames(out: Path) -> list[dict[str, Any]]:
    """The payloads of the memo file's frames, each checked as `load` checks it."""
    data = memo.memo_file(out).read_bytes()
    found, start = [], 0
    while start < len(data):
        length, check = memo.HEADER.unpack_from(data, start)
        payload = data[start + memo.HEADER.size : start + memo.HEADER.size + length]
        assert (len(payload), zlib.crc32(payload)) == (length, check)
        found.append(marshal.loads(payload))
        start += memo.HEADER.size + length
    return found


def frame_ends(out: Path) -> list[int]:
    data = memo.memo_file(out).read_bytes()
    ends = [0]
    while ends[-1] < len(data):
        ends.append(ends[-1] + memo.HEADER.size + memo.HEADER.unpack_from(data, ends[-1])[0])
    return ends[1:]


def build(out: Path, used: dict[str, dict[Any, Any]], stamp: str = STAMP) -> memo.Memo:
    """A build that uses exactly `used`, taking what it can from the memo, then saves it."""
    remembered = memo.load(out, stamp)
    for name, entries in used.items():
        table = remembered.table(name)
        for key, value in entries.items():
            assert table.get(key, lambda value=value: value) == value
    memo.save(out, remembered)
    return remembered


def remembered(out: Path, stamp: str = STAMP) -> dict[str, dict[Any, Any]]:
    """Exactly what the next build finds in the memo."""
    return memo.load(out, stamp)._old


def rooms(*numbers: int) -> dict[Any, Any]:
    return {("room", n): f"<li>room {n}</li>" * 3 for n in numbers}


PAGE = {"page": "<p>" * 2000}  # a base big enough that the journal holds a few deltas


def state(*numbers: int) -> dict[str, dict[Any, Any]]:
    """What a build of these rooms uses."""
    return {"page": PAGE, "rows": rooms(*numbers)}


def test_each_build_appends_what_it_changed_and_the_memo_is_what_the_last_one_used(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    builds = [
        {"page": PAGE, "rows": rooms(1, 2, 3), "inline": {"*a*": "<em>a</em>"}},
        {"page": PAGE, "rows": rooms(1, 2, 3, 4), "inline": {"*a*": "<em>a</em>"}},  # a room more
        {"page": PAGE, "rows": rooms(1, 2, 4, 5), "inline": {"*a*": "<em>a</em>"},
         "maps": {"m": (1, b"x")}},
        {"page": PAGE, "rows": rooms(1, 2, 4, 5), "inline": {"*b*": "<em>b</em>"},
         "maps": {"m": (1, b"x")}},
    ]  # fmt: skip
    for used in builds:
        build(out, used)
        assert remembered(out) == used
    assert [len(frame) for frame in frames(out)] == [3, 3, 3, 3]
    base, *deltas = frames(out)
    assert base == {"format": memo.FORMAT, "stamp": STAMP, "tables": builds[0]}
    assert deltas == [
        {"added": {"rows": rooms(4)}, "removed": {}, "dropped": []},
        {
            "added": {"rows": rooms(5), "maps": {"m": (1, b"x")}},
            "removed": {"rows": [("room", 3)]},
            "dropped": [],
        },
        {"added": {"inline": {"*b*": "<em>b</em>"}}, "removed": {"inline": ["*a*"]}, "dropped": []},
    ]


def test_a_delta_removes_keys_and_the_tables_a_build_did_not_use(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, {"page": PAGE, "rows": rooms(1, 2, 3), "maps": {"m": 1}, "empty": {}, "x": {1: 2}})
    build(out, {"page": PAGE, "rows": rooms(2), "empty": {}})
    assert remembered(out) == {"page": PAGE, "rows": rooms(2), "empty": {}}
    assert frames(out)[1] == {
        "added": {},
        "removed": {"rows": [("room", 1), ("room", 3)]},
        "dropped": ["maps", "x"],
    }
    build(out, {"page": PAGE, "maps": {"m": 2}})  # a table dropped comes back
    assert remembered(out) == {"page": PAGE, "maps": {"m": 2}}
    assert len(frames(out)) == 3


def test_a_build_that_changed_nothing_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, {**state(1, 2), "empty": {}})
    build(out, {**state(1, 2, 3), "empty": {}})
    assert len(frames(out)) == 2
    file = memo.memo_file(out)
    os.utime(file, ns=(1_000_000_000, 1_000_000_000))
    before, data = file.stat(), file.read_bytes()
    build(out, {**state(1, 2, 3), "empty": {}})
    after = file.stat()
    assert file.read_bytes() == data
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)


def test_a_frame_cut_short_leaves_the_memo_before_it_and_the_next_save_writes_it_anew(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    build(out, state(1, 2))
    build(out, state(1, 2, 3))
    build(out, state(2, 3, 4))  # the last delta, appended by a build killed midway:
    file = memo.memo_file(out)
    data = file.read_bytes()
    start = frame_ends(out)[-2]
    for cut in (start + 1, start + memo.HEADER.size - 1, start + memo.HEADER.size, len(data) - 1):
        file.write_bytes(data[:cut])
        assert remembered(out) == state(1, 2, 3), cut
        build(out, state(1, 2, 3))  # nothing changed, and yet written anew
        assert [frame["tables"] for frame in frames(out)] == [state(1, 2, 3)]
    file.write_bytes(data[:start])  # cut between frames: a journal one build shorter
    assert remembered(out) == state(1, 2, 3)
    build(out, state(3))
    assert len(frames(out)) == 3
    assert remembered(out) == state(3)


def test_a_damaged_frame_ends_the_memo_and_a_damaged_base_empties_it(tmp_path: Path) -> None:
    out = tmp_path / "site"
    for last in range(1, 5):
        build(out, state(*range(1, last + 1)))
    file = memo.memo_file(out)
    data = file.read_bytes()
    ends = frame_ends(out)
    assert len(ends) == 4
    for flipped, before in (
        (ends[1] + memo.HEADER.size + 5, state(1, 2)),  # in the second delta's payload
        (ends[1] + 4, state(1, 2)),  # in its length: the frame runs into the next one
        (ends[1] + 9, state(1, 2)),  # in its checksum
        (ends[2] + memo.HEADER.size, state(1, 2, 3)),  # the first byte of the last delta
    ):
        file.write_bytes(data[:flipped] + bytes([data[flipped] ^ 0x20]) + data[flipped + 1 :])
        assert remembered(out) == before, flipped
    file.write_bytes(data[:20] + bytes([data[20] ^ 1]) + data[21:])
    assert remembered(out) == {}
    build(out, state(5))
    assert [frame["tables"] for frame in frames(out)] == [state(5)]


def test_another_stamp_starts_empty_and_writes_the_file_anew(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, {"rows": rooms(1)})
    build(out, {"rows": rooms(1, 2)})
    assert remembered(out, "stamp-2") == {}
    build(out, {"rows": rooms(2, 3)}, stamp="stamp-2")
    assert [(frame["stamp"], frame["tables"]) for frame in frames(out)] == [
        ("stamp-2", {"rows": rooms(2, 3)})
    ]
    assert remembered(out) == {}


def test_a_memo_not_loaded_from_the_file_as_it_is_now_writes_it_anew(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out, {"rows": rooms(1)})
    fresh = memo.Memo(STAMP)  # `palace build --full`
    fresh.table("rows").get(("room", 2), lambda: "two")
    memo.save(out, fresh)
    assert [frame["tables"] for frame in frames(out)] == [{"rows": {("room", 2): "two"}}]
    first, second = memo.load(out, STAMP), memo.load(out, STAMP)
    second.table("rows").get(("room", 3), lambda: "three")
    memo.save(out, second)  # appended: the file is no longer the one `first` read
    first.table("rows").get(("room", 4), lambda: "four")
    memo.save(out, first)
    assert [frame["tables"] for frame in frames(out)] == [{"rows": {("room", 4): "four"}}]
    memo.memo_file(out).write_bytes(marshal.dumps({"format": 1, "stamp": STAMP, "tables": {}}))
    assert remembered(out) == {}  # the format before the journal


def test_the_journal_is_compacted_when_its_deltas_outgrow_a_quarter_of_the_base(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    counts = []
    for number in range(12):  # 20 rooms; each build changes one
        used = {"rows": rooms(*range(number, number + 20))}
        build(out, used)
        assert remembered(out) == used
        ends = frame_ends(out)
        assert (ends[-1] - ends[0]) * memo.JOURNAL_SHARE <= ends[0]
        counts.append(len(ends))
    # A base of ~1,280 bytes takes two deltas of 141 bytes; a third would pass a quarter of it.
    assert counts == [1, 2, 3] * 4


def test_the_journal_is_compacted_after_max_deltas_however_small(tmp_path: Path) -> None:
    out = tmp_path / "site"
    for number in range(memo.MAX_DELTAS + 2):
        build(out, {"big": {"page": "x" * 100_000}, "small": {number: number}})
        assert len(frames(out)) == number % (memo.MAX_DELTAS + 1) + 1
    last = memo.MAX_DELTAS + 1
    assert remembered(out) == {"big": {"page": "x" * 100_000}, "small": {last: last}}


def test_what_a_forked_child_used_is_adopted_and_kept(tmp_path: Path) -> None:
    """`render.py` adopts what the child rendering the decks used: no `get` counted it."""
    out = tmp_path / "site"
    build(out, state(1, 2))
    loaded = memo.load(out, STAMP)
    loaded.table("rows").get(("room", 1), lambda: "made again")
    loaded.adopt({"deck": {"package": (b"k", 1)}, "rows": rooms(3)})
    memo.save(out, loaded)
    assert len(frames(out)) == 2
    assert remembered(out) == {"rows": rooms(1, 3), "deck": {"package": (b"k", 1)}}
