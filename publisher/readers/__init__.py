"""A source path → a Manuscript, through the reader registered for its kind.

Kinds: a book folder, a plain-text story (.txt), a single Markdown file (.md). Each reader
returns a BookSource; `assemble` turns any BookSource into the Manuscript.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import PublisherError, Warnings
from ..manuscript import Manuscript
from .assemble import BookSource, ChapterSource, assemble
from .folder import read_folder
from .markdown_file import read_markdown_file
from .text import read_text

# A reader takes the path, optional title/author overrides and a warnings sink.
Reader = Callable[..., BookSource]

READERS: dict[str, Reader] = {
    "folder": lambda path, warn, title=None, author=None: read_folder(path),
    "text": read_text,
    "markdown": read_markdown_file,
}
SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}


def source_kind(path: Path) -> str:
    if path.is_dir():
        return "folder"
    if not path.exists():
        raise PublisherError(f"{path}: no such book folder or file")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise PublisherError(f"{path}: not a book folder, .txt story or .md file")
    return kind


def read_source(path: Path, warn: Warnings | None = None, title: str | None = None,
                author: str | None = None) -> BookSource:
    """The BookSource for any kind of source."""
    warn = warn if warn is not None else Warnings()
    reader = READERS[source_kind(path)]
    return reader(path, warn, title=title, author=author)


def read(path: Path, warn: Warnings | None = None, title: str | None = None,
         author: str | None = None, jobs: int = 1) -> Manuscript:
    """Read and check a source; raise ManuscriptError with every problem found. A long book's
    chapters are converted in `jobs` worker processes (0: one per core)."""
    warn = warn if warn is not None else Warnings()
    return assemble(read_source(path, warn, title=title, author=author), warn, jobs)


__all__ = ["BookSource", "ChapterSource", "READERS", "read", "read_source", "source_kind"]
