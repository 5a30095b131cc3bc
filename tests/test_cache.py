"""Chapters converted to HTML, and their EPUB files, are kept in the cache: a rebuild converts and
makes only what changed, and gives the very bytes of a build without the cache."""
from __future__ import annotations

import shutil
from dataclasses import replace
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import SAMPLE, assert_epubcheck_clean
from publisher import BuildOptions, build
from publisher.cache import Shelf
from publisher.errors import Warnings
from publisher.readers import markup
from publisher.writers import epub, epub_zip


@pytest.fixture
def conversions(monkeypatch) -> list[str]:
    """The texts converted to HTML in this process (the real conversion, counted)."""
    seen: list[str] = []
    real = markup.convert

    def counted(text: str, *args, **kwargs):
        seen.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(markup, "convert", counted)
    return seen


def _epub(book: Path, out: Path, cache: Path | None) -> bytes:
    options = BuildOptions(formats=("epub",), build_date="2026-11-29", jobs=1,
                           cache=cache is not None, cache_dir=str(cache or ""))
    [output] = build(book, out, options)
    return output.path.read_bytes()


def _entries(cache: Path) -> set[Path]:
    return set((cache / "html").glob("*/*"))


def _chapter_texts(epub: bytes, tmp_path: Path) -> str:
    path = tmp_path / "book.epub"
    path.write_bytes(epub)
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist() if "chapter-" in n)


def test_a_rebuild_converts_nothing_and_gives_the_same_epub(tmp_path, conversions):
    cache = tmp_path / "cache"
    first = _epub(SAMPLE, tmp_path / "a", cache)
    chapters = len(list((SAMPLE / "chapters").glob("*.md")))
    assert len(_entries(cache)) == chapters
    converted_cold = len(conversions)

    conversions.clear()
    again = _epub(SAMPLE, tmp_path / "b", cache)
    assert again == first
    assert len(conversions) == converted_cold - chapters  # the front and back matter only: they are short
    assert _epub(SAMPLE, tmp_path / "c", None) == first


def test_after_a_one_word_edit_only_that_chapter_is_converted_and_nothing_stale_is_served(tmp_path, conversions):
    cache = tmp_path / "cache"
    book = tmp_path / "book"
    shutil.copytree(SAMPLE, book)
    _epub(book, tmp_path / "a", cache)
    entries = _entries(cache)

    chapter = sorted((book / "chapters").glob("*.md"))[1]
    text = chapter.read_text()
    word = next(w for line in text.splitlines()[3:] for w in line.split() if w.isalpha() and w.islower() and len(w) > 4)
    chapter.write_text(text.replace(word, "Zanzibar", 1))
    conversions.clear()
    edited = _epub(book, tmp_path / "b", cache)
    assert len(_entries(cache) - entries) == 1
    assert sum("Zanzibar" in text for text in conversions) == 1
    assert "Zanzibar" in _chapter_texts(edited, tmp_path)
    assert edited == _epub(book, tmp_path / "c", None)


def test_a_damaged_entry_is_converted_again(tmp_path):
    cache = tmp_path / "cache"
    good = _epub(SAMPLE, tmp_path / "a", cache)
    stored = {entry: entry.read_bytes() for entry in _entries(cache)}
    for entry, data in stored.items():
        entry.write_bytes(data.replace(b"<p>", b"<p>Damaged ", 1))
    assert _epub(SAMPLE, tmp_path / "b", cache) == good
    assert {entry: entry.read_bytes() for entry in _entries(cache)} == stored  # each converted and stored again


def test_warnings_found_while_converting_are_given_again_from_the_cache(tmp_path):
    book = tmp_path / "story.md"
    book.write_text("# A Story\n\n## One\n\nIt began.<script>alert(1)</script>\n\n## Two\n\nIt ended.\n")
    cache = tmp_path / "cache"
    for out in ("a", "b"):
        warn = Warnings()
        build(book, tmp_path / out, BuildOptions(formats=("epub",), cache_dir=str(cache)), warn)
        assert any("story.md:5: removed what an ebook may not contain: <script>" in m for m in warn.messages), \
            (out, warn.messages)
    assert _entries(cache)


