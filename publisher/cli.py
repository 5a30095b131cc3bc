"""Command line → library calls: options from the one BuildOptions table, one error boundary, print, exit.

Errors we expect (PublisherError) become one line each and exit status 1; anything else is a
bug and keeps its traceback.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import sys
import time
from pathlib import Path

import click

from . import __version__
from .errors import ManuscriptError, PublisherError, Warnings
from .options import TRIMS, BuildOptions
from .output import slugify
from .profiles import PAPER_THICKNESS, PROFILES
from .progress import batch_progress, build_progress

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
PROCESS_STARTED: list[float] = []  # when the `publisher` process began (perf_counter), set by run()
PATH = click.Path(path_type=Path)
FIELDS = {f.name: f for f in dataclasses.fields(BuildOptions)}


def _command(module: str, name: str):
    """A library command, its module imported when it runs: `publisher --help` needs none of them,
    and `publisher build` not the batch engines or the preview server."""
    import importlib

    return getattr(importlib.import_module(f"publisher.commands.{module}"), name)


def reports_errors(command):
    """The one error boundary: the command gets a `warn` sink; a PublisherError prints the warnings
    so far and one line per problem, and exits 1."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        warn = Warnings()
        try:
            return command(*args, warn=warn, **kwargs)
        except PublisherError as error:
            show(warn)
            lines = [str(p) for p in error.problems] if isinstance(error, ManuscriptError) else [str(error)]
            for line in lines:
                click.echo(f"error: {line}", err=True)
            sys.exit(1)
    return run


def show(warn: Warnings) -> None:
    """Print the warnings not printed yet."""
    for message in warn.messages[warn.shown:]:
        click.echo(f"warning: {message}", err=True)
    warn.shown = len(warn.messages)


def build_options(*names: str):
    """Click options for these BuildOptions fields, with the help, default and choices the table gives."""
    def decorate(command):
        for name in reversed(names):
            command = _option(FIELDS[name])(command)
        return command
    return decorate


def _option(field: dataclasses.Field):
    meta, flag = field.metadata, "--" + field.name.replace("_", "-")
    choices = meta.get("choices")
    kind = click.Choice(list(choices() if callable(choices) else choices)) if choices else None
    names = [meta["short"], flag] if meta.get("short") else [flag]
    if field.name == "formats":
        return click.option(*[meta["short"], "--format"], "formats", type=kind, multiple=True, help=meta["help"])
    if field.type == "bool" and field.default:
        return click.option(f"{flag}/--no-{flag[2:]}", default=True, help=meta["help"])
    if field.type == "bool":
        return click.option(*names, is_flag=True, help=meta["help"])
    kind = kind or {"int": int, "float": float}.get(field.type, str)
    return click.option(*names, type=kind, default=field.default or None, show_default=meta.get("show_default", True),
                        help=meta["help"])


def options_from(values: dict) -> BuildOptions:
    """The CLI's values (None for "not given") as BuildOptions."""
    given = {name: value for name, value in values.items() if name in FIELDS and value is not None}
    if not given.get("formats"):
        given.pop("formats", None)
    return BuildOptions(**given)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="publisher")
def main() -> None:
    """Turn a manuscript into a store-ready EPUB and a print-ready PDF.

    \b
    Example:
      publisher build books/the-lamplighters-daughter
    """


@main.command()
@click.argument("book", type=PATH)
@click.option("-o", "--out", "out_dir", type=PATH, default=Path("dist"), show_default=True,
              help="Folder for the built files.")
@build_options("formats", "theme", "trim", "font_size", "profile", "polish", "bleed", "page_list", "impose",
               "signature_sheets", "paper", "marks", "title", "author", "language", "jobs", "cache", "cache_dir",
               "build_date")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each stage as it starts.")
@reports_errors
def build(book: Path, out_dir: Path, quiet: bool, verbose: bool, warn: Warnings, **values) -> None:
    """Build BOOK (a book folder, .txt, .md, an .html download, .epub or .docx) into EPUB and PDF.

    \b
    Example:
      publisher build books/the-lamplighters-daughter -o dist --trim 5.5x8.5
      publisher build story.txt --trim 5.5x8.5 --impose signatures --paper letter
    """
    started = PROCESS_STARTED[0] if PROCESS_STARTED else time.perf_counter()
    options = options_from(values)
    from .workers import own_process

    own_process()  # this process builds and ends: what it loads to set type may be frozen
    with build_progress(enabled=not quiet) as progress:
        def stage(name: str) -> None:
            if verbose:
                click.echo(f"{time.perf_counter() - started:5.1f} s  {name}", err=True)
            progress.stage(name)

        outputs = _command("build", "build")(book, out_dir, options, warn, stage, progress.pages)
    if quiet:
        return
    show(warn)
    for note in warn.notes if verbose else ():
        click.echo(f"note: {note}", err=True)
    elapsed = time.perf_counter() - started
    trim = options.trim_size
    trim_text = trim.name if trim.name in TRIMS else f"{trim.width_in:g}x{trim.height_in:g}"
    for output in outputs:
        if output.format == f"{options.impose}.pdf":  # sheets, printed on both sides
            detail = f"{(output.pages + 1) // 2} sheets of {options.paper} ({output.pages} sides)"
        elif output.pages:
            detail = f"{output.pages} pages  {trim_text} in"
        else:
            detail = f"{output.size / 1024:,.0f} KiB"
        click.echo(f"{output.path}  {detail}  {elapsed:.1f} s")


