"""Chapters set in parallel and reused from the cache give the very pages of a whole-book render."""
from __future__ import annotations

import inspect
import io
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from conftest import CORPUS, SAMPLE, STORIES, needs_corpus
from publisher import BuildOptions, build, read, themes
from publisher.writers import pdf


@pytest.fixture(autouse=True)
def _parallel(parallel_path):
    """Every test here is about the parallel path, which short books would not take."""


def _texts(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "t.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")[:-1]


def _rasters(data: bytes, tmp_path: Path, name: str) -> list[Image.Image]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / name)], check=True)
    return [Image.open(p).convert("L") for p in sorted(tmp_path.glob(f"{name}-*.png"))]


def _assert_same_book(whole: pdf.PrintLayout, parts: pdf.PrintLayout, options: BuildOptions, tmp_path: Path):
    assert parts.pages == whole.pages
    assert parts.labels == whole.labels
    assert parts.page_starts == whole.page_starts
    a, b = whole.pdf, parts.pdf
    assert _texts(b, tmp_path) == _texts(a, tmp_path)
    for number, (x, y) in enumerate(zip(_rasters(a, tmp_path, "whole"), _rasters(b, tmp_path, "parts")), 1):
        assert ImageChops.difference(x, y).getbbox() is None, f"page {number} looks different"


@pytest.mark.parametrize("source, options", [
    (SAMPLE, BuildOptions(jobs=2, cache=False)),
    (STORIES[0], BuildOptions(jobs=1, cache=False, theme="modern", trim="5x8")),
    (STORIES[-1], BuildOptions(jobs=2, cache=False, profile="kdp", font_size=12)),
], ids=lambda value: value.name if isinstance(value, Path) else "")
def test_parallel_build_equals_a_whole_book_render(source, options, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "FURNITURE_PAGES", 3)  # several folio documents, each counting on from the last
    manuscript = read(source)
    theme = themes.load(options.theme)
    _assert_same_book(pdf.lay_out_whole(manuscript, theme, options), pdf.lay_out(manuscript, theme, options),
                      options, tmp_path)


