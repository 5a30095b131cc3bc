"""publisher: turn a manuscript into a store-ready EPUB and a print-ready PDF.

    from publisher import read, render, BuildOptions
    manuscript = read(Path("books/the-lamplighters-daughter"))
    files = render(manuscript, BuildOptions(trim="5.5x8.5"))   # {"epub": bytes, "pdf": bytes}

Every command of the CLI is a function here too: build, check, build_cover, import_book,
new_book, proof, start_preview, stats.
"""
__version__ = "0.1.0"

# The names below are imported when first used (PEP 562): `publisher --help` and a script that
# needs one function do not load WeasyPrint, Markdown and every reader at start.
_EXPORTS = {
    "publisher.commands.batch": ("BatchSummary", "batch"),
    "publisher.commands.build": ("Output", "build", "render"),
    "publisher.commands.check": ("CheckReport", "check"),
    "publisher.commands.cover": ("build_cover",),
    "publisher.commands.import_": ("Imported", "import_book"),
    "publisher.commands.new": ("new_book",),
    "publisher.commands.preview": ("Preview", "start_preview"),
    "publisher.commands.proof": ("Proof", "proof"),
    "publisher.commands.stats": ("Stats", "book_stats", "stats"),
    "publisher.errors": ("ManuscriptError", "OptionError", "Problem", "PublisherError"),
    "publisher.manuscript": ("Chapter", "FrontMatter", "Manuscript", "Metadata"),
    "publisher.options": ("BuildOptions",),
    "publisher.readers": ("BookDraft", "ChapterDraft", "Overrides", "assemble", "draft", "read"),
    "publisher.writers": ("write_epub", "write_pdf"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'publisher' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