@main.command()
@click.argument("folder", type=PATH)
@click.option("--title", required=True, help="The book's title.")
@click.option("--author", default="", help="The author's name.")
@reports_errors
def new(folder: Path, title: str, author: str, warn: Warnings) -> None:
    """Create a new book folder that builds at once.

    \b
    Example:
      publisher new books/my-novel --title "My Novel" --author "A. Writer"
    """
    _command("new", "new_book")(folder, title, author)
    click.echo(f"created {folder}: edit {folder / 'book.toml'} and {folder / 'chapters'}/, then "
               f"publisher build {folder}")


@main.command()
@click.argument("book", type=PATH)
@click.option("--outputs", type=PATH,
              help="Folder of built files to compare with the source, word by word (.txt stories).")
@click.option("--profile", type=click.Choice(list(PROFILES)),
              help="Also lay out the PDF and report what this print-on-demand service would reject.")
@build_options("trim", "bleed", "theme", "polish")
@reports_errors
def check(book: Path, outputs: Path | None, profile: str | None, warn: Warnings, **values) -> None:
    """Check BOOK and report every problem at once, as path:line: message.

    \b
    Example:
      publisher check books/the-lamplighters-daughter
      publisher check story.txt --outputs dist
      publisher check books/my-novel --profile kdp --trim 6x9
    """
    options = options_from(dict(values, profile=profile))
    report = _command("check", "check")(book, options, outputs, print_profile=bool(profile), warn=warn)
    show(warn)
    click.echo(f"{book}: ok: {report.chapters} chapters, {report.words:,} words")
    if profile:
        for line in report.rejected:
            click.echo(f"{book}: {profile}: {line}")
        click.echo(f"{book}: {profile}: " + ("would be rejected" if report.rejected else "no problems found"))
    for line, _ in report.word_lines:
        click.echo(line)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("book", type=PATH)
@click.option("-o", "--out", "out_dir", type=PATH, default=Path("dist"), show_default=True,
              help="Folder for the cover PDF.")
@build_options("profile", "trim", "theme", "polish")
@click.option("--stock", type=click.Choice(list(PAPER_THICKNESS)), default="white", show_default=True,
              help="Interior paper: sets the spine width per page.")
@click.option("--paper", "old_paper", type=click.Choice(list(PAPER_THICKNESS)), hidden=True,
              help="Old name of --stock.")
@reports_errors
def cover(book: Path, out_dir: Path, stock: str, old_paper: str | None, warn: Warnings, **values) -> None:
    """Write a full-wrap cover PDF (back, spine, front, bleed) sized for the interior.

    \b
    Example:
      publisher cover books/the-lamplighters-daughter --profile kdp --stock cream -o dist
    """
    if old_paper:
        warn("--paper is now --stock for the cover (--paper names the sheet an imposed PDF is printed on)")
        stock = old_paper
    output = _command("cover", "build_cover")(book, out_dir, options_from(dict(values, formats=("pdf",))), stock, warn)
    show(warn)
    click.echo(f"{output.path}  {output.width_in:.3f} x {output.height_in:.3f} in with bleed  spine "
               f"{output.spine_in:.3f} in ({output.pages} pages on {stock})  {output.size / 1024:,.0f} KiB")


@main.command()
@click.argument("book", type=PATH)
@build_options("trim", "theme", "polish")
@click.option("--exact", is_flag=True, help="Lay out every trim size instead of estimating the others.")
@reports_errors
def stats(book: Path, exact: bool, warn: Warnings, **values) -> None:
    """Words, chapters, reading time, pages per trim size and spine width per paper.

    \b
    Example:
      publisher stats books/the-lamplighters-daughter --exact
    """
    figures = _command("stats", "stats")(book, options_from(values), exact, warn)
    show(warn)
    click.echo(f"{figures.title}")
    click.echo(f"  words          {figures.words:,}")
    click.echo(f"  chapters       {figures.chapters}")
    from .commands.stats import WORDS_PER_MINUTE

    click.echo(f"  reading time   {figures.reading_time} (at {WORDS_PER_MINUTE} words a minute)")
    click.echo("  trim           pages     spine white   spine cream")
    for row in figures.trims:
        mark = " " if row.exact else "≈"
        click.echo(f"  {row.trim:<12} {mark}{row.pages:>5}     {figures.spine(row.pages, 'white'):.3f} in"
                   f"      {figures.spine(row.pages, 'cream'):.3f} in")


@main.command()
@click.argument("book", type=PATH)
@click.option("-o", "--out", "out_dir", type=PATH, default=None,
              help="Folder for the proof sheets (default: dist/<slug>-proof).")
