"""A key (a hash of everything that shapes a set print document) → that document as set before, kept on disk.

A rebuild after an edit sets again only the chapters whose text changed. A key covers the
document, its style sheets and the versions of publisher and WeasyPrint, so an entry is never
stale; each entry carries a checksum, so a damaged one is a miss, not a wrong page. Entries are
written atomically: a killed build or two builds at once leave whole entries or none.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict
from pathlib import Path

from .jobs import FontSource, SetDocument

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


class Cache:
    """Set documents by key; with no root, a cache that keeps nothing."""

    def __init__(self, root: Path | None):
        self.root = root
        try:
            if root is not None:
                (root / "parts").mkdir(parents=True, exist_ok=True)
                (root / "fonts").mkdir(exist_ok=True)
        except OSError:
            self.root = None  # a cache that cannot be written is no cache: the build goes on without it

    def _path(self, name: str) -> Path:
        return self.root / "parts" / name[:2] / name

    def get(self, name: str) -> SetDocument | None:
        if self.root is None:
            return None
        path = self._path(name)
        try:
            header, pdf = path.read_bytes().split(b"\n", 1)
            meta = json.loads(header)
            if hashlib.sha256(pdf).hexdigest() != meta["sha"]:
                raise ValueError("checksum")
            fonts = tuple(FontSource(**font) for font in meta["fonts"])
            if not all((self.root / "fonts" / font.sha).exists() for font in fonts):
                raise ValueError("font missing")
            firsts = tuple(tuple(first) if first else None for first in meta["firsts"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        try:
            os.utime(path)  # recently used: pruned last
        except OSError:
            pass
        return SetDocument(pdf, firsts, fonts)

    def put(self, name: str, done: SetDocument) -> None:
        if self.root is None:
            return
        path = self._path(name)
        header = json.dumps({"sha": hashlib.sha256(done.pdf).hexdigest(), "firsts": done.firsts,
                             "fonts": [asdict(font) for font in done.fonts]}).encode()
        try:
            path.parent.mkdir(exist_ok=True)
        except OSError:
            return
        keep(path, header + b"\n" + done.pdf)

    def fonts_dir(self) -> Path | None:
        return None if self.root is None else self.root / "fonts"

    def prune(self, limit: int = LIMIT_BYTES, force: bool = False) -> None:
        """Drop the least recently used files (documents, fonts, subsets) until the cache is under
        `limit`; another build's half-written files (dot files) are left alone. Walking a big cache
        costs time, so it is done at most once in PRUNE_EVERY seconds unless forced."""
        if self.root is None:
            return
        marker = self.root / ".pruned"
        try:
            if not force and time.time() - marker.stat().st_mtime < PRUNE_EVERY:
                return
            marker.touch()
        except FileNotFoundError:
            keep(marker, b"")
        except OSError:
            return
        entries = []
        for path in [*self.root.glob("parts/*/*"), *self.root.glob("fonts/*")]:
            try:
                if not path.name.startswith("."):
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
