"""A key (a hash of everything that shapes a piece of work) → the bytes it made before, kept on disk.

A rebuild after an edit redoes only what the edit touched: the chapters converted to HTML
(`html/`), the documents set in pages (`parts/`, with the fonts they embed in `fonts/`), each
chapter's EPUB file, deflated (`epub/`), the typographic cover (`covers/`). A key
covers the input and the versions of the code that made the entry, so an entry is never stale;
each entry carries a checksum, so a damaged one is a miss, not a wrong page. Entries are written
atomically: a killed build or two builds at once (several processes, several machines on one
shared folder) leave whole entries or none.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

LIMIT_BYTES = 1 << 30  # past this, the least recently used entries go
PRUNE_EVERY = 600  # seconds: builds in a row (a batch, a watch) walk the cache once in this long


def default_root() -> Path:
    """$PUBLISHER_CACHE, else the user's cache folder."""
    if os.environ.get("PUBLISHER_CACHE"):
        return Path(os.environ["PUBLISHER_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "publisher"


def keep(path: Path, data: bytes) -> bool:
    """Store a file of the cache atomically (a reader never sees half of it); False when the disk
    will not take it, which costs the next build time but never this one its result."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
        return True
    except OSError:
        temporary.unlink(missing_ok=True)
        return False


def key(*fields: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in fields:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class Shelf:
    """One kind of entry (`html`, `parts`) by key, each stored after its sha256; with no root, a
    shelf that keeps nothing (no cache asked for, or a folder that cannot be written)."""

    def __init__(self, root: Path | None, kind: str):
        self.folder = None if root is None else root / kind
        try:
            if self.folder is not None:
                self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            self.folder = None

    def _path(self, name: str) -> Path:
        return self.folder / name[:2] / name

    def get(self, name: str) -> bytes | None:
        if self.folder is None:
            return None
        path = self._path(name)
        try:
            sha, data = path.read_bytes().split(b"\n", 1)
        except (OSError, ValueError):
            return None
        if hashlib.sha256(data).hexdigest().encode() != sha:
            return None
        try:
            os.utime(path)  # recently used: pruned last
        except OSError:
            pass
        return data

    def put(self, name: str, data: bytes) -> None:
        if self.folder is None:
            return
        path = self._path(name)
        try:
            path.parent.mkdir(exist_ok=True)
        except OSError:
            return
        keep(path, hashlib.sha256(data).hexdigest().encode() + b"\n" + data)


def prune(root: Path | None, limit: int = LIMIT_BYTES, force: bool = False) -> None:
    """Drop the least recently used entries and fonts until the cache is under `limit`; another
    build's half-written files (dot files) are left alone. Walking a big cache costs time, so it is
    done at most once in PRUNE_EVERY seconds unless forced."""
    if root is None:
        return
    marker = root / ".pruned"
    try:
        if not force and time.time() - marker.stat().st_mtime < PRUNE_EVERY:
            return
        marker.touch()
    except FileNotFoundError:
        keep(marker, b"")
    except OSError:
        return
    entries = []
    for path in [*root.glob("*/*/*"), *root.glob("fonts/*")]:
        try:
            if not path.name.startswith(".") and path.is_file():
                status = path.stat()
                entries.append((status.st_mtime, status.st_size, path))
        except OSError:
            continue  # pruned by another build meanwhile
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
        total -= size
