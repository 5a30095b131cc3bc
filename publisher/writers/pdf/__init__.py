"""Manuscript → print-ready PDF bytes, set in pages by WeasyPrint as a book.

Front matter with roman folios, chapters on recto pages with arabic folios from 1, running
heads, a contents page with the chapters' folios, footnotes at the foot of their page.

The book is set as several documents: the chapters are set separately in a pool of processes,
each kept in a cache under a hash of its text and style, and the documents are merged into one
PDF with continuous folios (documents.py makes them, setter.py sets one, merge.py joins them).
A PDF/X variant, which a merge would break, is set as one whole document. Only weasy.py touches
WeasyPrint.
"""
from __future__ import annotations

import functools
import hashlib
import io
import itertools
import subprocess
import tempfile
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable

import pikepdf

from ... import workers
from ...errors import PublisherError
from ...manuscript import Manuscript, Resource
from ...options import BuildOptions
from ...profiles import BLEED_IN, Profile, margins_for, profile
from ...themes import Theme
from .. import SETTER_MODULE
from ..page_map import PageMap, PageStart, print_edition
from . import documents, merge
from ...cache import key
from .cache import Cache
from .jobs import BASE_URL, Job, SetDocument, set_in_worker
from .polish import POLISH_CSS

# Pages of folios per furniture document: enough to share out, few enough to stay cheap (a worker
# setting 400 of them grew to 140 MiB; at 150, War and Peace's process tree peaks at 418 MiB, not 458).
FURNITURE_PAGES = 150
# Below this many words a book is set as one document: for a short work the pool, the folio
# documents and the merge cost more than they save. Measured on 2 cores, cold, EPUB and PDF: a
# 3,000-word story 1.6 s against 2.1 s; at 13,000 words the one document takes 3.05 s against
# 2.93 s (with less CPU in all), so the line is drawn below that.
WHOLE_BOOK_WORDS = 10_000
LINK_BASE = BASE_URL + "book"  # the contents page's links in a front-matter document, resolved by the merge


@dataclass(frozen=True)
class PrintLayout:
    """The laid-out book: its finished PDF, the printed folios and where each page begins."""

    pdf: bytes
    labels: tuple[str, ...]
    first_body_page: int
    page_starts: tuple[PageStart, ...]
    edition: str  # the print edition's identifier
    polish_seconds: float = 0.0  # CPU time the polish pass took, in every process

    @property
    def pages(self) -> int:
        return len(self.labels)

    @property
    def page_map(self) -> PageMap:
        """What the EPUB's page list needs of this layout."""
        return PageMap(self.page_starts, self.edition)


def lay_out(manuscript: Manuscript, theme: Theme, options: BuildOptions,
            on_pages: Callable[[int], None] = lambda pages: None) -> PrintLayout:
    """Set the book in pages (the slow step) and finish its PDF. `on_pages(count)` hears how many of
    the book's pages are set so far, as each document is set or found in the cache; its last call
    gives the book's page count."""
    if profile(options.profile).pdf_variant or manuscript.words < WHOLE_BOOK_WORDS:
        layout = lay_out_whole(manuscript, theme, options, on_pages)
    else:
        cache = Cache(options.cache_root())
        with tempfile.TemporaryDirectory(prefix="publisher-fonts-") as scratch, \
                tempfile.TemporaryDirectory(prefix="publisher-set-") as spill, Pool(options.jobs, Path(spill)) as pool:
            fonts_dir = cache.fonts_dir() or Path(scratch)
            layout = _lay_out_documents(manuscript, theme, options, pool, cache, fonts_dir, on_pages)
        cache.prune()
    on_pages(layout.pages)
    return layout


def _kdp_margins(options: BuildOptions, set_once):
    """Set the book with the page CSS of its margins; KDP's inside margin depends on the page count,
    so set it until the two agree. `set_once(page_css)` returns (pages, …)."""
    rules, pages = profile(options.profile), 0
    for _ in range(4):
        margins = margins_for(options.trim_size, rules, pages, options.bleed)
        result = set_once(documents.page_css(options, margins))
        total = result[0]
        if not rules.page_count_inside or margins == margins_for(options.trim_size, rules, total, options.bleed):
            break
        pages = total
    return result


def lay_out_whole(manuscript: Manuscript, theme: Theme, options: BuildOptions,
                  on_pages: Callable[[int], None] = lambda pages: None) -> PrintLayout:
    """The book as one WeasyPrint document: the reference the parallel build must equal."""
    rules = profile(options.profile)
    document = documents.book_document(manuscript, options.moment().year,
                                       _output_intent(rules) if rules.output_intent else None)

    def once(page_css: str):
        job = Job(document.xhtml, (theme.print_css, page_css), document.images,
                  manuscript.metadata.identifier.encode("utf-8"), rules.pdf_variant, options.polish)
        done = set_in_worker(job, None)
        on_pages(done.pages)
        return done.pages, done

    _, done = _kdp_margins(options, once)
    body = manuscript.body()
    start = body[0][1].slug if body else ""
    first = next((i for i, f in enumerate(done.firsts) if f and f[0] == start), 0)
    with pikepdf.open(io.BytesIO(done.pdf)) as book:
        finish(book, first, rules, options.bleed)
        out = io.BytesIO()
        book.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    return _layout(out.getvalue(), list(done.firsts), first, rules, print_edition(manuscript, options), [done])


