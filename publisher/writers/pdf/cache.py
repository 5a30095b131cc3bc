"""A key (a hash of everything that shapes a set print document) → that document as set before.

A rebuild after an edit sets again only the chapters whose text changed. The key covers the
document, its style sheets and the versions of publisher and WeasyPrint; the entry (kept on the
`parts` shelf of publisher's cache) holds the PDF, where each page's text begins and the fonts
it embeds, whose original files are kept once each in the cache's `fonts/` folder.
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ...cache import LIMIT_BYTES, Shelf, prune
from .jobs import FontSource, SetDocument


class Cache:
    """Set documents by key; with no root, a cache that keeps nothing."""

    def __init__(self, root: Path | None):
        self.root = root
        self.shelf = Shelf(root, "parts")
        try:
            if root is not None:
                (root / "fonts").mkdir(exist_ok=True)
        except OSError:
            self.shelf.folder = None
        if self.shelf.folder is None:
            self.root = None  # a cache that cannot be written is no cache: the build goes on without it

    def get(self, name: str) -> SetDocument | None:
        entry = self.shelf.get(name)
        if entry is None:
            return None
        try:
            header, pdf = entry.split(b"\n", 1)
            meta = json.loads(header)
            fonts = tuple(FontSource(**font) for font in meta["fonts"])
            if not all((self.root / "fonts" / font.sha).exists() for font in fonts):
                return None  # a font pruned since: set it again
            firsts = tuple(tuple(first) if first else None for first in meta["firsts"])
        except (ValueError, KeyError, TypeError):
            return None
        return SetDocument(pdf, firsts, fonts)

    def put(self, name: str, done: SetDocument) -> None:
        header = json.dumps({"firsts": done.firsts, "fonts": [asdict(font) for font in done.fonts]}).encode()
        self.shelf.put(name, header + b"\n" + done.pdf)

    def fonts_dir(self) -> Path | None:
        return None if self.root is None else self.root / "fonts"

    def prune(self, limit: int = LIMIT_BYTES, force: bool = False) -> None:
        prune(self.root, limit, force)
