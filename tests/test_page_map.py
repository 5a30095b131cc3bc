"""The EPUB writer sees only a PageMap of the print edition: where pages begin and the edition's id."""
from __future__ import annotations

import io
import zipfile

from conftest import SAMPLE, assert_epubcheck_clean
from publisher import read, themes
from publisher.writers import PageMap, write_epub
from publisher.writers.page_map import PageStart


def test_the_epub_places_the_page_map_it_is_given(tmp_path):
    manuscript = read(SAMPLE)
    chapter = manuscript.chapters[0].slug
    pages = PageMap((PageStart("1", chapter, 0, 0), PageStart("2", chapter, 3, 12)), "urn:uuid:print-edition-test")
    data = write_epub(manuscript, themes.load("classic"), pages)
    book = zipfile.ZipFile(io.BytesIO(data))
    text = book.read(f"EPUB/text/{chapter}.xhtml").decode()
    nav = book.read("EPUB/text/nav.xhtml").decode()
    opf = book.read("EPUB/content.opf").decode()
    assert 'id="page-1"' in text and 'id="page-2"' in text and "data-block" not in text
    assert f'href="{chapter}.xhtml#page-2"' in nav
    assert "urn:uuid:print-edition-test" in opf
    path = tmp_path / "book.epub"
    path.write_bytes(data)
    assert_epubcheck_clean(path)


def test_without_a_page_map_there_is_no_page_list():
    data = write_epub(read(SAMPLE), themes.load("classic"))
    nav = zipfile.ZipFile(io.BytesIO(data)).read("EPUB/text/nav.xhtml").decode()
    assert "page-list" not in nav
