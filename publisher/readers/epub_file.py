"""Any EPUB 2 or 3 → a BookDraft: the spine's documents as chapters, the OPF's metadata as the book's.

The package is read from the zip without unpacking it: container.xml → the OPF → spine order,
titles from the navigation document or the NCX, images carried in from inside the package only.
The source's own cover, title, contents, imprint, colophon and copyright pages are recognised
(by `epub:type`, or by name) and left out: this book gets its own. Footnotes marked as
EPUB 3 noterefs, DPUB-ARIA `doc-noteref`, or Gutenberg's `[1]` anchor pairs become our footnotes.
An EPUB made by calibre from an AO3 download is read as that download; one made by FanFicFare
as a FanFicFare story. A DRM-protected or damaged package is refused with one line.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree, html as lxml_html

from ..errors import ManuscriptError, Problem, Warnings
from ..manuscript import Metadata
from .ao3 import read_ao3_tree
from .draft import BODY, DROPPED, FRONT, LABEL, BookDraft, ChapterDraft, FileRef, Overrides, Place, Prose, Trace
from .folder import apply
from .html_tidy import element_types as _types, gather_footnotes, split_sections, text_of, tidy, trace_text
from .text import language_tag, tidy_heading

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/", "c": "urn:oasis:names:tc:opendocument:xmlns:container",
      "enc": "http://www.w3.org/2001/04/xmlenc#", "x": "http://www.w3.org/1999/xhtml",
      "epub": "http://www.idpf.org/2007/ops"}
# Font obfuscation is not DRM: only these algorithms may appear in encryption.xml.
FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
# Pages of the source that this book replaces with its own.
SKIPPED_TYPES = {"cover", "titlepage", "halftitlepage", "toc", "landmarks", "imprint", "colophon", "copyright-page",
                 "frontispiece", "loi", "lot", "index", "endnotes", "footnotes", "rearnotes"}
SKIPPED_NAMES = re.compile(r"(^|[/_-])(cover|titlepage|title_page|title-page|toc|toc_page|nav|imprint|colophon|"
                           r"uncopyright|copyright|endnotes|notes|wrap0000)\.x?html?$", re.IGNORECASE)
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"}


@dataclass(frozen=True)
class Package:
    """What the OPF says: metadata, the spine's documents in order, titles, the manifest."""

    opf: etree._Element
    base: str  # the OPF's folder inside the zip
    spine: tuple[str, ...]  # zip paths of the linear spine documents
    titles: dict[str, str]  # zip path → its title in the nav or NCX
    manifest: dict[str, tuple[str, str, str]]  # zip path → (id, media type, properties)