def test_a_rebuild_takes_the_typographic_cover_it_drew(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("Title: The Lamp Room\nAuthor: Ada Quill\n\nThe keeper lit the lamp at dusk.\n")
    cache = tmp_path / "cache"
    first = _epub(story, tmp_path / "a", cache)
    [entry] = (cache / "covers").glob("*/*")
    assert _epub(story, tmp_path / "b", None) == first  # the same bytes as a build without the cache

    # What the shelf holds is what the next build puts in: a rebuild does not draw it again.
    stand_in = _cover(first, tmp_path)[:-1] + b"\x01"
    name = entry.name
    Shelf(cache, "covers").put(name, stand_in)
    assert _cover(_epub(story, tmp_path / "c", cache), tmp_path) == stand_in

    # Another title is another cover.
    story.write_text("Title: The Fog Bell\nAuthor: Ada Quill\n\nThe keeper rang the bell.\n")
    assert _cover(_epub(story, tmp_path / "d", cache), tmp_path) != _cover(first, tmp_path)
    assert len(list((cache / "covers").glob("*/*"))) == 2


def _cover(epub: bytes, tmp_path: Path) -> bytes:
    path = tmp_path / "cover-of.epub"
    path.write_bytes(epub)
    with zipfile.ZipFile(path) as archive:
        return archive.read("EPUB/images/cover.png")


def _files(cache: Path) -> set[Path]:
    return set((cache / "epub").glob("*/*"))


def test_a_rebuild_after_an_edit_makes_only_that_chapters_file_and_copies_the_rest(tmp_path):
    cache = tmp_path / "cache"
    book = tmp_path / "book"
    shutil.copytree(SAMPLE, book)
    first = _epub(book, tmp_path / "a", cache)
    files = _files(cache)
    chapters = len(list((book / "chapters").glob("*.md")))
    assert len(files) >= chapters

    chapter = sorted((book / "chapters").glob("*.md"))[1]
    chapter.write_text(chapter.read_text().replace("the", "Zanzibar", 1))
    edited = _epub(book, tmp_path / "b", cache)
    assert len(_files(cache) - files) == 1
    assert edited != first and edited == _epub(book, tmp_path / "c", None)
    assert_epubcheck_clean(next((tmp_path / "b").glob("*.epub")))

    # What the shelf holds is what goes in: each entry found is copied, not made again.
    shelf = Shelf(cache, "epub")
    kept = {entry.name: epub._File.from_bytes("chapter", shelf.get(entry.name)) for entry in _files(cache)}
    [(name, file)] = [(name, file) for name, file in kept.items()
                      if b'id="chapter-003"' in zlib.decompress(file.member.packed, -zlib.MAX_WBITS)]
    stand_in = zlib.decompress(file.member.packed, -zlib.MAX_WBITS).replace(b"</h1>", b" (kept)</h1>", 1)
    shelf.put(name, replace(file, member=epub_zip.member(file.member.name, stand_in)).to_bytes())
    assert "(kept)</h1>" in _chapter_texts(_epub(book, tmp_path / "d", cache), tmp_path)


def test_the_page_list_of_a_rebuild_from_the_cache_is_the_same(tmp_path):
    """The page-break markers are in the files kept: a file is kept for its chapter's page starts."""
    cache = tmp_path / "cache"
    options = {"formats": ("epub",), "page_list": True, "build_date": "2026-11-29", "jobs": 1}
    [cold] = build(SAMPLE, tmp_path / "a", BuildOptions(**options, cache=False))
    [first] = build(SAMPLE, tmp_path / "b", BuildOptions(**options, cache_dir=str(cache)))
    [again] = build(SAMPLE, tmp_path / "c", BuildOptions(**options, cache_dir=str(cache)))
    assert cold.path.read_bytes() == first.path.read_bytes() == again.path.read_bytes()
    assert 'role="doc-pagebreak"' in _chapter_texts(again.path.read_bytes(), tmp_path)
    entries = _files(cache)
    [smaller] = build(SAMPLE, tmp_path / "d", BuildOptions(**options, font_size=12, cache_dir=str(cache)))
    assert len(_files(cache) - entries) >= len(list((SAMPLE / "chapters").glob("*.md")))  # other pages
    [fresh] = build(SAMPLE, tmp_path / "e", BuildOptions(**options, font_size=12, cache=False))
    assert smaller.path.read_bytes() == fresh.path.read_bytes()
    assert_epubcheck_clean(again.path)