@pytest.fixture(scope="module")
def merged_sample(tmp_path_factory) -> Path:
    """The sample's PDF set in parallel and merged (the session's `built` may hold a whole-document one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "WHOLE_BOOK_WORDS", 0)
        [output] = build(SAMPLE, tmp_path_factory.mktemp("merged"), BuildOptions(formats=("pdf",), jobs=2,
                                                                                  cache=False))
    return output.path


def test_fonts_are_embedded_once_for_the_whole_book(merged_sample):
    out = subprocess.run(["pdffonts", str(merged_sample)], capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in out.stdout.splitlines()[2:]]
    assert names and len(names) == len(set(names)), names


def test_a_face_whose_original_file_is_gone_keeps_each_documents_subset(merged_sample, tmp_path, monkeypatch):
    """The merge cuts one subset per face from the original font files the setting kept; where they
    are gone (a cache pruned meanwhile), each document keeps its own subset and every glyph shows."""
    from publisher.writers.pdf import merge

    real = merge.merge

    def without_originals(*args, **kwargs):
        fonts_dir = inspect.signature(real).bind(*args, **kwargs).arguments["fonts_dir"]
        for original in fonts_dir.iterdir():
            original.unlink()
        return real(*args, **kwargs)

    monkeypatch.setattr(merge, "merge", without_originals)
    monkeypatch.setattr(pdf, "WHOLE_BOOK_WORDS", 0)
    [output] = build(SAMPLE, tmp_path / "out", BuildOptions(formats=("pdf",), jobs=2, cache=False))
    fonts = subprocess.run(["pdffonts", str(output.path)], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert len(names) > len(set(names))  # a subset per document, not one per face
    assert _texts(output.path.read_bytes(), tmp_path) == _texts(merged_sample.read_bytes(), tmp_path)
    for number, (x, y) in enumerate(zip(_rasters(output.path.read_bytes(), tmp_path, "kept"),
                                        _rasters(merged_sample.read_bytes(), tmp_path, "merged")), 1):
        assert ImageChops.difference(x, y).getbbox() is None, f"page {number} looks different"


def test_contents_links_and_outline_point_at_the_chapter_openings(merged_sample):
    reader = PdfReader(merged_sample)
    openings = [reader.get_destination_page_number(item) for item in reader.outline]
    assert len(openings) == 7  # four chapters, three back-matter sections
    contents = next(i for i, page in enumerate(reader.pages) if "CONTENTS" in page.extract_text().upper())
    targets = [reader.get_page_number(a.get_object()["/Dest"][0].get_object())
               for a in reader.pages[contents]["/Annots"] if "/Dest" in a.get_object()]
    assert list(dict.fromkeys(targets)) == openings  # a link is a box each for title, leader and folio


def _entries(cache: Path) -> set[Path]:
    return set((cache / "parts").glob("*/*"))


def test_rebuild_after_an_edit_sets_only_that_chapter_and_never_serves_stale_pages(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("PUBLISHER_CACHE", str(cache))
    book = tmp_path / "book"
    shutil.copytree(SAMPLE, book)
    options = BuildOptions(jobs=2)
    theme = themes.load(options.theme)
    first = pdf.lay_out(read(book), theme, options)
    entries = _entries(cache)
    assert len(entries) >= 4 + 2  # every chapter, the front matter, the folios

    # Built again unchanged: nothing new is set, and the PDF is the same.
    again = pdf.lay_out(read(book), theme, options)
    assert _entries(cache) == entries
    assert again.pdf == first.pdf

    # One word changed in chapter 2: one new entry, and the pages of a fresh build of the edited book.
    chapter = sorted((book / "chapters").glob("*.md"))[1]
    text = chapter.read_text()
    prose = [line for line in text.splitlines() if line and not line.startswith(("#", "[", ">"))]
    word = next(w for line in prose for w in line.split() if w.isalpha() and w.islower() and len(w) > 4)
    chapter.write_text(text.replace(word, "Zanzibar", 1))
    edited = pdf.lay_out(read(book), theme, options)
    assert len(_entries(cache) - entries) == 1
    fresh = pdf.lay_out(read(book), theme, replace(options, cache=False))
    assert edited.pdf == fresh.pdf
    assert "Zanzibar" in "".join(_texts(edited.pdf, tmp_path))

    # Another style is another key: nothing of the classic theme is reused for the modern one.
    before = _entries(cache)
    modern = replace(options, theme="modern")
    pdf.lay_out(read(book), themes.load("modern"), modern)
    assert len(_entries(cache) - before) >= 4 + 2


def test_a_damaged_cache_entry_is_set_again(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("PUBLISHER_CACHE", str(cache))
    options = BuildOptions(jobs=1)
    theme = themes.load(options.theme)
    manuscript = read(SAMPLE)
    good = pdf.lay_out(manuscript, theme, options).pdf
    stored = {entry: entry.read_bytes() for entry in _entries(cache)}
    for entry, data in stored.items():
        damaged = bytearray(data)
        damaged[len(data) // 2] ^= 0xFF  # inside a page's compressed drawing, where a reader would not notice
        entry.write_bytes(bytes(damaged))
    assert pdf.lay_out(manuscript, theme, options).pdf == good
    assert {entry: entry.read_bytes() for entry in _entries(cache)} == stored  # each one set and stored again


def test_no_cache_leaves_the_cache_alone(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from publisher.cli import main

    cache = tmp_path / "cache"
    monkeypatch.setenv("PUBLISHER_CACHE", str(cache))
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path / "out"), "--format", "pdf",
                                       "--no-cache", "--jobs", "2", "-q"])
    assert result.exit_code == 0, result.output
    assert not _entries(cache)
    assert len(PdfReader(io.BytesIO((tmp_path / "out" / "the-lamplighters-daughter.pdf").read_bytes())).pages) > 20


@needs_corpus("pride-and-prejudice")
def test_chapters_converted_in_workers_make_the_same_manuscript(monkeypatch):
    import importlib

    from publisher import workers

    assemble = importlib.import_module("publisher.readers.assemble")
    book = CORPUS / "pride-and-prejudice"
    serial = read(book, jobs=1)
    pools = []
    monkeypatch.setattr(assemble, "PARALLEL_CHARACTERS", 0)  # this shorter book is converted in workers too
    monkeypatch.setattr(workers, "executor",
                        lambda jobs, preload=(), light=False, real=workers.executor: pools.append(jobs)
                        or real(jobs, preload, light))
    assert read(book, jobs=2) == serial
    assert pools == [2]


FORKED_CONVERSION = """
import importlib, sys
from pathlib import Path
from publisher import workers
from publisher.readers import read