def read_epub(path: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    where = str(path)
    try:
        book = zipfile.ZipFile(path)
        book.testzip()
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ManuscriptError([Problem("not a readable EPUB: the zip is damaged or cut short; download it again",
                                       where)]) from None
    with book:
        _refuse_drm(book, where)
        package = _package(book, where)
        if _meta(package, "publisher") == "Archive of Our Own":
            return read_ao3_tree(_joined(book, package.spine), path, overrides, warn)
        if "FanFicFare" in " ".join(_metas(package, "contributor")):
            from .fanficfare import read_fanficfare_epub

            return read_fanficfare_epub(book, package, path, overrides, warn)
        return _generic(book, package, path, overrides, warn)


def _refuse_drm(book: zipfile.ZipFile, where: str) -> None:
    if "META-INF/encryption.xml" not in book.namelist():
        return
    root = etree.fromstring(book.read("META-INF/encryption.xml"))
    methods = {m.get("Algorithm") for m in root.iter(f"{{{NS['enc']}}}EncryptionMethod")}
    if methods - FONT_OBFUSCATION:
        raise ManuscriptError([Problem("this EPUB is DRM-protected (its text is encrypted): publisher cannot read "
                                       "it; use a DRM-free copy", where)])


def _xml(book: zipfile.ZipFile, name: str, where: str) -> etree._Element:
    try:
        return etree.fromstring(book.read(name), etree.XMLParser(resolve_entities=False, no_network=True))
    except (KeyError, etree.XMLSyntaxError) as error:
        raise ManuscriptError([Problem(f"not a readable EPUB: {name}: {error}", where)]) from None


def _package(book: zipfile.ZipFile, where: str) -> Package:
    container = _xml(book, "META-INF/container.xml", where)
    rootfile = container.find(".//c:rootfile", NS)
    if rootfile is None:
        raise ManuscriptError([Problem("not a readable EPUB: container.xml names no package", where)])
    opf_name = rootfile.get("full-path")
    opf = _xml(book, opf_name, where)
    base = posixpath.dirname(opf_name)

    def inside(href: str) -> str:
        return posixpath.normpath(posixpath.join(base, unquote(href.split("#")[0])))

    manifest, by_id = {}, {}
    for item in opf.iterfind(".//opf:manifest/opf:item", NS):
        name = inside(item.get("href", ""))
        manifest[name] = (item.get("id", ""), item.get("media-type", ""), item.get("properties", ""))
        by_id[item.get("id")] = name
    spine_element = opf.find(".//opf:spine", NS)
    spine = tuple(by_id[ref.get("idref")] for ref in opf.iterfind(".//opf:spine/opf:itemref", NS)
                  if ref.get("idref") in by_id and ref.get("linear", "yes") != "no")
    titles: dict[str, str] = {}
    nav = next((name for name, (_, _, props) in manifest.items() if "nav" in props.split()), None)
    if nav and nav in book.namelist():
        document = lxml_html.document_fromstring(book.read(nav))
        toc = next((n for n in document.iter("nav") if "toc" in (n.get("epub:type") or "").split()), None)
        for link in (toc.iter("a") if toc is not None else ()):
            href = link.get("href", "")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(nav), unquote(href.split("#")[0])))
            label = " ".join(link.text_content().split())
            titles.setdefault(target + ("#" + href.split("#", 1)[1] if "#" in href else ""), label)
            titles.setdefault(target, label)
    ncx_id = spine_element.get("toc") if spine_element is not None else None
    if not titles and ncx_id in by_id and by_id[ncx_id] in book.namelist():
        ncx = _xml(book, by_id[ncx_id], where)
        for point in ncx.iterfind(".//ncx:navPoint", NS):
            label = point.find("ncx:navLabel/ncx:text", NS)
            content = point.find("ncx:content", NS)
            if label is not None and content is not None:
                src = content.get("src", "")
                target = posixpath.normpath(posixpath.join(posixpath.dirname(by_id[ncx_id]),
                                                           unquote(src.split("#")[0])))
                text = " ".join((label.text or "").split())
                titles.setdefault(target + ("#" + src.split("#", 1)[1] if "#" in src else ""), text)
                titles.setdefault(target, text)
    return Package(opf, base, spine, titles, manifest)


def _metas(package: Package, name: str) -> list[str]:
    return [" ".join("".join(e.itertext()).split()) for e in package.opf.iterfind(f".//dc:{name}", NS)]


def _meta(package: Package, name: str) -> str:
    return next(iter(_metas(package, name)), "")


def _joined(book: zipfile.ZipFile, spine: tuple[str, ...]) -> etree._Element:
    """The spine's documents as one HTML page, their bodies one after the other."""
    page = lxml_html.document_fromstring("<html><body></body></html>")
    body = page.find("body")
    for name in spine:
        document = lxml_html.document_fromstring(book.read(name))
        source = document.find("body")
        for element in list(source if source is not None else ()):
            body.append(element)
    return page


def document(book: zipfile.ZipFile, name: str) -> etree._Element:
    return lxml_html.document_fromstring(book.read(name))


def _skipped(name: str, page: etree._Element) -> bool:
    """A page of the source's own front or back matter, which this book makes anew."""
    body = page.find("body")
    marked = _types(body) if body is not None else set()
    for section in (body.iter("section") if body is not None else ()):
        marked |= _types(section)
        break
    return bool(marked & SKIPPED_TYPES) or bool(SKIPPED_NAMES.search(name))


