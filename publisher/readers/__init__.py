"""A source path → a BookDraft through the reader registered for its kind, and on to a Manuscript.

Every reader has one signature, `reader(path, overrides, warn) -> BookDraft`; `source_kind`
decides which one a path gets. Adding a source format is one module and one line in READERS
(and its suffix in SUFFIXES). A reader's module is imported when a source of its kind is read:
a .txt story does not pay for the EPUB, Word and AO3 readers.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from ..errors import PublisherError, Warnings
from ..manuscript import Manuscript
from .assemble import assemble
from .draft import BookDraft, ChapterDraft, Overrides, Place, Prose, Trace
from .folder import folder_files

Reader = Callable[[Path, Overrides, Warnings], BookDraft]

# kind → "module:function" in this package
READERS: dict[str, str] = {
    "folder": "folder:read_folder",
    "text": "text:read_story",
    "markdown": "markdown_file:read_markdown_file",
    "html": "html_file:read_html",
    "epub": "epub_file:read_epub",
    "docx": "docx:read_docx",
}
SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html",
            ".htm": "html", ".xhtml": "html", ".epub": "epub",
            ".docx": "docx"}


def source_kind(path: Path) -> str:
    if path.is_dir() or path.name == "book.toml":
        return "folder"
    if not path.exists():
        raise PublisherError(f"{path}: no such book folder or file")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        hint = "; save it as .docx" if path.suffix.lower() == ".doc" else ""
        raise PublisherError(f"{path}: not a book folder, .txt story, .md file, .html download, .epub or .docx{hint}")
    return kind


def draft(path: Path, overrides: Overrides = Overrides(), warn: Warnings | None = None) -> BookDraft:
    """The BookDraft of any kind of source (a book folder's book.toml stands for its folder)."""
    path = Path(path)
    kind = source_kind(path)
    if kind == "folder" and path.name == "book.toml" and path.is_file():
        path = path.parent
    return reader_for(kind)(path, overrides, warn if warn is not None else Warnings())


def reader_for(kind: str) -> Reader:
    """The reader function of a kind of source, its module imported now."""
    module, function = READERS[kind].split(":")
    return getattr(importlib.import_module(f".{module}", __name__), function)


def read(path: Path, warn: Warnings | None = None, overrides: Overrides = Overrides(), jobs: int = 1,
         cache: Path | None = None) -> Manuscript:
    """Read and check a source; raise ManuscriptError with every problem found. A long book's
    chapters are converted in `jobs` worker processes (0: one per core); with `cache` (a folder),
    a chapter converted by an earlier build is not converted again."""
    warn = warn if warn is not None else Warnings()
    return assemble(draft(path, overrides, warn), warn, jobs, cache)


__all__ = ["BookDraft", "ChapterDraft", "Overrides", "Place", "Prose", "READERS", "Reader", "Trace", "assemble",
           "draft", "folder_files", "read", "source_kind"]
