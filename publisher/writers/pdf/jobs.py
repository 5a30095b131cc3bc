"""A print document to set → what setting it made: the plain, picklable data that passes between
the PDF writer and its worker processes. Nothing here loads WeasyPrint, so the merging process stays small."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...manuscript import Resource

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
class SetDocument:
    """A document set in pages: its PDF, where each page's text begins, the fonts it embeds."""

    pdf: bytes
    firsts: tuple[First, ...]  # one per page
    fonts: tuple[FontSource, ...]
    polish_seconds: float = 0.0  # CPU time the polish pass took (0 for a document from the cache)
    # Where the PDF waits for the merge instead of in `pdf` (b""): a book's set chapters are kept
    # on disk, not in the merging process while the others are set (War and Peace's: 27 MiB).
    pdf_file: str | None = None

    @property
    def pages(self) -> int:
        return len(self.firsts)


@dataclass(frozen=True)
class Job:
    """A document to set: its XHTML, its style sheets, the resources it may load."""

    document: bytes
    css: tuple[str, ...]
    resources: tuple[Resource, ...] = ()
    identifier: bytes | None = None
    variant: str | None = None
    polish: bool = False  # mend its typographic faults after layout (polish.py)


def set_in_worker(job: Job, fonts_dir: Path | None) -> SetDocument:
    """The pool's task: WeasyPrint is loaded in the worker, not in the process that merges."""
    from .setter import set_document

    return set_document(job, fonts_dir)

