"""The EPUB: EPUBCheck-clean, complete metadata, semantic sections, navigation, reproducible."""
from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from conftest import SAMPLE, assert_epubcheck_clean
from publisher import BuildOptions, read, render

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}


@pytest.fixture(scope="module")
def sample_epub(built):
    return built(SAMPLE)["epub"]


@pytest.fixture(scope="module")
def package(sample_epub):
    book = zipfile.ZipFile(sample_epub)
    return book, etree.fromstring(book.read("EPUB/content.opf"))


def xhtml(book: zipfile.ZipFile, name: str):
    return etree.fromstring(book.read(f"EPUB/{name}"))


def test_epubcheck_reports_nothing(sample_epub):
    assert_epubcheck_clean(sample_epub)


def test_dublin_core_metadata(package):
    _, opf = package
    assert opf.xpath("//dc:title/text()", namespaces=NS) == ["The Lamplighter’s Daughter"]
    assert opf.xpath("//dc:creator/text()", namespaces=NS) == ["Mara Quill"]
    assert opf.xpath("//dc:language/text()", namespaces=NS) == ["en"]
    identifier = opf.xpath("//dc:identifier/text()", namespaces=NS)
    assert len(identifier) == 1 and identifier[0].startswith("urn:uuid:")
    assert opf.xpath("//dc:publisher/text()", namespaces=NS) == ["Publisher Sample Press"]
    assert opf.xpath("//dc:date/text()", namespaces=NS) == ["2026-11-25"]
    assert opf.xpath("//dc:rights/text()", namespaces=NS)
    assert opf.xpath("//dc:description/text()", namespaces=NS)
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_identifier_is_derived_from_the_book_not_random():
    manuscript = read(SAMPLE)
    assert manuscript.metadata.identifier == read(SAMPLE).metadata.identifier


def test_accessibility_metadata(package):
    _, opf = package
    meta = lambda prop: opf.xpath(f"//opf:meta[@property='{prop}']/text()", namespaces=NS)
    assert set(meta("schema:accessMode")) == {"textual", "visual"}
    assert meta("schema:accessModeSufficient") == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder", "alternativeText"} <= set(
        meta("schema:accessibilityFeature"))
    assert meta("schema:accessibilityHazard") == ["none"]
    assert meta("schema:accessibilitySummary")


def test_one_document_per_section_in_reading_order(package):
    book, opf = package
    items = {i.get("id"): i.get("href") for i in opf.xpath("//opf:manifest/opf:item", namespaces=NS)}
    spine = [items[r.get("idref")] for r in opf.xpath("//opf:spine/opf:itemref", namespaces=NS)]
    # The print edition's order (title, dedication, epigraph, summary, disclaimer; the back matter after the
    # chapters), so the page list runs forward.
    assert spine == ["text/cover.xhtml", "text/titlepage.xhtml", "text/dedication.xhtml", "text/epigraph.xhtml",
                     "text/summary.xhtml", "text/disclaimer.xhtml", "text/nav.xhtml", "text/chapter-001.xhtml",
                     "text/chapter-002.xhtml", "text/chapter-003.xhtml", "text/chapter-004.xhtml",
                     "text/afterword.xhtml", "text/acknowledgements.xhtml", "text/about-the-author.xhtml"]


@pytest.mark.parametrize("name, kind, role", [
    ("titlepage", "titlepage", None), ("summary", "abstract", "doc-abstract"),
    ("disclaimer", "notice", "doc-notice"), ("dedication", "dedication", "doc-dedication"),
    ("chapter-001", "chapter", "doc-chapter"),
])
def test_sections_carry_epub_type_and_role(package, name, kind, role):
    book, _ = package
    doc = xhtml(book, f"text/{name}.xhtml")
    section = doc.xpath("//x:body/x:section", namespaces=NS)[0]
    assert section.get(f"{{{NS['epub']}}}type") == kind
    assert section.get("role") == role
    assert doc.get("lang") == "en" and doc.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_navigation_lists_every_chapter_and_landmarks(package):
    book, _ = package
    nav = xhtml(book, "text/nav.xhtml")
    toc = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=NS)
    assert [(a.text, a.get("href")) for a in toc] == [
        ("The Last Lamp", "chapter-001.xhtml"), ("The Lamp Schedule", "chapter-002.xhtml"),
        ("Chapter 3", "chapter-003.xhtml"), ("Epilogue", "chapter-004.xhtml"), ("Afterword", "afterword.xhtml"),
        ("Acknowledgements", "acknowledgements.xhtml"), ("About the Author", "about-the-author.xhtml")]
    assert nav.xpath("//x:nav[@epub:type='toc']/@role", namespaces=NS) == ["doc-toc"]
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert landmarks == ["cover", "titlepage", "toc", "bodymatter"]
    ncx = etree.fromstring(book.read("EPUB/toc.ncx"))
    assert len(ncx.xpath("//ncx:navPoint", namespaces=NS)) == 7