def _generic(book: zipfile.ZipFile, package: Package, path: Path, overrides: Overrides,
             warn: Warnings) -> BookDraft:
    where, trace = str(path), Trace()
    pages = {name: document(book, name) for name in package.spine if name in book.namelist()}
    notes = _notes(pages)
    packaged: dict[str, bytes] = {}
    chapters: list[ChapterDraft] = []
    cover = None
    for name, page in pages.items():
        body = page.find("body")
        if body is None or _skipped(name, page):
            trace.add(DROPPED, text_of(body) if body is not None else "")
            continue
        for chrome in [e for e in body.iter() if isinstance(e.tag, str) and _is_chrome(e)]:
            if chrome.getparent() is not None:
                trace.add(DROPPED, text_of(chrome))  # Project Gutenberg's header, licence and footer
                chrome.drop_tree()
        ids = {e.get("id"): e for e in page.iter() if isinstance(e.tag, str) and e.get("id")}
        sections = split_sections(body)
        for number, (heading, holder) in enumerate(sections):
            title = _title(package, name, heading, number == 0 and len(sections) == 1)
            if heading is not None:
                trace.add(LABEL, text_of(heading))  # the source's heading: this book sets its own
            trace.add(BODY, title)
            if re.fullmatch(r"(table of )?contents", title.lower()):
                trace.add(DROPPED, text_of(holder))  # the source's own contents page
                continue
            gather_footnotes(holder, ids, name, notes)
            if not text_of(holder) and holder.find(".//img") is None:
                continue
            if not chapters and not text_of(holder) and len(holder.findall(".//img")) == 1 and cover is None:
                cover = _packaged_image(book, package, name, holder.find(".//img").get("src", ""))
                continue  # the source's cover picture: it becomes this book's cover
            if not chapters and heading is not None and _repeats_title_page(holder, heading, package):
                trace.add(DROPPED, text_of(holder))  # the source's own title page
                continue
            for image in holder.iter("img"):
                inside = _packaged_image(book, package, name, image.get("src", ""))
                if inside:
                    image.set("src", inside)
                    packaged[inside] = book.read(inside)
            trace_text(holder, trace)
            chapters.append(ChapterDraft(Prose(tidy(holder, f"{where}: {name}", warn), Place(f"{where}: {name}"),
                                               "html"), title))
    authors = tuple(_metas(package, "creator"))
    title = _meta(package, "title") or path.stem
    trace.add(FRONT, title)
    trace.add(FRONT, " ".join(authors))
    description = _meta(package, "description")
    metadata = Metadata(title=title, identifier=_meta(package, "identifier"), authors=authors,
                        language=language_tag(_meta(package, "language")) or "en", publisher=_meta(package, "publisher"),
                        date=_meta(package, "date")[:10], rights=_meta(package, "rights"),
                        subjects=tuple(_metas(package, "subject")), source=_meta(package, "source"))
    summary = None
    if description:
        trace.add(FRONT, description)
        summary = Prose(tidy(lxml_html.fragment_fromstring(description, create_parent="div"), where, warn)
                        if "<" in description else f"<p>{_escape(description)}</p>", Place(where), "html")
    if cover:
        packaged[cover] = book.read(cover)
    return BookDraft(metadata=apply(metadata, overrides), chapters=tuple(chapters), root=path.parent,
                     place=Place(where), slug=path.stem, summary=summary, packaged=packaged, trace=trace,
                     cover=FileRef(cover, Place(where)) if cover else None)


def _repeats_title_page(holder: etree._Element, heading: etree._Element, package: Package) -> bool:
    """A section that only says the book's title and its author again."""
    known = set(re.findall(r"\w+", " ".join([_meta(package, "title"), *_metas(package, "creator"),
                                              *_metas(package, "contributor"),
                                              "by", "and", "illustrated", "translated", "with"]).lower()))
    said = set(re.findall(r"\w+", (text_of(heading) + " " + text_of(holder)).lower()))
    return bool(said) and said <= known


def _is_chrome(element: etree._Element) -> bool:
    return element.get("id") in ("pg-header", "pg-footer") or "pg-boilerplate" in (element.get("class") or "").split()


def _title(package: Package, name: str, heading: etree._Element | None, whole: bool) -> str:
    """A chapter's title: the nav's or NCX's name for it where it has one, else its heading's text,
    tidied as a plain-text heading would be (CHAPTER I. THE MILL → Chapter I: The Mill)."""
    anchors = [heading.get("id")] + [a.get("id") for a in heading.iter() if a.get("id")] if heading is not None else []
    title = next((package.titles[f"{name}#{anchor}"] for anchor in anchors if f"{name}#{anchor}" in package.titles),
                 "")
    if not title and whole:
        title = package.titles.get(name, "")
    if not title and heading is not None:
        title = text_of(heading)
    return tidy_heading(title)


def _packaged_image(book: zipfile.ZipFile, package: Package, name: str, source: str) -> str:
    """The zip path of an image inside the package (never one on the web)."""
    if not source or "://" in source or source.startswith("data:"):
        return ""
    inside = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(source)))
    ok = inside in book.namelist() and package.manifest.get(inside, ("", "", ""))[1] in IMAGE_TYPES
    return inside if ok else ""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _same(a: str, b: str) -> bool:
    def key(text: str) -> str:
        return " ".join(re.findall(r"\w+", text.lower()))
    return key(a) == key(b) or key(b) in key(a)


def _notes(pages: dict[str, etree._Element]) -> dict[tuple[str, str], etree._Element]:
    """(document, id) → the note element, for every footnote or endnote in the book."""
    found = {}
    for name, page in pages.items():
        for element in page.iter():
            if not isinstance(element.tag, str) or not element.get("id"):
                continue
            if _types(element) & {"footnote", "endnote", "rearnote", "note"}:
                found[(name, element.get("id"))] = element
    return found