assemble = importlib.import_module("publisher.readers.assemble")
assemble.PARALLEL_CHAPTERS = assemble.PARALLEL_CHARACTERS = 0  # the sample's chapters go to workers
methods, real = [], workers.executor


def executor(*args, **kwargs):
    pool = real(*args, **kwargs)
    methods.append(pool._mp_context.get_start_method())
    return pool


workers.executor = executor
if __name__ == "__main__":
    if sys.argv[2:] == ["weasyprint"]:
        from publisher.writers.pdf import weasy

        weasy.load()
    if sys.argv[2:] == ["thread"]:  # as a terminal's progress display runs one
        import threading

        threading.Thread(target=threading.Event().wait, daemon=True).start()
    same = read(Path(sys.argv[1]), jobs=2) == read(Path(sys.argv[1]), jobs=1)
    print(methods, same, "weasyprint" in sys.modules)
"""


@pytest.mark.parametrize("before, method", [("", "fork"), ("weasyprint", "forkserver"), ("thread", "forkserver")])
def test_chapters_are_converted_in_copies_of_a_process_alone(before, method, tmp_path):
    """A process with no other thread and no WeasyPrint (an EPUB's build) forks its converters
    itself, with no fork server to start; one that has loaded WeasyPrint, or runs another thread
    (whose locks a copy could wait on for ever), starts the fork server. Either way the chapters
    are as converted in the process."""
    script = tmp_path / "convert.py"
    script.write_text(FORKED_CONVERSION)
    done = subprocess.run([sys.executable, str(script), str(SAMPLE), *([before] if before else [])],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [f"['{method}']", "True", str(before == "weasyprint")]


def test_a_cache_that_cannot_be_written_does_not_stop_the_build(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("PUBLISHER_CACHE", str(blocked))
    options = BuildOptions(jobs=2)
    layout = pdf.lay_out(read(SAMPLE), themes.load(options.theme), options)
    assert layout.pages == 33
    assert blocked.read_text() == "a file where the cache folder would be"


def test_an_odd_book_padded_for_ingramspark_keeps_its_trim_boxes_and_page_count():
    options = BuildOptions(profile="ingramspark", bleed=True)
    layout = pdf.lay_out(read(STORIES[0]), themes.load(options.theme), options)
    reader = PdfReader(io.BytesIO(layout.pdf))
    assert len(reader.pages) % 2 == 0 and layout.pages == len(reader.pages)
    for index, page in enumerate(reader.pages):
        assert float(page.trimbox[0]) == (0 if index % 2 == 0 else 9), index  # rectos bleed right, versos left


def test_set_documents_wait_for_the_merge_on_disk_as_they_were_set(tmp_path):
    """The pool writes each set PDF to its spill folder, found in the cache or set by a worker, and
    its results hold the file, not the bytes; the files are the PDFs set without a spill folder."""
    from conftest import chapter_jobs
    from publisher.writers.pdf.cache import Cache

    jobs = chapter_jobs(read(SAMPLE), BuildOptions(cache=False, polish=False))[:3]
    cache = Cache(tmp_path / "cache")
    (tmp_path / "spill").mkdir()
    (tmp_path / "fonts").mkdir()
    with pdf.Pool(2, tmp_path / "spill") as pool:
        spilled = pool.set(jobs, cache, tmp_path / "fonts", lambda done: None)
        again = pool.set(jobs, cache, tmp_path / "fonts", lambda done: None)  # from the cache
    with pdf.Pool(1) as pool:
        kept = pool.set(jobs, Cache(None), tmp_path / "fonts", lambda done: None)
    assert all(done.pdf == b"" and done.pdf_file for done in spilled + again)
    assert len({done.pdf_file for done in spilled + again}) == 6
    assert [Path(done.pdf_file).read_bytes() for done in spilled] == [done.pdf for done in kept]
    assert [Path(done.pdf_file).read_bytes() for done in again] == [done.pdf for done in kept]
