"""Format name → writer: a function (manuscript, theme, options) → the file's bytes."""
from __future__ import annotations

from typing import Callable

from ..manuscript import Manuscript
from ..options import BuildOptions
from ..themes import Theme
from .epub import write_epub
from .pdf import write_pdf

Writer = Callable[[Manuscript, Theme, BuildOptions], bytes]

WRITERS: dict[str, Writer] = {
    "epub": lambda manuscript, theme, options: write_epub(manuscript, theme),
    "pdf": write_pdf,
}

__all__ = ["WRITERS", "Writer", "write_epub", "write_pdf"]
