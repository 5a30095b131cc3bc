"""Manuscript → EPUB 3 bytes (one XHTML file per section, nav + NCX, accessibility metadata).

ebooklib assembles the package; we hand it finished XHTML (from html.py) as plain items so it
does not rewrite our markup, and then re-pack its zip so the same input always gives the same
bytes: fixed entry order and timestamps, ``mimetype`` first and stored, ``dcterms:modified``
from SOURCE_DATE_EPOCH.
"""
from __future__ import annotations

import io
import os
import posixpath
import zipfile
from datetime import datetime, timezone

from ebooklib import epub
from lxml import etree

from .. import html
from ..html import Section
from ..manuscript import Manuscript
from ..themes import Theme

STYLESHEET = "styles/epub.css"
TEXT_DIR = "text"
OPF = "http://www.idpf.org/2007/opf"


def build_time() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else a fixed date: output never varies by clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else 315532800  # 1980-01-01, zip's earliest
    return datetime.fromtimestamp(max(seconds, 315532800), tz=timezone.utc)


def _href(section: Section) -> str:
    return f"{section.name}.xhtml"


def _document(section: Section, language: str) -> bytes:
    # A chapter file sits in text/, so the stylesheet and images are one level up.
    root = html.page([section.element], section.title, language, [f"../{STYLESHEET}"])
    for img in root.iter(f"{{{html.XHTML}}}img"):
        img.set("src", "../" + img.get("src"))
    return html.serialize(root)


def _nav(sections: list[Section], manuscript: Manuscript) -> bytes:
    language = manuscript.metadata.language
    toc = html.contents(sections, _href)
    landmarks = html.el("nav", epub_type="landmarks", hidden="hidden", **{"aria-label": "Landmarks"})
    html.child(landmarks, "h2", "Landmarks")
    items = html.child(landmarks, "ol")
    marks = [("cover", "cover", "Cover"), ("titlepage", "titlepage", "Title page"), ("toc", "toc", "Contents")]
    names = {s.name for s in sections}
    for name, kind, label in marks:
        if name in names or name == "toc":
            html.child(html.child(items, "li"), "a", label, href=_href_name(name), epub_type=kind)
    first = next((s for s in sections if s.matter == "body"), None)
    if first is not None:
        html.child(html.child(items, "li"), "a", "Start of text", href=_href(first), epub_type="bodymatter")
    root = html.page([toc, landmarks], "Contents", language, [f"../{STYLESHEET}"], body_class="contents-page")
    return html.serialize(root)


def _href_name(name: str) -> str:
    return f"{name}.xhtml" if name != "toc" else "nav.xhtml"


def _metadata(book: epub.EpubBook, manuscript: Manuscript) -> None:
    meta = manuscript.metadata
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.language)
    for author in meta.authors:
        book.add_author(author)
    for name, value in (("publisher", meta.publisher), ("date", meta.date), ("rights", meta.rights)):
        if value:
            book.add_metadata("DC", name, value)
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)
    if manuscript.front_matter.summary_html:
        text = "".join(html.fragment(f"<div>{manuscript.front_matter.summary_html}</div>")[0].itertext())
        book.add_metadata("DC", "description", " ".join(text.split()))
    has_images = bool(manuscript.resources) or manuscript.front_matter.cover is not None
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    if has_images:
        features.append("alternativeText")
    properties = [("schema:accessMode", "textual")]
    if has_images:
        properties.append(("schema:accessMode", "visual"))
    properties += [("schema:accessModeSufficient", "textual")]
    properties += [("schema:accessibilityFeature", f) for f in features]
    properties += [("schema:accessibilityHazard", "none"),
                   ("schema:accessibilitySummary",
                    "This publication meets WCAG 2.2 Level AA. It has a table of contents, structured "
                    "headings in reading order, a declared language, and text alternatives for every image."),
                   ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA")]
    if meta.series:
        properties.append(("belongs-to-collection", meta.series))
    for name, value in properties:
        book.add_metadata(None, "meta", value, {"property": name})


def write_epub(manuscript: Manuscript, theme: Theme) -> bytes:
    """The finished EPUB file's bytes."""
    language = manuscript.metadata.language
    book = epub.EpubBook()
    _metadata(book, manuscript)
    book.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css",
                                content=theme.epub_css.encode("utf-8")))
    for resource in manuscript.resources:
        book.add_item(epub.EpubItem(uid=_item_id(resource.name), file_name=resource.name,
                                    media_type=resource.media_type, content=resource.data))
    sections = html.front_sections(manuscript)
    chapters = html.chapter_sections(manuscript)
    cover = manuscript.front_matter.cover
    spine = []
    if cover is not None:
        image = epub.EpubItem(uid="cover-image", file_name=f"images/cover{posixpath.splitext(cover.name)[1]}",
                              media_type=cover.media_type, content=cover.data)
        image.properties = ["cover-image"]
        book.add_item(image)
        cover_section = html.section("cover", "cover", None, "cover")
        html.child(cover_section, "img", src=image.file_name, alt=f"Cover of {manuscript.metadata.title}",
                   role="doc-cover")
        sections.insert(0, Section("cover", "cover", "Cover", cover_section, "front"))
    for section in sections + chapters:
        item = epub.EpubItem(uid=section.name, file_name=f"{TEXT_DIR}/{_href(section)}",
                             media_type="application/xhtml+xml", content=_document(section, language))
        book.add_item(item)
        spine.append(item)
    nav = epub.EpubItem(uid="nav", file_name=f"{TEXT_DIR}/nav.xhtml", media_type="application/xhtml+xml",
                        content=_nav(chapters, manuscript))
    nav.properties = ["nav"]
    book.add_item(nav)
    spine.insert(len(sections), nav)  # the contents page comes right before chapter one
    book.add_item(epub.EpubNcx())
    book.toc = [epub.Link(f"{TEXT_DIR}/{_href(s)}", s.title, s.name) for s in chapters]
    book.spine = spine
    buffer = io.BytesIO()
    epub.write_epub(buffer, book, {"mtime": build_time(), "epub3_landmark": False, "epub3_pages": False,
                                   "raise_exceptions": True})
    return _repack(buffer.getvalue(), language)


def _item_id(name: str) -> str:
    return "img-" + "".join(c if c.isalnum() else "-" for c in name)


def _repack(data: bytes, language: str) -> bytes:
    """ebooklib's zip → a reproducible one, with xml:lang on the package (EPUB Accessibility asks)."""
    stamp = build_time().timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        names = ["mimetype"] + sorted(n for n in source.namelist() if n != "mimetype")
        for name in names:
            content = source.read(name)
            if name.endswith(".opf"):
                content = _fix_opf(content, language)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content, compresslevel=9)
    return out.getvalue()


def _fix_opf(content: bytes, language: str) -> bytes:
    root = etree.fromstring(content)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