@click.option("--pages", help="Pages to show, e.g. 1-12 (default: all).")
@build_options("trim", "theme", "polish")
@click.option("--dpi", type=int, default=60, show_default=True, help="Resolution of the page images.")
@reports_errors
def proof(book: Path, out_dir: Path | None, pages: str | None, dpi: int, warn: Warnings, **values) -> None:
    """Render the PDF as page spreads into PNG contact sheets and an HTML page to view them.

    \b
    Example:
      publisher proof books/the-lamplighters-daughter --pages 1-12
    """
    made = _command("proof", "proof")(book, out_dir, options_from(values), pages, dpi, warn)
    show(warn)
    click.echo(f"{made.index}  {made.sheets} sheet{'s' if made.sheets != 1 else ''}")


@main.command()
@click.argument("book", type=PATH)
@click.option("--port", type=int, default=8000, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@build_options("theme", "trim")
@reports_errors
def preview(book: Path, port: int, warn: Warnings, **values) -> None:
    """Serve a live preview of BOOK that reloads when a chapter changes.

    \b
    Example:
      publisher preview books/the-lamplighters-daughter --port 8000
    """
    try:
        server = _command("preview", "start_preview")(book, options_from(values), port)
    except OSError as error:
        raise PublisherError(f"cannot serve on 127.0.0.1:{port}: {error.strerror}") from None
    click.echo(f"previewing {book} at {server.url}  (Ctrl-C to stop)")
    try:
        server.stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@main.command(name="import")
@click.argument("story", type=PATH)
@click.option("-o", "--out", "folder", type=PATH, help="The book folder to write (default: books/<source name>).")
@build_options("title", "author", "language")
@click.option("--force", is_flag=True, help="Replace the folder if it exists.")
@reports_errors
def import_(story: Path, folder: Path | None, force: bool, warn: Warnings, title: str | None, author: str | None,
            language: str | None) -> None:
    """Turn any source (.txt, .md, an .html download, .epub, .docx) into an editable book folder.

    \b
    Example:
      publisher import story.txt -o books/my-story
      publisher import work.html -o books/ledger
    """
    folder = folder or Path("books") / slugify(story.stem)
    options = options_from({"title": title, "author": author, "language": language})  # checks the language tag
    from .readers.draft import Overrides

    overrides = Overrides(options.title, options.author, options.language)
    made = _command("import_", "import_book")(story, folder, overrides, force, warn)
    show(warn)
    click.echo(f"imported {story} → {made.folder} ({made.chapters} chapters)")


@main.command()
@click.argument("catalogue", type=PATH)
@click.option("-o", "--out", "out_dir", type=PATH, required=True, help="Folder for the books: one folder per work.")
@click.option("--workers", type=int, default=0, show_default=True,
              help="Local processes building works side by side, or those of a --dask local cluster "
                   "(0: one per core).")
@click.option("--dask", default="", metavar="ADDRESS",
              help="Build on a Dask cluster (tcp://scheduler:8786), or 'local' for one on this machine.")
@click.option("--celery", default="", metavar="BROKER", help="Build on Celery workers (redis://host:6379/0).")
@click.option("--report", type=click.File("w"), default="-", help="File for one JSON line per work (default: stdout).")
@build_options("formats", "theme", "trim", "font_size", "profile", "polish", "bleed", "page_list", "impose",
               "signature_sheets", "paper", "marks", "cache", "cache_dir", "build_date")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary; the report still comes.")
@reports_errors
def batch(catalogue: Path, out_dir: Path, workers: int, dask: str, celery: str, report, quiet: bool, warn: Warnings,
          **values) -> None:
    """Build every work of CATALOGUE (a folder of works, or a .jsonl file of {"source", "id", "options"}).

    Works already built with the same source and options are skipped; a work that fails is reported
    and the others go on (exit status 1 at the end).

    \b
    Example:
      publisher batch downloads/ -o library/ --workers 2
      publisher batch catalogue.jsonl -o library/ --dask tcp://scheduler:8786
      publisher batch downloads/ -o /srv/books --celery redis://queue:6379/0
    """
    with batch_progress(enabled=not quiet) as progress:
        def reported(result) -> None:
            click.echo(result.to_json(), file=report)
            report.flush()
            if not result.skipped:
                progress.done(not result.ok)

        summary = _command("batch", "batch")(catalogue, out_dir, options_from(values), workers, dask, celery,
                                             reported, progress.start)
    if not quiet:
        click.echo(f"{summary.built} built, {summary.skipped} already built, {len(summary.failed)} failed "
                   f"in {summary.seconds:.1f} s", err=True)
        for failed in summary.failed:
            click.echo(f"failed: {failed.id}: {failed.error}", err=True)
    if summary.failed:
        sys.exit(1)


def _process_age() -> float:
    """Seconds since this process began (interpreter start-up and imports included), on Linux;
    0 where that cannot be read."""
    try:
        with open("/proc/self/stat") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


def run(args: list[str] | None = None) -> None:
    """The `publisher` command: main() with the process's own start-up counted in the time it reports."""
    PROCESS_STARTED.append(time.perf_counter() - _process_age())
    main(args=args, prog_name="publisher")


if __name__ == "__main__":
    run()
