"""The `.apkg` zip: `collection.anki2`, `media` and the numbered media files, the same bytes for
the same contents.

The collection (several MB) is deflated in fixed chunks of `CHUNK` bytes, each by a fresh
compressor ended with a sync flush, so each chunk's compressed bytes depend on that chunk only;
the chunks' compressed lengths are recorded in an extra field of the zip entry. A deflate stream
made of such pieces, ended by an empty final block, is valid deflate (pigz writes the same).
So a rebuild deflates again only the chunks whose bytes changed, and copies the others from the
previous package: what a package holds decides its bytes, whichever way it was made. Two threads
deflate together (`threads.py`). Pictures that are compressed already are stored.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from typing import NamedTuple

from builder.deck.threads import Background, Parallel, in_parallel

CHUNK = 1 << 16  # bytes of the collection per separately deflated piece
LEVEL = 1  # zlib: 3x faster than the default (6) on a collection; the file ~12% larger
COLLECTION = "collection.anki2"
ZIP_DATE, ZIP_TIME = (0 << 9) | (1 << 5) | 1, 0  # 1980-01-01 00:00, the earliest a zip holds
_CHUNKS_FIELD = 0x4C50  # extra field id ("PL"): chunk size, then each chunk's deflated length
_FINAL = b"\x03\x00"  # an empty final block (fixed Huffman codes): ends the stream
_ALREADY_COMPRESSED = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"})
_VERSION = 20  # "version needed to extract": 2.0, deflate
_MADE_BY = (3 << 8) | _VERSION  # made on Unix: external attributes are Unix modes
_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


class Entry(NamedTuple):
    """One file in a zip, as stored: its bytes compressed or not (`method`), and a CRC-32."""

    name: str
    method: int  # zipfile.ZIP_DEFLATED or zipfile.ZIP_STORED
    crc: int
    size: int  # uncompressed
    data: bytes  # as stored
    extra: bytes = b""

    @property
    def chunks(self) -> list[bytes] | None:
        """The deflated chunks, if this entry was written in chunks of `CHUNK` bytes."""
        offset = 0
        extra = self.extra
        while offset + 4 <= len(extra):
            field, length = struct.unpack_from("<2H", extra, offset)
            body = extra[offset + 4 : offset + 4 + length]
            offset += 4 + length
            if field != _CHUNKS_FIELD or len(body) < 4 or len(body) % 4:
                continue
            chunk, *lengths = struct.unpack(f"<{len(body) // 4}L", body)
            if chunk != CHUNK or sum(lengths) + len(_FINAL) != len(self.data):
                return None
            pieces, start = [], 0
            for length in lengths:
                pieces.append(self.data[start : start + length])
                start += length
            return pieces
        return None

    def contents(self) -> bytes:
        """The uncompressed bytes, checked against the size and CRC-32. Two calls into zlib,
        which lets go of the GIL in each: on a second thread, this runs beside Python work."""
        if self.method == zipfile.ZIP_STORED:
            data = self.data
        else:  # one stream, however it was deflated
            data = zlib.decompress(self.data, -15, self.size or 1)
        if len(data) != self.size or zlib.crc32(data) != self.crc:
            raise ValueError(f"{self.name}: damaged (size or CRC-32 wrong)")
        return data


def read_zip(data: bytes) -> dict[str, Entry]:
    """The entries of a zip held in memory, as stored (nothing is inflated)."""
    entries = {}
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for info in package.infolist():
            fields = _LOCAL.unpack_from(data, info.header_offset)
            if fields[0] != b"PK\x03\x04":
                raise zipfile.BadZipFile(f"{info.filename}: no local header")
            start = info.header_offset + _LOCAL.size + fields[-2] + fields[-1]
            stored = data[start : start + info.compress_size]
            if len(stored) != info.compress_size:
                raise zipfile.BadZipFile(f"{info.filename}: cut short")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise zipfile.BadZipFile(f"{info.filename}: unknown compression")
            entries[info.filename] = Entry(
                info.filename, info.compress_type, info.CRC, info.file_size, stored, info.extra
            )
    return entries


# A collection deflated before: its bytes, and each chunk's deflated bytes (None: not done).
Known = tuple[bytes, Sequence[bytes | None]]


def collection_entry(collection: bytes, known: Known | None) -> Entry:
    """The zip entry of a collection, deflated in chunks; a chunk equal to the same chunk of a
    collection deflated before (`known`: the previous package's, say) is copied, not deflated
    again."""
    crc = Background(lambda: zlib.crc32(collection))  # meanwhile, on another thread
    count = -(-len(collection) // CHUNK)
    deflated: list[bytes | None] = [None] * count
    if known is not None:
        old, pieces = known
        view = memoryview(old)
        for i in range(min(count, len(pieces))):
            start = i * CHUNK
            end = min(start + CHUNK, len(collection))
            if (  # the same bytes (compared in place, not copied)
                pieces[i] is not None
                and end == min(start + CHUNK, len(old))
                and collection.startswith(view[start:end], start)
            ):
                deflated[i] = pieces[i]
    todo = [i for i, piece in enumerate(deflated) if piece is None]
    for i, piece in zip(todo, in_parallel(lambda i: _deflate(collection, i), todo), strict=True):
        deflated[i] = piece
    done = [piece for piece in deflated if piece is not None]
    field = struct.pack(f"<2H{count + 1}L", _CHUNKS_FIELD, 4 * (count + 1), CHUNK,
                        *map(len, done))  # fmt: skip
    data = b"".join((*done, _FINAL))
    return Entry(COLLECTION, zipfile.ZIP_DEFLATED, crc.result(), len(collection), data, field)


def deflate_while(collection: bytes, work: Callable[[], object]) -> list[bytes | None]:
    """The chunks of a collection that `work` (a long call that lets go of the GIL, on a second
    thread) leaves as they are, deflated meanwhile: all but the first (the database header) and
    the last (pages may be added after it). Then the second thread deflates too."""
    middle = range(1, len(collection) // CHUNK - 1)
    job = Parallel(lambda i: _deflate(collection, i), middle, work).start()
    pieces: list[bytes | None] = [None] * (len(collection) // CHUNK)
    for i, piece in zip(middle, job.results(), strict=True):
        pieces[i] = piece
    return pieces


def _deflate(collection: bytes, index: int) -> bytes:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    start = index * CHUNK
    chunk = collection[start : start + CHUNK]
    return compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)


def file_entry(name: str, data: bytes, suffix: str = "") -> Entry:
    """A small file: deflated whole, or stored when it is a compressed picture already."""
    if suffix in _ALREADY_COMPRESSED:
        return Entry(name, zipfile.ZIP_STORED, zlib.crc32(data), len(data), data)
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    stored = compressor.compress(data) + compressor.flush()
    return Entry(name, zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data), stored)


def write_zip(entries: Sequence[Entry]) -> bytes:
    """A zip of `entries` in the given order, with fixed times and attributes."""
    parts: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for entry in entries:
        name = entry.name.encode("ascii")
        common = (_VERSION, 0, entry.method, ZIP_TIME, ZIP_DATE, entry.crc, len(entry.data),
                  entry.size, len(name), len(entry.extra))  # fmt: skip
        local = _LOCAL.pack(b"PK\x03\x04", *common)
        parts += (local, name, entry.extra, entry.data)
        central += (
            _CENTRAL.pack(b"PK\x01\x02", _MADE_BY, *common, 0, 0, 0, _MODE, offset),
            name,
            entry.extra,
        )
        offset += len(local) + len(name) + len(entry.extra) + len(entry.data)
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), offset, 0)
    return b"".join((*parts, directory, end))
