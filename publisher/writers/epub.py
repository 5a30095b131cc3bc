"""Manuscript → EPUB 3 bytes (one XHTML file per section, nav + NCX, accessibility metadata).

ebooklib writes the package (OPF, NCX, container) for the sections' files, made here from
html.py's sections, which it holds as empty plain items; its zip is then packed again
(epub_zip.py) with our files in it, so the same input always gives the same bytes: fixed entry
order and timestamps, ``mimetype`` first and stored, ``dcterms:modified`` from the build's date
(BuildOptions.moment). A body section's file is kept in the cache, deflated, so a rebuild after an
edit makes only the edited chapter's.
"""
from __future__ import annotations

import functools
import hashlib
import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from ebooklib import epub
from lxml import etree

from .. import ebook_cover, html
from ..cache import Shelf, key
from ..html import Section
from ..manuscript import Manuscript, Metadata
from ..themes import Theme
from . import epub_zip
from .page_map import PageMap, PageStart

STYLESHEET = "styles/epub.css"
TEXT_DIR = "text"


def _href(section: Section | html.Planned) -> str:
    return f"{section.name}.xhtml"


def _document(section: Section, language: str) -> bytes:
    # A chapter file sits in text/, so the stylesheet and images are one level up.
    root = html.document([section.element], section.title, language, [f"../{STYLESHEET}"])
    for img in root.iter(f"{{{html.XHTML}}}img"):
        img.set("src", "../" + img.get("src"))
    for element in root.iter():
        for key in ("data-block", "data-level", "data-running-head"):  # for print only
            element.attrib.pop(key, None)
    return html.serialize(root)


def _nav(sections: list[Section | html.Planned], manuscript: Manuscript, pages: list[tuple[str, str]]) -> bytes:
    """The navigation document: contents (chapters), landmarks, and the print page list."""
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
    first = next((s for s in sections if s.matter == "body"), None)  # the first part's page, or chapter one
    if first is not None:
        html.child(html.child(items, "li"), "a", "Start of text", href=_href(first), epub_type="bodymatter")
    navs = [toc, landmarks]
    if pages:
        page_list = html.el("nav", epub_type="page-list", role="doc-pagelist", hidden="hidden",
                            **{"aria-label": "Pages"})
        html.child(page_list, "h2", "Pages")
        items = html.child(page_list, "ol")
        for document, label in pages:
            html.child(html.child(items, "li"), "a", label, href=f"{document}.xhtml#page-{label}")
        navs.append(page_list)
    root = html.document(navs, "Contents", language, [f"../{STYLESHEET}"], body_class="contents-page")
    return html.serialize(root)


def _href_name(name: str) -> str:
    return f"{name}.xhtml" if name != "toc" else "nav.xhtml"


