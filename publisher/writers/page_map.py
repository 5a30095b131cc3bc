"""A print layout → where each printed page begins: what the EPUB writer needs of the PDF's pages.

The EPUB's page list and page-break markers follow a print edition; this is all the EPUB writer
sees of it, so the two writers meet here and nowhere else.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from ..manuscript import Manuscript
from ..options import BuildOptions


@dataclass(frozen=True)
class PageStart:
    """Where a printed page begins: in a section's n-th block, after `offset` characters of its text
    (whitespace collapsed)."""

    label: str  # the printed folio: "iii", "12"
    section: str
    block: int
    offset: int


@dataclass(frozen=True)
class PageMap:
    """The pages of one print edition, in order, and that edition's identifier."""

    starts: tuple[PageStart, ...]
    edition: str  # urn:uuid:…, the EPUB's pageBreakSource


def print_edition(manuscript: Manuscript, options: BuildOptions) -> str:
    """An identifier for the print edition (same book, same print options)."""
    edition = f"{manuscript.metadata.identifier} print {options.trim} {options.font_size:g}pt {options.theme}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, edition)}"
