"""One library function per command; `publisher.cli` is a thin table over them."""
from __future__ import annotations

from .batch import BatchSummary, batch
from .build import Output, build, render
from .check import CheckReport, check
from .cover import build_cover
from .import_ import Imported, import_book
from .new import new_book
from .preview import Preview, start_preview
from .proof import Proof, proof
from .stats import Stats, book_stats, stats

__all__ = ["BatchSummary", "batch", "CheckReport", "Imported", "Output", "Preview", "Proof", "Stats", "book_stats", "build", "build_cover",
           "check", "import_book", "new_book", "proof", "render", "start_preview", "stats"]