def _metadata(book: epub.EpubBook, manuscript: Manuscript, page_source: str) -> None:
    meta = manuscript.metadata
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.language)
    if html.direction(meta.language) == "rtl":
        book.set_direction("rtl")  # page-progression-direction on the spine
    for number, author in enumerate(meta.authors, 1):
        book.add_author(author, uid="creator" if number == 1 else f"creator-{number}")  # ids must be unique
    for name, value in (("publisher", meta.publisher), ("date", meta.date), ("rights", meta.rights)):
        if value:
            book.add_metadata("DC", name, value)
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)
    if manuscript.front_matter.summary_html:
        text = "".join(html.fragment(f"<div>{manuscript.front_matter.summary_html}</div>")[0].itertext())
        book.add_metadata("DC", "description", " ".join(text.split()))
    # Every book shows at least one image, its cover (its own or a typographic one), with alt text.
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "alternativeText"]
    if page_source:
        features += ["pageNavigation", "printPageNumbers"]
    properties = [("schema:accessMode", "textual"), ("schema:accessMode", "visual"),
                  ("schema:accessModeSufficient", "textual")]
    properties += [("schema:accessibilityFeature", f) for f in features]
    properties += [("schema:accessibilityHazard", "none"),
                   ("schema:accessibilitySummary",
                    "This publication meets WCAG 2.2 Level AA. It has a table of contents, structured "
                    "headings in reading order, a declared language, and text alternatives for every image."),
                   ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA")]
    if page_source:
        properties.append(("pageBreakSource", page_source))
    if meta.series:
        properties.append(("belongs-to-collection", meta.series))
    for name, value in properties:
        book.add_metadata(None, "meta", value, {"property": name})


def write_epub(manuscript: Manuscript, theme: Theme, page_map: PageMap | None = None,
               moment: datetime = datetime(1980, 1, 1, tzinfo=timezone.utc), cache: Path | None = None) -> bytes:
    """The finished EPUB file's bytes, dated `moment` (its modified date, its files' times: the same
    book and moment give the same bytes); with a print edition's page map, page-break markers and a
    page list; with `cache` (a folder), the typographic cover and each chapter's file, made by an
    earlier build from the same text, are reused."""
    language = manuscript.metadata.language
    book = epub.EpubBook()
    _metadata(book, manuscript, page_map.edition if page_map else "")
    book.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css",
                                content=theme.epub_css.encode("utf-8")))
    for resource in manuscript.resources:
        book.add_item(epub.EpubItem(uid=_item_id(resource.name), file_name=resource.name,
                                    media_type=resource.media_type, content=resource.data))
    sections = [_cover(book, manuscript, cache)] + html.front_sections(manuscript)
    front = html.front_matter_sections(manuscript)
    starts = page_map.starts if page_map else ()
    placed = _mark_pages(sections + front, starts)
    files = [_File(epub_zip.member(_path(section.name), _document(section, language)), section.name)
             for section in sections + front]
    body = html.body_plan(manuscript)
    shelf = Shelf(cache, "epub")
    by_section: dict[str, list[PageStart]] = {}
    for start in starts:
        by_section.setdefault(start.section, []).append(start)
    for planned in body:
        made = _made(planned, language, by_section.get(planned.name, []), shelf)
        placed += [(planned.name, label) for label in made.labels]
        files.append(made)
    order = {(start.section, start.label): number for number, start in enumerate(starts)}
    placed.sort(key=order.__getitem__)  # in the print edition's order
    spine = []
    for file in files:
        # ebooklib writes the package (OPF, NCX, container): the sections' files, made here, go
        # into the zip when it is packed again (_repack); ebooklib holds an empty stand-in.
        item = epub.EpubItem(uid=file.name, file_name=_path(file.name), media_type="application/xhtml+xml",
                             content=b"")
        book.add_item(item)
        spine.append(item)
    after = front + body
    nav = epub.EpubItem(uid="nav", file_name=f"{TEXT_DIR}/nav.xhtml", media_type="application/xhtml+xml",
                        content=_nav(sections + after, manuscript, placed))
    nav.properties = ["nav"]
    book.add_item(nav)
    spine.insert(len(sections), nav)  # the contents page comes before the foreword, or chapter one
    book.add_item(epub.EpubNcx())
    book.toc = _ncx_entries([s for s in after if s.in_toc])
    book.spine = spine
    buffer = io.BytesIO()
    # ebooklib's zip is only read back by _repack, which compresses once: no need to deflate it here.
    epub.write_epub(buffer, book, {"mtime": moment, "epub3_landmark": False, "epub3_pages": False,
                                   "raise_exceptions": True, "compresslevel": 0})
    ours = {f"{book.FOLDER_NAME}/{file.member.name}": file.member for file in files}
    return _repack(buffer.getvalue(), language, moment, ours)


def _path(name: str) -> str:
    return f"{TEXT_DIR}/{name}.xhtml"


@dataclass(frozen=True)
class _File:
    """A section's XHTML file, deflated, and the page labels marked in it (a body section's file
    may come from the cache)."""

    member: epub_zip.Member
    name: str  # the section's
    labels: tuple[str, ...] = ()

    def to_bytes(self) -> bytes:
        """As the cache keeps it: the labels, the file's size and checksum, its deflated bytes."""
        return b"\n".join([" ".join(self.labels).encode("utf-8"), f"{self.member.size} {self.member.crc}".encode(),
                           self.member.packed])

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> "_File":
        labels, numbers, packed = data.split(b"\n", 2)
        size, crc = map(int, numbers.split())
        return cls(epub_zip.Member(_path(name), size, crc, packed), name, tuple(labels.decode("utf-8").split()))


def _made(planned: html.Planned, language: str, starts: list[PageStart], shelf: Shelf) -> _File:
    """A body section's file, made now or by an earlier build from the same source and page starts."""
    name = key(_fingerprint(), language, planned.name, planned.kind, *planned.source,
               *(f"{s.label} {s.block} {s.offset}" for s in starts))
    kept = shelf.get(name)
    if kept is not None:
        return _File.from_bytes(planned.name, kept)
    section = planned.make()
    labels = tuple(label for _, label in _mark_pages([section], tuple(starts)))
    made = _File(epub_zip.member(_path(planned.name), _document(section, language)), planned.name, labels)
    shelf.put(name, made.to_bytes())
    return made


@functools.cache
def _fingerprint() -> str:
    """What shapes a section's file besides its source: the code that makes it (the model's too:
    a chapter's slug, a byline) and lxml's and zlib's versions."""
    here = Path(__file__).parent
    code = b"".join(path.read_bytes() for path in (here / "epub.py", here / "epub_zip.py", here.parent / "html.py",
                                                   here.parent / "manuscript.py"))
    return f"{etree.__version__} {zlib.ZLIB_RUNTIME_VERSION} {hashlib.sha256(code).hexdigest()}"


def _ncx_entries(sections: list[Section | html.Planned]) -> list:
    """The contents for ebooklib's NCX: a part is a (link, [its chapters]) pair."""
    entries: list = []
    open_lists = [entries]
    for section in sections:
        del open_lists[section.level:]
        while len(open_lists) < section.level and open_lists[-1]:
            last = open_lists[-1][-1]
            if not isinstance(last, tuple):
                last = open_lists[-1][-1] = (last, [])
            open_lists.append(last[1])
        open_lists[-1].append(epub.Link(_path(section.name), section.title, section.name))
    return entries


