"""A source (book folder, story.txt, story.md) → EPUB and PDF files: the whole pipeline.

    read → assemble → lay out pages (when print is asked) → write each format → save atomically

Everything is checked and made in memory before the first file is written, so a failed build
leaves earlier outputs as they were.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import readers, themes, workers
from ..errors import PublisherError, Warnings
from ..fonts import describe, missing_glyphs
from ..manuscript import Manuscript
from ..options import BuildOptions
from ..output import check_destination, slugify, write_all
from ..readers import Overrides
from ..writers import SETTER_MODULE, WRITERS, lay_out

# Each chapter opens on a recto: past this many, a PDF is no book (and takes many minutes).
MAX_PRINT_CHAPTERS = 2000


def _quiet(_: object) -> None:
    """No one is listening: the default for progress callbacks."""


@dataclass(frozen=True)
class Output:
    format: str
    path: Path
    size: int
    pages: int = 0


def build(source: Path, out_dir: Path = Path("dist"), options: BuildOptions = BuildOptions(),
          warn: Warnings | None = None, stage: Callable[[str], None] = _quiet,
          on_pages: Callable[[int], None] = _quiet) -> list[Output]:
    """Build the book at `source` into `out_dir`; return what was written."""
    return build_book(source, out_dir, options, warn, stage, on_pages)[1]


def build_book(source: Path, out_dir: Path = Path("dist"), options: BuildOptions = BuildOptions(),
               warn: Warnings | None = None, stage: Callable[[str], None] = _quiet,
               on_pages: Callable[[int], None] = _quiet, name: str = "") -> tuple[Manuscript, list[Output]]:
    """`build`, also giving the book it read; the files are called `name` (default: the book's slug)."""
    warn = warn if warn is not None else Warnings()
    stage("reading")
    if options.lays_out_pages and _source_bytes(Path(source)) > SHORT_SOURCE_BYTES:
        # WeasyPrint loads in the fork server while the book is read (a short work is set here, as
        # one document, and needs no workers).
        workers.start(options.jobs, ("publisher.readers.markup", SETTER_MODULE))
    manuscript = readers.read(Path(source), warn, overrides(options), jobs=options.jobs, cache=options.cache_root())
    stem = name or slugify(manuscript.slug)
    paths = {kind: Path(out_dir) / f"{stem}.{kind}" for kind in _names(options)}
    for path in paths.values():
        check_destination(path)  # a mistaken -o fails now, not after minutes of layout
    files, pages = _make(manuscript, options, warn, stage, on_pages)
    # Only now touch the output folder: every file replaced, or none.
    write_all({paths[kind]: data for kind, data in files.items()})
    return manuscript, [Output(kind, paths[kind], len(data), pages.get(kind, 0)) for kind, data in files.items()]


# A source smaller than this is a short work (under WHOLE_BOOK_WORDS, about six bytes a word, more
# in markup): it will not need worker processes.
SHORT_SOURCE_BYTES = 60_000


def _source_bytes(source: Path) -> int:
    try:
        return sum(p.stat().st_size for p in source.rglob("*.md")) if source.is_dir() else source.stat().st_size
    except OSError:
        return 0


def _names(options: BuildOptions) -> list[str]:
    """The files a build with these options writes."""
    return list(options.formats) + ([f"{options.impose}.pdf"] if options.impose else [])


def render(manuscript: Manuscript, options: BuildOptions = BuildOptions(), warn: Warnings | None = None,
           stage: Callable[[str], None] = _quiet, on_pages: Callable[[int], None] = _quiet) -> dict[str, bytes]:
    """Every requested format's bytes, in memory: {"epub": …, "pdf": …}."""
    return _make(manuscript, options, warn, stage, on_pages)[0]


def overrides(options: BuildOptions) -> Overrides:
    return Overrides(title=options.title, author=options.author, language=options.language)


def _make(manuscript: Manuscript, options: BuildOptions, warn: Warnings | None, stage: Callable[[str], None],
          on_pages: Callable[[int], None]) -> tuple[dict[str, bytes], dict[str, int]]:
    """The files' bytes and the page counts the layout knows."""
    theme = themes.load(options.theme)
    # The print layout comes first: the PDF is written from it and the EPUB's page list points into it.
    layout = None
    if options.lays_out_pages:
        if len(manuscript.chapters) > MAX_PRINT_CHAPTERS:
            raise PublisherError(
                f"{manuscript.slug}: {len(manuscript.chapters):,} chapters are more than one printed volume holds "
                f"(at most {MAX_PRINT_CHAPTERS:,}): build the EPUB with --format epub, or split the book")
        if warn is not None:
            _warn_glyphs(manuscript, theme.book_face, warn)
        stage("laying out pages")
        layout = lay_out(manuscript, theme, options, on_pages)
        if warn is not None and options.polish:
            warn.note(f"polish: {layout.polish_seconds:.1f} CPU-s mending the pages (--no-polish to skip it)")
    elif warn is not None:
        warn.note("no print page list in the EPUB: build the PDF too, or pass --page-list")
    files, pages = {}, {}
    for name in options.formats:
        stage(f"writing {name.upper()}")
        files[name] = WRITERS[name](manuscript, theme, options, layout)
    if layout is not None:
        pages["pdf"] = layout.pages
    if options.impose:
        stage("imposing signatures")
        from ..imposition import impose  # pypdf: only an imposing build pays for its import

        name = f"{options.impose}.pdf"
        files[name] = impose(layout.pdf, options.impose, options.signature_sheets, options.paper, options.marks)
        pages[name] = _count_pages(files[name])
    return files, pages


def _count_pages(pdf: bytes) -> int:
    """An imposed PDF's sheets sides: made from the layout, so no layout knows them."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _warn_glyphs(manuscript: Manuscript, face: str, warn: Warnings) -> None:
    fallback, nowhere = missing_glyphs(manuscript, face)
    if fallback:
        warn(f"{len(fallback)} character(s) not in the book face, set in a fallback font: {describe(fallback)}")
    if nowhere:
        warn(f"{len(nowhere)} character(s) no installed font can print (they will show as boxes): "
             f"{describe(nowhere)}")
