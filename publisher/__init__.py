"""publisher: turn a manuscript into a store-ready EPUB and a print-ready PDF.

    from publisher import read, render, BuildOptions
    manuscript = read(Path("books/the-lamplighters-daughter"))
    files = render(manuscript, BuildOptions(trim="5.5x8.5"))   # {"epub": bytes, "pdf": bytes}

Every command of the CLI is a function here too: build, check, build_cover, import_book,
new_book, proof, start_preview, stats.
"""
__version__ = "0.1.0"

from .commands import (CheckReport, Imported, Output, Preview, Proof, Stats, build, build_cover, check,  # noqa: E402
                       import_book, new_book, proof, render, start_preview, stats)
from .errors import ManuscriptError, OptionError, Problem, PublisherError  # noqa: E402
from .manuscript import Chapter, FrontMatter, Manuscript, Metadata  # noqa: E402
from .options import BuildOptions  # noqa: E402
from .readers import BookDraft, ChapterDraft, Overrides, assemble, draft, read  # noqa: E402
from .writers import write_epub, write_pdf  # noqa: E402

__all__ = [
    "BookDraft", "BuildOptions", "Chapter", "ChapterDraft", "CheckReport", "FrontMatter", "Imported", "Manuscript",
    "ManuscriptError", "Metadata", "OptionError", "Output", "Overrides", "Preview", "Problem", "Proof",
    "PublisherError", "Stats", "assemble", "build", "build_cover", "check", "draft", "import_book", "new_book",
    "proof", "read", "render", "start_preview", "stats", "write_epub", "write_pdf",
]
