"""Command line → library calls: parse, call, print one line per problem, exit.

Errors we expect (PublisherError) become one line each and exit status 1; anything else is a
bug and keeps its traceback.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import __version__, readers
from .build import build as build_book, build_cover, check_print, render, slugify
from .check import word_check
from .errors import ManuscriptError, PublisherError, Warnings
from .imposition import IMPOSITIONS, PAPERS
from .options import FORMATS, TRIMS, BuildOptions
from .profiles import PAPER_THICKNESS, PROFILES
from .output import write_atomic, write_folder
from .preview import start_preview
from .progress import build_progress
from .proof import proof_sheets
from .scaffold import import_files, new_book_files
from .stats import WORDS_PER_MINUTE, book_stats

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(error: PublisherError) -> None:
    lines = [str(p) for p in error.problems] if isinstance(error, ManuscriptError) else [str(error)]
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(1)


def _show(warn: Warnings) -> None:
    for message in warn.messages:
        click.echo(f"warning: {message}", err=True)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="publisher")
def main() -> None:
    """Turn a manuscript into a store-ready EPUB and a print-ready PDF.

    \b
    Example:
      publisher build books/the-lamplighters-daughter
    """


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="Folder for the built files.")
@click.option("-f", "--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Format to build (repeat for several). Default: all.")
@click.option("--theme", default=BuildOptions.theme, show_default=True, help="Theme folder under styles/.")
@click.option("--trim", default=BuildOptions.trim, show_default=True,
              help=f"Print trim size: {', '.join(TRIMS)}, or WxH in inches or mm (152x229mm).")
@click.option("--font-size", type=float, default=BuildOptions.font_size, show_default=True,
              help="Body text size in points (PDF).")
@click.option("--profile", type=click.Choice(list(PROFILES)), default=BuildOptions.profile, show_default=True,
              help="Print-on-demand rules the PDF follows: margins, page count, bookmarks.")
@click.option("--bleed", is_flag=True, help="Print to the page edge (KDP: 0.125 in past the trim).")
@click.option("--page-list", is_flag=True,
              help="Give an EPUB-only build the print edition's page numbers (lays out the PDF pages).")
@click.option("--impose", type=click.Choice(IMPOSITIONS),
              help="Also write an imposed PDF for home binding: signatures, or one saddle-stitched booklet.")
@click.option("--signature-sheets", type=int, default=BuildOptions.signature_sheets, show_default=True,
              help="Sheets of paper folded together per signature.")
@click.option("--paper", type=click.Choice(list(PAPERS)), default=BuildOptions.paper, show_default=True,
              help="The paper the imposed PDF is printed on.")
@click.option("--no-marks", is_flag=True, help="Leave fold and trim marks off the imposed PDF.")
@click.option("--title", help="Title to use (overrides the story's own).")
@click.option("--author", help="Author to use (overrides the story's own).")
@click.option("-j", "--jobs", type=int, default=BuildOptions.jobs, show_default=True,
              help="Processes that set chapters in parallel (0: one per core).")
@click.option("--no-cache", is_flag=True,
              help="Set every chapter anew instead of reusing those an earlier build set (the cache is "
                   "$PUBLISHER_CACHE, else $XDG_CACHE_HOME/publisher or ~/.cache/publisher).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each stage as it starts.")
def build(book: Path, out_dir: Path, formats: tuple[str, ...], theme: str, trim: str, font_size: float,
          profile: str, bleed: bool, page_list: bool, impose: str | None, signature_sheets: int, paper: str,
          no_marks: bool, title: str | None, author: str | None, jobs: int, no_cache: bool, quiet: bool,
          verbose: bool) -> None:
    """Build BOOK (a book folder, a .txt story or a .md file) into EPUB and PDF.

    \b
    Example:
      publisher build books/the-lamplighters-daughter -o dist --trim 5.5x8.5
      publisher build story.txt --trim 5.5x8.5 --impose signatures --paper letter
    """
    warn = Warnings()
    started = time.perf_counter()
    try:
        options = BuildOptions(formats=formats or FORMATS, theme=theme, trim=trim, font_size=font_size,
                               profile=profile, bleed=bleed, page_list=page_list, impose=impose or "", signature_sheets=signature_sheets,
                               paper=paper, marks=not no_marks, jobs=jobs, cache=not no_cache)
        with build_progress(enabled=not quiet) as progress:
            def announce(name: str) -> None:
                if verbose:
                    click.echo(f"{time.perf_counter() - started:5.1f} s  {name}", err=True)
                progress.stage(name)

            outputs = build_book(book, out_dir, options, warn, title=title, author=author, stage=announce,
                                 on_pages=progress.pages)
    except PublisherError as error:
        _show(warn)
        _fail(error)
    if not quiet:
        _show(warn)
        elapsed = time.perf_counter() - started
        trim_text = options.trim_size.name if options.trim_size.name in TRIMS else \
            f"{options.trim_size.width_in:g}x{options.trim_size.height_in:g}"
        for output in outputs:
            detail = f"{output.pages} pages  {trim_text} in" if output.pages else f"{output.size / 1024:,.0f} KiB"
            click.echo(f"{output.path}  {detail}  {elapsed:.1f} s")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", required=True, help="The book's title.")
@click.option("--author", default="", help="The author's name.")
def new(folder: Path, title: str, author: str) -> None:
    """Create a new book folder that builds at once.

    \b
    Example:
      publisher new books/my-novel --title "My Novel" --author "A. Writer"
    """
    if folder.exists() and any(folder.iterdir()):
        _fail(PublisherError(f"{folder}: already exists and is not empty"))
    write_folder(folder, new_book_files(title, author), replace=folder.exists())
    click.echo(f"created {folder}: edit {folder / 'book.toml'} and {folder / 'chapters'}/, then "
               f"publisher build {folder}")


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--outputs", type=click.Path(path_type=Path),
              help="Folder of built files to compare with the source, word by word (.txt stories).")
@click.option("--profile", type=click.Choice(list(PROFILES)),
              help="Also lay out the PDF and report what this print-on-demand service would reject.")
@click.option("--trim", default=BuildOptions.trim, show_default=True, help="Trim size, with --profile.")
@click.option("--bleed", is_flag=True, help="With --profile: check a bleed build.")
def check(book: Path, outputs: Path | None, profile: str | None, trim: str, bleed: bool) -> None:
    """Check BOOK and report every problem at once, as path:line: message.

    \b
    Example:
      publisher check books/the-lamplighters-daughter
      publisher check story.txt --outputs dist
      publisher check books/my-novel --profile kdp --trim 6x9
    """
    warn = Warnings()
    try:
        manuscript = readers.read(book, warn)
        _show(warn)
        click.echo(f"{book}: ok: {len(manuscript.chapters)} chapters, {manuscript.words:,} words")
        failed = False
        if profile:
            rejected = check_print(manuscript, BuildOptions(profile=profile, trim=trim, bleed=bleed))
            for line in rejected:
                click.echo(f"{book}: {profile}: {line}")
            click.echo(f"{book}: {profile}: " + ("would be rejected" if rejected else "no problems found"))
            failed = bool(rejected)
        if outputs is not None:
            for line, ok in word_check(book, manuscript, outputs):
                click.echo(line)
                failed = failed or not ok
        if failed:
            sys.exit(1)
    except PublisherError as error:
        _show(warn)
        _fail(error)


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="Folder for the cover PDF.")
@click.option("--profile", type=click.Choice(list(PROFILES)), default="kdp", show_default=True,
              help="Print-on-demand rules the interior follows (its page count sets the spine).")
@click.option("--paper", type=click.Choice(list(PAPER_THICKNESS)), default="white", show_default=True,
              help="Interior paper: sets the spine width per page.")
@click.option("--trim", default=BuildOptions.trim, show_default=True, help="Trim size of the book.")
@click.option("--theme", default=BuildOptions.theme, show_default=True, help="Theme of the interior.")
def cover(book: Path, out_dir: Path, profile: str, paper: str, trim: str, theme: str) -> None:
    """Write a full-wrap cover PDF (back, spine, front, bleed) sized for the interior.

    \b
    Example:
      publisher cover books/the-lamplighters-daughter --profile kdp --paper cream -o dist
    """
    warn = Warnings()
    try:
        options = BuildOptions(formats=("pdf",), profile=profile, trim=trim, theme=theme)
        output = build_cover(book, out_dir, options, paper, warn)
    except PublisherError as error:
        _show(warn)
        _fail(error)
    _show(warn)
    click.echo(f"{output.path}  {output.size / 1024:,.0f} KiB")


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--trim", default=BuildOptions.trim, show_default=True, help="The trim to lay the book out at.")
@click.option("--theme", default=BuildOptions.theme, show_default=True, help="Theme for the layout.")
@click.option("--exact", is_flag=True, help="Lay out every trim size instead of estimating the others.")
def stats(book: Path, trim: str, theme: str, exact: bool) -> None:
    """Words, chapters, reading time, pages per trim size and spine width per paper.

    \b
    Example:
      publisher stats books/the-lamplighters-daughter --exact
    """
    warn = Warnings()
    try:
        manuscript = readers.read(book, warn)
        figures = book_stats(manuscript, BuildOptions(trim=trim, theme=theme), exact)
    except PublisherError as error:
        _show(warn)
        _fail(error)
    _show(warn)
    click.echo(f"{manuscript.metadata.title}")
    click.echo(f"  words          {figures.words:,}")
    click.echo(f"  chapters       {figures.chapters}")
    click.echo(f"  reading time   {figures.reading_minutes // 60} h {figures.reading_minutes % 60} min"
               f" (at {WORDS_PER_MINUTE} words a minute)")
    click.echo("  trim           pages     spine white   spine cream")
    for row in figures.trims:
        mark = " " if row.exact else "≈"
        click.echo(f"  {row.trim:<12} {mark}{row.pages:>5}     {figures.spine(row.pages, 'white'):.3f} in"
                   f"      {figures.spine(row.pages, 'cream'):.3f} in")


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the proof sheets (default: dist/<slug>-proof).")
@click.option("--pages", help="Pages to show, e.g. 1-12 (default: all).")
@click.option("--trim", default=BuildOptions.trim, show_default=True, help="Trim size.")
@click.option("--theme", default=BuildOptions.theme, show_default=True, help="Theme.")
@click.option("--dpi", type=int, default=60, show_default=True, help="Resolution of the page images.")
def proof(book: Path, out_dir: Path | None, pages: str | None, trim: str, theme: str, dpi: int) -> None:
    """Render the PDF as page spreads into PNG contact sheets and an HTML page to view them.

    \b
    Example:
      publisher proof books/the-lamplighters-daughter --pages 1-12
    """
    warn = Warnings()
    try:
        manuscript = readers.read(book, warn)
        pdf = render(manuscript, BuildOptions(formats=("pdf",), trim=trim, theme=theme))["pdf"]
        files = proof_sheets(pdf, pages, dpi)
    except PublisherError as error:
        _show(warn)
        _fail(error)
    _show(warn)
    folder = out_dir or Path("dist") / f"{slugify(manuscript.slug)}-proof"
    for name, data in files.items():
        write_atomic(folder / name, data)
    sheets = sum(1 for name in files if name.endswith(".png"))
    click.echo(f"{folder / 'index.html'}  {sheets} sheet{'s' if sheets != 1 else ''}")


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--port", type=int, default=8000, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--theme", default=BuildOptions.theme, show_default=True, help="Theme.")
@click.option("--trim", default=BuildOptions.trim, show_default=True, help="Trim size of the print view.")
def preview(book: Path, port: int, theme: str, trim: str) -> None:
    """Serve a live preview of BOOK that reloads when a chapter changes.

    \b
    Example:
      publisher preview books/the-lamplighters-daughter --port 8000
    """
    try:
        options = BuildOptions(theme=theme, trim=trim)
        readers.source_kind(book)
        server = start_preview(book, options, port)
    except PublisherError as error:
        _fail(error)
    except OSError as error:
        _fail(PublisherError(f"cannot serve on 127.0.0.1:{port}: {error.strerror}"))
    click.echo(f"previewing {book} at {server.url}  (Ctrl-C to stop)")
    try:
        server.stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@main.command(name="import")
@click.argument("story", type=click.Path(path_type=Path))
@click.option("-o", "--out", "folder", type=click.Path(path_type=Path),
              help="The book folder to write (default: books/<story name>).")
@click.option("--title", help="Title to use (overrides the story's own).")
@click.option("--author", help="Author to use (overrides the story's own).")
@click.option("--force", is_flag=True, help="Replace the folder if it exists.")
def import_(story: Path, folder: Path | None, title: str | None, author: str | None, force: bool) -> None:
    """Turn a .txt story (or one .md file) into an editable book folder.

    \b
    Example:
      publisher import story.txt -o books/my-story
    """
    warn = Warnings()
    folder = folder or Path("books") / slugify(story.stem)
    try:
        if folder.exists() and not force:
            raise PublisherError(f"{folder}: already exists; use --force to replace it")
        source = readers.read_source(story, warn, title=title, author=author)
        readers.assemble(source, warn)  # check it builds before writing anything
        files = import_files(source)
    except PublisherError as error:
        _show(warn)
        _fail(error)
    _show(warn)
    write_folder(folder, files, replace=force)
    click.echo(f"imported {story} → {folder} ({len(source.chapters)} chapters)")


if __name__ == "__main__":
    main()
