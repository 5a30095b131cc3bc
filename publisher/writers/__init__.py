"""Format name → writer, all with one signature: (manuscript, theme, options, print layout) → bytes.

The print layout is made once and shared: the PDF is written from it, and the EPUB's page list
follows its page map (`PrintLayout.page_map`), which is all the EPUB writer sees of it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..manuscript import Manuscript
from ..options import BuildOptions
from ..themes import Theme
from .epub import write_epub
from .page_map import PageMap

if TYPE_CHECKING:
    from .pdf import PrintLayout


# What a worker that sets type imports first (WeasyPrint, through it): a build starts the workers'
# fork server with it while the book is read (workers.start).
SETTER_MODULE = "publisher.writers.pdf.setter"


# WeasyPrint takes a second to import: an EPUB-only build never pays for it.
def lay_out(manuscript: Manuscript, theme: Theme, options: BuildOptions,
            on_pages: Callable[[int], None] = lambda pages: None) -> "PrintLayout":
    """Set the book in pages; `on_pages(pages set so far)` is called as its documents are set."""
    from .pdf import lay_out as lay_out_pages

    return lay_out_pages(manuscript, theme, options, on_pages)


def write_pdf(manuscript: Manuscript, theme: Theme, options: BuildOptions, layout: "PrintLayout | None" = None) -> bytes:
    from .pdf import write_pdf as write

    return write(manuscript, theme, options, layout)


def _epub(manuscript: Manuscript, theme: Theme, options: BuildOptions, layout: "PrintLayout | None" = None) -> bytes:
    return write_epub(manuscript, theme, layout.page_map if layout else None, options.moment(), options.cache_root())


# (manuscript, theme, options, print layout or None) → the file's bytes
Writer = Callable[[Manuscript, Theme, BuildOptions, "PrintLayout | None"], bytes]

WRITERS: dict[str, Writer] = {
    "epub": _epub,
    "pdf": write_pdf,
}

__all__ = ["SETTER_MODULE", "WRITERS", "PageMap", "PrintLayout", "Writer", "lay_out", "write_epub", "write_pdf"]
