"""The plain data that passes between the PDF writer and its worker processes: a document to
render and what came of it. Nothing here loads WeasyPrint, so the merging process stays small."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..manuscript import Resource

BASE_URL = "https://book.invalid/"  # never fetched: the fetcher serves the manuscript only

# Where a page's text begins: (section id, block number, characters of that block before it);
# None for a page without text.
First = tuple[str, int, int] | None


@dataclass(frozen=True)
class FontSource:
    """An embedded font subset's original file, kept so the merge can cut one subset for the book."""

    name: str  # the PDF BaseFont, e.g. "VLCMHS+EB-Garamond"
    sha: str  # of the original file, stored as fonts_dir/sha
    index: int  # the face in a collection


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    firsts: tuple[First, ...]  # one per page
    fonts: tuple[FontSource, ...]

    @property
    def pages(self) -> int:
        return len(self.firsts)


@dataclass(frozen=True)
class Job:
    """A document to render: its XHTML, its style sheets, the resources it may load."""

    document: bytes
    css: tuple[str, ...]
    resources: tuple[Resource, ...] = ()
    identifier: bytes | None = None
    variant: str | None = None


def render_in_worker(job: Job, fonts_dir: Path | None) -> Rendered:
    """The pool's task: WeasyPrint is loaded in the worker, not in the process that merges."""
    from .typeset import render

    return render(job, fonts_dir)


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