def _output_intent(rules: Profile) -> Resource:
    try:
        data = Path(rules.output_intent).read_bytes()
    except OSError as error:
        raise PublisherError(f"{rules.name}: its PDF/X needs the CMYK colour profile {rules.output_intent} "
                             f"({error.strerror}): install Debian's libgs-common") from None
    return Resource(".publisher/output-intent.icc", "application/vnd.iccprofile", data)


def _layout(pdf: bytes, firsts: list, first_body_page: int, rules: Profile, edition: str,
            set_documents: list[SetDocument]) -> PrintLayout:
    if rules.even_pages and len(firsts) % 2:
        firsts = firsts + [None]  # the blank page finish() added
    labels = tuple(_roman(i + 1) if i < first_body_page else str(i - first_body_page + 1)
                   for i in range(len(firsts)))
    return PrintLayout(pdf, labels, first_body_page, tuple(_page_starts(firsts, labels)), edition,
                       sum(document.polish_seconds for document in set_documents))


class Pool:
    """Worker processes that set the documents (none for one job: everything is set here)."""

    def __init__(self, jobs: int, spill: Path | None = None):
        self.executor = None
        self.spill, self.spilled = spill, itertools.count()
        if workers.count(jobs) > 1:
            self.executor = workers.executor(jobs, (SETTER_MODULE,))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Stop the workers: each holds a hundred MiB or more of WeasyPrint's that the merge can use."""
        if self.executor:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None

    def set(self, jobs: list[Job], cache: Cache, fonts_dir: Path,
            on_set: Callable[[SetDocument], None]) -> list[SetDocument]:
        """Each job set in pages, from the cache or now, biggest first to share the work out;
        `on_set` hears of each document as it is found or set. With a `spill` folder, each PDF
        waits there for the merge (SetDocument.pdf_file)."""
        keys = [key(*_setter_fingerprint(), job.document, *job.css, *(r.name for r in job.resources),
                    *(r.data for r in job.resources), job.identifier or b"", job.variant or "",
                    POLISH_CSS if job.polish else "") for job in jobs]
        results: list[SetDocument | None] = [self._kept(cache.get(k)) for k in keys]
        for found in filter(None, results):
            on_set(found)
        todo = sorted((i for i, r in enumerate(results) if r is None), key=lambda i: -len(jobs[i].document))
        if self.executor and todo:
            try:
                futures = {self.executor.submit(set_in_worker, jobs[i], fonts_dir): i for i in todo}
                for future in as_completed(futures):
                    i = futures.pop(future)  # a future holds its result: the PDF waits on disk, not in it
                    done = future.result()
                    cache.put(keys[i], done)
                    results[i] = self._kept(done)
                    on_set(results[i])
            except BrokenProcessPool:
                # A worker died (out of memory, or a calling script that starts a build when imported):
                # what is left is set here, one document at a time.
                self.executor.shutdown(cancel_futures=True)
                self.executor = None
        for i in todo:
            if results[i] is None:
                done = set_in_worker(jobs[i], fonts_dir)
                cache.put(keys[i], done)
                results[i] = self._kept(done)
                on_set(results[i])
        return results

    def _kept(self, done: SetDocument | None) -> SetDocument | None:
        """The set document, its PDF in the spill folder if there is one."""
        if done is None or self.spill is None:
            return done
        path = self.spill / f"set-{next(self.spilled)}.pdf"
        path.write_bytes(done.pdf)
        return replace(done, pdf=b"", pdf_file=str(path))


