"""Format name → writer. The print layout is made once and shared: the PDF is written from it and
the EPUB's page list points into it."""
from __future__ import annotations

from typing import Callable

from ..manuscript import Manuscript
from ..options import BuildOptions
from ..themes import Theme
from .epub import write_epub
from .pdf import PrintLayout, lay_out, write_pdf

# (manuscript, theme, options, print layout or None) → the file's bytes
Writer = Callable[[Manuscript, Theme, BuildOptions, "PrintLayout | None"], bytes]

WRITERS: dict[str, Writer] = {
    "epub": write_epub,
    "pdf": write_pdf,
}

__all__ = ["WRITERS", "PrintLayout", "Writer", "lay_out", "write_epub", "write_pdf"]