def test_footnote_is_a_popup_note_with_back_link(package):
    book, _ = package
    doc = xhtml(book, "text/chapter-002.xhtml")
    ref = doc.xpath("//x:a[@epub:type='noteref']", namespaces=NS)[0]
    note = doc.xpath(f"//x:aside[@id='{ref.get('href')[1:]}']", namespaces=NS)[0]
    assert note.get(f"{{{NS['epub']}}}type") == "footnote" and note.get("role") == "doc-footnote"
    back = note.xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS)
    assert back == [f"#{ref.get('id')}"]


def test_scene_breaks_image_and_typography(package):
    book, _ = package
    one = xhtml(book, "text/chapter-001.xhtml")
    assert one.xpath("//x:hr[@class='scene-break']", namespaces=NS)
    two = xhtml(book, "text/chapter-002.xhtml")
    img = two.xpath("//x:img", namespaces=NS)[0]
    assert img.get("src") == "../images/lamp.svg" and img.get("alt")
    assert "images/lamp.svg" in book.namelist() or "EPUB/images/lamp.svg" in book.namelist()
    text = "".join(one.itertext()) + "".join(two.itertext())
    assert "“" in text and "’" in text and "—" in text
    assert '"' not in "".join(one.xpath("//x:body//text()", namespaces=NS))


def test_the_typographic_cover_is_the_field_the_ink_and_the_accent_in_a_small_png(package):
    """A book without a cover of its own gets one drawn from its title: a store's 1600 × 2560 px,
    in the ink's shades (a palette image, half the size of an RGB one)."""
    import io

    from PIL import Image

    from publisher.ebook_cover import ACCENT, BACKGROUND, INK

    book, _ = package
    data = book.read("EPUB/images/cover.png")
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.mode, image.size) == ("PNG", "P", (1600, 2560))
    assert len(data) < 80_000  # the RGB cover was 111 KB
    rgb = image.convert("RGB")
    assert rgb.getpixel((20, 20)) == BACKGROUND and rgb.getpixel((112, 1280)) == ACCENT
    colours = dict((colour, count) for count, colour in rgb.getcolors(256))
    assert colours[INK] > 20_000  # the title and byline, solid where the type is
    ramp = {tuple(round(f + (i - f) * t) for f, i in zip(BACKGROUND, INK)) for t in [n / 254 for n in range(255)]}
    assert set(colours) <= ramp | {ACCENT}


def test_same_input_same_bytes(monkeypatch):
    manuscript = read(SAMPLE)
    first = render(manuscript, BuildOptions(formats=("epub",)))["epub"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    second = render(read(SAMPLE), BuildOptions(formats=("epub",)))["epub"]
    assert first == second
    names = zipfile.ZipFile(__import__("io").BytesIO(first)).infolist()
    assert names[0].filename == "mimetype" and names[0].compress_type == zipfile.ZIP_STORED
    assert len({info.date_time for info in names}) == 1


def test_the_container_holds_every_file_whole_with_mimetype_first_and_stored():
    from datetime import datetime, timezone

    from publisher.writers import epub_zip

    text = "<p>Ça commence.</p>".encode() * 500
    made_before = epub_zip.member("EPUB/text/chapter-001.xhtml", text)  # as an earlier build kept it
    members = [epub_zip.Member(made_before.name, made_before.size, made_before.crc, made_before.packed),
               epub_zip.member("EPUB/images/fenêtre.png", bytes(range(256)) * 8),
               epub_zip.member("EPUB/empty.txt", b""),
               epub_zip.member("mimetype", b"application/epub+zip")]
    data = epub_zip.pack(members, datetime(2026, 11, 29, 13, 45, 30, tzinfo=timezone.utc))
    # OCF: the first file is mimetype, stored, with no extra field, so its bytes sit at offset 38.
    assert data[:4] == b"PK\x03\x04" and data[30:58] == b"mimetypeapplication/epub+zip"
    archive = zipfile.ZipFile(__import__("io").BytesIO(data))
    assert archive.testzip() is None
    assert archive.namelist() == ["mimetype", "EPUB/text/chapter-001.xhtml", "EPUB/images/fenêtre.png", "EPUB/empty.txt"]
    assert archive.read("EPUB/text/chapter-001.xhtml") == text
    assert archive.read("EPUB/images/fenêtre.png") == bytes(range(256)) * 8 and archive.read("EPUB/empty.txt") == b""
    assert {info.date_time for info in archive.infolist()} == {(2026, 11, 29, 13, 45, 30)}
    assert [info.compress_type for info in archive.infolist()] == [zipfile.ZIP_STORED] + [zipfile.ZIP_DEFLATED] * 3
    assert archive.getinfo("EPUB/text/chapter-001.xhtml").compress_size < len(text) / 10
