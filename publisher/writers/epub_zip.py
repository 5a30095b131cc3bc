"""An EPUB's files → its zip container's bytes, the same bytes for the same files.

``mimetype`` comes first and stored, the rest in the order given, deflated, with one timestamp.
Deflating is most of the cost of packing a long book, and a rebuild after an edit changes one
chapter: a member an earlier build made (its size, checksum and deflated bytes) is copied as it
is. `zipfile` can only compress what it is given, so
the container's records are written here (APPNOTE 6.3: local headers, central directory, end
record; no ZIP64: an EPUB is far below 4 GiB).
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import datetime

LEVEL = 9
STORED, DEFLATED = 0, 8
VERSION = 20  # 2.0: deflate
MADE_BY = (3 << 8) | VERSION  # on Unix, so the permissions below are read
PERMISSIONS = 0o100644 << 16  # a regular file, rw-r--r--
UTF8_NAMES = 1 << 11


@dataclass(frozen=True)
class Member:
    """One file of the container, as the zip holds it."""

    name: str
    size: int  # of the file's bytes
    crc: int  # theirs
    packed: bytes  # the bytes themselves (stored), or their raw deflate stream
    method: int = DEFLATED


def deflate(data: bytes) -> bytes:
    """`data` as a raw deflate stream (no zlib header), as a zip member holds it."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def member(name: str, data: bytes) -> Member:
    """A file's member, deflated (`mimetype` stored)."""
    if name == "mimetype":
        return Member(name, len(data), zlib.crc32(data), data, STORED)
    return Member(name, len(data), zlib.crc32(data), deflate(data))


def pack(members: list[Member], moment: datetime) -> bytes:
    """The zip container: `mimetype` first (EPUB OCF asks), then the members in the order given."""
    if moment.year < 1980:  # the zip's dates begin then
        moment = moment.replace(year=1980, month=1, day=1, hour=0, minute=0, second=0)
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    date = ((moment.year - 1980) << 9) | (moment.month << 5) | moment.day
    ordered = sorted(members, key=lambda m: m.name != "mimetype")
    out, directory = bytearray(), bytearray()
    for item in ordered:
        name = item.name.encode("utf-8")
        flags = 0 if name.isascii() else UTF8_NAMES
        fields = (VERSION, flags, item.method, time, date, item.crc, len(item.packed), item.size, len(name))
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, MADE_BY, *fields, 0, 0, 0, 0, PERMISSIONS,
                                 len(out)) + name
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + name + item.packed
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(ordered), len(ordered), len(directory), len(out), 0)
    return bytes(out + directory + end)
