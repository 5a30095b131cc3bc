"""A source (book folder, story.txt, story.md) → EPUB and PDF files: the whole pipeline.

    read → Manuscript → (html sections) → writers → bytes → atomic files

Everything is checked and rendered in memory before the first file is written, so a failed
build leaves earlier outputs as they were.
"""
from __future__ import annotations

import io
import re
from typing import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from . import readers, themes, workers
from pypdf import PdfReader

from .errors import PublisherError, Warnings
from .fonts import describe, missing_glyphs
from .imposition import impose
from .manuscript import Manuscript
from .options import BuildOptions
from .output import write_atomic
from .profiles import check_pdf, profile
from .writers import SETTER_MODULE, WRITERS, lay_out


# Each chapter opens on a recto: past this many, a PDF is no book (and takes many minutes).
MAX_PRINT_CHAPTERS = 2000


@dataclass(frozen=True)
class Output:
    format: str
    path: Path
    size: int
    pages: int = 0


def slugify(text: str) -> str:
    slug = re.sub(r"[^\w]+", "-", text.lower(), flags=re.ASCII).strip("-")
    return slug or "book"


def render(manuscript: Manuscript, options: BuildOptions = BuildOptions(),
           warn: Warnings | None = None, stage: Callable[[str], None] = lambda name: None,
           on_pages: Callable[[int], None] = lambda count: None) -> dict[str, bytes]:
    """Every requested format's bytes, in memory."""
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
    elif warn is not None:
        warn("no print page list in the EPUB: build the PDF too, or pass --page-list")
    files = {}
    for name in options.formats:
        stage(f"writing {name.upper()}")
        files[name] = WRITERS[name](manuscript, theme, options, layout)
    if options.impose:
        stage("imposing signatures")
        pdf = files.get("pdf") or WRITERS["pdf"](manuscript, theme, options, layout)
        files[f"{options.impose}.pdf"] = impose(pdf, options.impose, options.signature_sheets, options.paper,
                                                options.marks)
    return files


def _warn_glyphs(manuscript: Manuscript, face: str, warn: Warnings) -> None:
    fallback, nowhere = missing_glyphs(manuscript, face)
    if fallback:
        warn(f"{len(fallback)} character(s) not in the book face, set in a fallback font: {describe(fallback)}")
    if nowhere:
        warn(f"{len(nowhere)} character(s) no installed font can print (they will show as boxes): "
             f"{describe(nowhere)}")


def build(source: Path, out_dir: Path = Path("dist"), options: BuildOptions = BuildOptions(),
          warn: Warnings | None = None, title: str | None = None, author: str | None = None,
          stage: Callable[[str], None] = lambda name: None,
          on_pages: Callable[[int], None] = lambda count: None) -> list[Output]:
    """Build the book at `source` into `out_dir`; return what was written."""
    # 1. Read and check the whole manuscript: every problem is reported before anything is made.
    stage("reading")
    if options.lays_out_pages:  # the workers load WeasyPrint while this process reads the book
        workers.start(options.jobs, ("publisher.readers.markup", SETTER_MODULE))
    manuscript = readers.read(Path(source), warn, title=title, author=author, jobs=options.jobs)
    # 2. Render all formats in memory, so a failure in the last one writes nothing.
    pages_set: list[int] = []  # the layout's last report is the book's page count

    def count(pages: int) -> None:
        pages_set.append(pages)
        on_pages(pages)

    files = render(manuscript, options, warn, stage, count)
    # 3. Only now touch the output folder, one atomic replace per file.
    outputs = []
    for name, data in files.items():
        path = Path(out_dir) / f"{slugify(manuscript.slug)}.{name}"
        write_atomic(path, data)
        pages = 0
        if name == "pdf":
            pages = pages_set[-1]
        elif name.endswith(".pdf"):  # the imposed sheets
            pages = len(PdfReader(io.BytesIO(data)).pages)
        outputs.append(Output(name, path, len(data), pages))
    return outputs


def build_cover(source: Path, out_dir: Path = Path("dist"), options: BuildOptions = BuildOptions(),
                paper: str = "white", warn: Warnings | None = None) -> Output:
    """Lay out the interior to count its pages, then write the full-wrap cover sized for them."""
    manuscript = readers.read(Path(source), warn)
    pages = lay_out(manuscript, themes.load(options.theme), replace(options, formats=("pdf",), impose="")).pages
    from .writers.pdf.wrap_cover import write_cover  # WeasyPrint: imported when needed

    data = write_cover(manuscript, options, pages, paper)
    path = Path(out_dir) / f"{slugify(manuscript.slug)}.cover.pdf"
    write_atomic(path, data)
    return Output("cover", path, len(data))


def check_print(manuscript: Manuscript, options: BuildOptions) -> list[str]:
    """What the chosen print-on-demand service would reject in this book's interior PDF."""
    pdf = render(manuscript, replace(options, formats=("pdf",), impose=""))["pdf"]
    return check_pdf(pdf, profile(options.profile), options.trim_size, options.bleed)