@functools.cache
def _setter_fingerprint() -> tuple[str, ...]:
    """What shapes a set document besides its text and style: the code that sets it, the versions of
    WeasyPrint and fontTools, and the fonts installed (a font added later changes the pages)."""
    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    here = Path(__file__).parent
    code = b"".join((here / name).read_bytes()
                    for name in ("setter.py", "weasy.py", "jobs.py", "documents.py", "polish.py"))
    try:
        fonts = subprocess.run(["fc-list", "--format", "%{file} %{family}\n"], capture_output=True,
                               timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        fonts = b""
    return (installed("publisher"), installed("weasyprint"), installed("fonttools"),
            hashlib.sha256(code).hexdigest(), hashlib.sha256(b"\n".join(sorted(fonts.splitlines()))).hexdigest())


def _lay_out_documents(manuscript: Manuscript, theme: Theme, options: BuildOptions, pool: Pool, cache: Cache,
                       fonts_dir: Path, on_pages: Callable[[int], None]) -> PrintLayout:
    book_documents = documents.print_documents(manuscript, options.moment().year)
    identifier = manuscript.metadata.identifier.encode("utf-8")

    def once(page_css: str):
        set_so_far = 0

        def count(chapter: SetDocument) -> None:
            nonlocal set_so_far
            set_so_far += chapter.pages
            on_pages(set_so_far)

        css = (theme.print_css, page_css)
        chapters = pool.set(chapter_jobs(book_documents, theme, page_css, options.polish), cache, fonts_dir, count)
        book = merge.plan([c.pages for c in chapters])
        names = [section.name for section in book_documents.sections]
        front_doc = book_documents.front(dict(zip(names, book.first_folios)), LINK_BASE)
        jobs = [Job(front_doc.xhtml, css + (documents.KNOWN_FOLIOS_CSS,), front_doc.images)]
        chunks = _furniture_chunks(book)
        jobs += [Job(documents.furniture_document([book.counts[i] for i in chunk], chunk[0] == 0),
                     css + (documents.furniture_css(book.first_folios[chunk[0]]),)) for chunk in chunks]
        front, *furniture = pool.set(jobs, cache, fonts_dir, lambda done: None)  # the folios: no new pages
        front_pages = front.pages + front.pages % 2
        furniture = [(book.first_folios[chunk[0]], r) for chunk, r in zip(chunks, furniture)]
        return front_pages + book.body_pages, front, chapters, furniture, book

    _, front, chapters, furniture, book = _kdp_margins(options, once)
    pool.close()  # everything is set: the merge needs no workers
    firsts = list(front.firsts) + [None] * (front.pages % 2)
    for chapter, blank in zip(chapters, book.blank_before):
        firsts += [None] * blank + list(chapter.firsts)
    first_body_page = front.pages + front.pages % 2 if chapters else front.pages
    rules = profile(options.profile)
    pdf = merge.merge(front, chapters, furniture, book, book_documents.body, LINK_BASE,
                      fonts_dir, identifier, lambda merged: finish(merged, first_body_page, rules, options.bleed))
    return _layout(pdf, firsts, first_body_page, rules, print_edition(manuscript, options), chapters)


def chapter_jobs(book_documents: documents.PrintDocuments, theme: Theme, page_css: str, polish: bool) -> list[Job]:
    """A job for each chapter document: the theme's print CSS, the page's, the chapters'."""
    css = (theme.print_css, page_css, book_documents.chapter_css)
    return [Job(doc, css, images, polish=polish)
            for doc, images in zip(book_documents.chapters, book_documents.chapter_images)]


def _furniture_chunks(book: merge.Plan) -> list[list[int]]:
    """The chapters in runs of about FURNITURE_PAGES pages, each run one furniture document."""
    chunks, pages = [], FURNITURE_PAGES
    for index, count in enumerate(book.counts):
        if pages >= FURNITURE_PAGES:
            chunks.append([])
            pages = 0
        chunks[-1].append(index)
        pages += count
    return chunks


def write_pdf(manuscript: Manuscript, theme: Theme, options: BuildOptions, layout: PrintLayout | None = None) -> bytes:
    """The finished PDF file's bytes."""
    return (layout or lay_out(manuscript, theme, options)).pdf


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                           (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, number = divmod(number, value)
        out += letters * count
    return out


def _page_starts(firsts: list, labels: tuple[str, ...]):
    """For each page, where its text begins; a page without text begins where the next one does."""
    pending: list[str] = []
    for first, label in zip(firsts, labels):
        pending.append(label)
        if first is None:
            continue
        for waiting in pending:
            yield PageStart(waiting, *first)
        pending = []


def finish(book: pikepdf.Pdf, first_body_page: int, rules: Profile, bleed: bool = False) -> None:
    """Page labels that match the printed folios (i, ii… then 1, 2…) and the service's demands."""
    if rules.even_pages and len(book.pages) % 2:
        merge.add_blank_page(book)
    if bleed:  # the page runs 0.125 in past the trim at the outside edge, the head and the foot
        b = BLEED_IN * 72
        for index, page in enumerate(book.pages):
            width, height = float(page.mediabox[2]), float(page.mediabox[3])
            left = 0 if index % 2 == 0 else b  # rectos bleed to the right, versos to the left
            page.obj.TrimBox = pikepdf.Array([left, b, left + width - b, height - b])
            page.obj.BleedBox = page.obj.MediaBox
    if not rules.bookmarks:
        for key in ("/Outlines", "/PageMode"):
            if key in book.Root:
                del book.Root[key]
    if not rules.annotations:
        for page in book.pages:
            if "/Annots" in page.obj:
                del page.obj.Annots
    labels = [0, pikepdf.Dictionary(S=pikepdf.Name.r)] if first_body_page else []
    labels += [first_body_page, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)]
    book.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(labels))