def _cover(book: epub.EpubBook, manuscript: Manuscript, cache: Path | None) -> Section:
    """The book's cover image, or a typographic one made from the title, as the first page."""
    cover = manuscript.front_matter.cover
    if cover is not None:
        name, media_type, data = f"images/cover{posixpath.splitext(cover.name)[1]}", cover.media_type, cover.data
    else:
        name, media_type, data = "images/cover.png", "image/png", _typographic_cover(manuscript.metadata, cache)
    image = epub.EpubItem(uid="cover-image", file_name=name, media_type=media_type, content=data)
    image.properties = ["cover-image"]
    book.add_item(image)
    book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})  # EPUB 2 readers, Kindle
    meta = manuscript.metadata
    element = html.section("cover", "cover", None, "cover", f"Cover of {meta.title}", hide_heading=True)
    byline = f" by {meta.byline}" if meta.authors else ""
    html.child(element, "img", src=name, alt=f"Cover: {meta.title}{byline}", role="doc-cover")
    return Section("cover", "cover", "Cover", element, "front")


def _typographic_cover(meta: Metadata, cache: Path | None) -> bytes:
    """Drawing and compressing the cover is a tenth of a second: a rebuild takes the one it drew."""
    if cache is None:
        return ebook_cover.typographic_cover(meta)
    shelf = Shelf(cache, "covers")
    name = ebook_cover.cover_key(meta)
    data = shelf.get(name)
    if data is None:
        data = ebook_cover.typographic_cover(meta)
        shelf.put(name, data)
    return data


def _mark_pages(sections: list[Section], starts: tuple[PageStart, ...]) -> list[tuple[str, str]]:
    """Put a page-break marker where each printed page begins; return (document, label) in order."""
    by_name = {section.name: section for section in sections}
    numbered: dict[str, dict[int, etree._Element]] = {}
    placed = []
    for start in starts:
        section = by_name.get(start.section)
        if section is None:
            continue  # a page of the print edition only (copyright page, printed contents)
        if section.name not in numbered:
            html.number_blocks(section.element)
            numbered[section.name] = html.numbered_blocks(section.element)
        block = numbered[section.name].get(start.block)
        if block is None:
            continue
        marker = html.el("span", id=f"page-{start.label}", role="doc-pagebreak", epub_type="pagebreak",
                         **{"aria-label": start.label})
        _insert_at(block, start.offset, marker)
        placed.append((section.name, start.label))
    return placed


_FLOW_PARENTS = {"section", "div", "blockquote", "aside", "body", "figure"}


def _insert_at(block: etree._Element, offset: int, marker: etree._Element) -> None:
    """Insert `marker` after `offset` characters of the block's text (whitespace collapsed)."""
    parent = block.getparent()
    if offset == 0 and parent is not None and etree.QName(parent).localname in _FLOW_PARENTS:
        block.addprevious(marker)  # a page that begins with a paragraph: the marker goes before it
        marker.tail = None
        return
    count, last_space = 0, True
    for node in block.iter():
        for attribute in ("text", "tail"):
            if node is block and attribute == "tail":
                continue
            text = getattr(node, attribute) or ""
            for index, char in enumerate(text):
                if char.isspace():
                    if not last_space:
                        count += 1
                    last_space = True
                    continue
                if count >= offset:
                    _split_into(node, attribute, index, marker)
                    return
                count += 1
                last_space = False
    block.append(marker)


def _split_into(node: etree._Element, attribute: str, index: int, marker: etree._Element) -> None:
    text = getattr(node, attribute)
    # A print page that begins inside a word (a hyphenated break) begins, for a reader following
    # along, at that word: the marker never splits it.
    while index > 0 and not text[index - 1].isspace() and text[index - 1] not in "—–":
        index -= 1
    setattr(node, attribute, text[:index])
    marker.tail = text[index:]
    if attribute == "text":
        node.insert(0, marker)
    else:
        node.addnext(marker)
        marker.tail = text[index:]  # addnext moves the tail; set it again


def _item_id(name: str) -> str:
    return "img-" + "".join(c if c.isalnum() else "-" for c in name)


def _repack(data: bytes, language: str, moment: datetime, ours: dict[str, epub_zip.Member]) -> bytes:
    """ebooklib's zip → a reproducible one, with xml:lang on the package (EPUB Accessibility asks);
    `ours` are the files made here, by their names in the zip, for ebooklib's stand-ins."""
    source = zipfile.ZipFile(io.BytesIO(data))
    if set(ours) - set(source.namelist()):
        raise RuntimeError(f"ebooklib wrote no stand-in for {sorted(set(ours) - set(source.namelist()))}")
    members = []
    for name in sorted(source.namelist()):
        if name in ours:
            members.append(replace(ours[name], name=name))
            continue
        content = source.read(name)
        if name.endswith(".opf"):
            content = _fix_opf(content, language)
        members.append(epub_zip.member(name, content))
    return epub_zip.pack(members, moment)


def _fix_opf(content: bytes, language: str) -> bytes:
    root = etree.fromstring(content)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
