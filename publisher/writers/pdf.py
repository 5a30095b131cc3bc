"""Manuscript → print-ready PDF bytes, typeset by WeasyPrint as a book.

The sections from html.py go into one document: front matter with roman folios, chapters on
recto pages with arabic folios from 1, running heads, a contents page whose numbers WeasyPrint
fills in from the layout. Footnotes move to the foot of their page. Nothing is fetched: the
only files WeasyPrint may load are the manuscript's own resources.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from lxml import etree
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML, Document
from weasyprint.formatting_structure import boxes
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .. import html
from ..html import XHTML, Section
from ..manuscript import Manuscript
from ..options import BuildOptions
from ..profiles import BLEED_IN, Margins, Profile, margins_for, profile
from ..themes import Theme

BASE_URL = "https://book.invalid/"  # never fetched: the fetcher below serves the manuscript only


class ManuscriptFetcher(URLFetcher):
    """Serves the manuscript's resources and refuses every other URL."""

    def __init__(self, manuscript: Manuscript):
        super().__init__(allowed_protocols=["https"])
        self.resources = {BASE_URL + r.name: r for r in manuscript.resources}

    def fetch(self, url, headers=None):
        resource = self.resources.get(url)
        if resource is None:
            raise ValueError(f"{url} is not part of the book")
        return URLFetcherResponse(url, resource.data, {"Content-Type": resource.media_type})


def page_css(options: BuildOptions, margins: Margins) -> str:
    """Page size and margins for the trim, profile and bleed; the body type size."""
    trim, rules = options.trim_size, profile(options.profile)
    bleed = BLEED_IN if options.bleed else 0.0
    m = margins
    width, height = trim.width_in + bleed, trim.height_in + 2 * bleed
    css = f"""
@page {{ size: {width:.4f}in {height:.4f}in;
        margin: {m.top + bleed:.3f}in {m.outside + bleed:.3f}in {m.bottom + bleed:.3f}in {m.inside:.3f}in; }}
@page :left {{ margin-left: {m.outside + bleed:.3f}in; margin-right: {m.inside:.3f}in; }}
@page :right {{ margin-left: {m.inside:.3f}in; margin-right: {m.outside + bleed:.3f}in; }}
html {{ font-size: {options.font_size:g}pt; }}
"""
    if rules.cmyk_black:
        css += "html, html * { color: device-cmyk(0 0 0 1) !important; }\n"
    return css


def _print_front_matter(manuscript: Manuscript) -> list[Section]:
    """The front matter in a printed book's order: half-title, title, copyright on its verso…"""
    front = {s.name: s for s in html.front_sections(manuscript)}
    ordered = [html.half_title_section(manuscript), front["titlepage"], html.copyright_section(manuscript)]
    ordered += [front[name] for name in ("dedication", "summary", "disclaimer", "notes") if name in front]
    return ordered


def _footnotes_to_page_foot(body: etree._Element) -> None:
    """Each note's text goes where it is called, floated to the foot of the page by the CSS."""
    notes = {}
    for aside in body.iter(f"{{{XHTML}}}aside"):
        if aside.get("class") == "footnote":
            notes[aside.get("id")] = aside
    for ref in list(body.iter(f"{{{XHTML}}}a")):
        if ref.get("class") != "noteref":
            continue
        aside = notes.get(ref.get("href", "#")[1:])
        if aside is None:
            continue
        span = html.el("span", **{"class": "footnote-print"})
        for paragraph in aside:
            if paragraph.text:
                span.text = (span.text or "") + paragraph.text
            for part in paragraph:
                if part.get("class") == "footnote-backref":
                    span.text = (span.text or "").rstrip() if len(span) == 0 else span.text
                    continue
                span.append(part)
        sup = ref.getparent()
        holder = sup if sup.tag == f"{{{XHTML}}}sup" else ref
        span.tail = holder.tail
        holder.getparent().replace(holder, span)
    for section in list(body.iter(f"{{{XHTML}}}section")):
        if section.get("class") == "footnotes":
            section.getparent().remove(section)


def book_document(manuscript: Manuscript, theme: Theme, options: BuildOptions) -> bytes:
    """The whole book as one XHTML document for WeasyPrint."""
    meta = manuscript.metadata
    front = _print_front_matter(manuscript)
    chapters = html.chapter_sections(manuscript)
    if chapters:
        chapters[0].element.set("class", "chapter first-chapter")
    toc = html.contents(chapters, lambda s: f"#{s.name}")
    root = html.page([s.element for s in front] + [toc] + [s.element for s in chapters],
                     meta.title, meta.language, [])
    head = root.find(f"{{{XHTML}}}head")
    for author in meta.authors:
        html.child(head, "meta", name="author", content=author)
    if meta.subjects:
        html.child(head, "meta", name="keywords", content=", ".join(meta.subjects))
    if meta.date:
        html.child(head, "meta", name="dcterms.created", content=meta.date)
    # Number every block as the EPUB writer will, before footnotes move, for the page map.
    for section in root.find(f"{{{XHTML}}}body"):
        for number, block in enumerate(html.blocks(section)):
            block.set("data-block", f"{section.get('id')}:{number}")
    _footnotes_to_page_foot(root)
    return html.serialize(root)


@dataclass(frozen=True)
class PrintLayout:
    """The laid-out book: WeasyPrint's pages, their printed folios and where each begins."""

    document: Document
    labels: tuple[str, ...]
    first_body_page: int
    page_starts: tuple[html.PageStart, ...]


def lay_out(manuscript: Manuscript, theme: Theme, options: BuildOptions) -> PrintLayout:
    """Typeset the book into pages (the slow step), without writing the PDF yet."""
    rules = profile(options.profile)
    document = HTML(string=book_document(manuscript, theme, options).decode("utf-8"), base_url=BASE_URL,
                    url_fetcher=ManuscriptFetcher(manuscript))
    pages = 0
    for _ in range(4):  # KDP's inside margin depends on the page count: lay out until they agree
        margins = margins_for(options.trim_size, rules, pages, options.bleed)
        stylesheets = [CSS(string=theme.print_css), CSS(string=page_css(options, margins))]
        rendered = document.render(stylesheets=stylesheets)
        if not rules.page_count_inside or margins == margins_for(options.trim_size, rules, len(rendered.pages),
                                                                 options.bleed):
            break
        pages = len(rendered.pages)
    first = next((i for i, page in enumerate(rendered.pages) if "chapter-001" in page.anchors), 0)
    labels = tuple(_roman(i + 1) if i < first else str(i - first + 1) for i in range(len(rendered.pages)))
    return PrintLayout(rendered, labels, first, tuple(_page_starts(rendered, labels)))


def write_pdf(manuscript: Manuscript, theme: Theme, options: BuildOptions, layout: PrintLayout | None = None) -> bytes:
    """The finished PDF file's bytes."""
    layout = layout or lay_out(manuscript, theme, options)
    rules = profile(options.profile)
    identifier = manuscript.metadata.identifier.encode("utf-8")
    data = layout.document.write_pdf(pdf_identifier=identifier, pdf_variant=rules.pdf_variant)
    return finish(data, layout.first_body_page, rules)


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                           (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, number = divmod(number, value)
        out += letters * count
    return out


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _page_starts(document: Document, labels: tuple[str, ...]):
    """For each page, the block and character where its text begins (blank pages: the next page's)."""
    cursors: dict[str, tuple[str, int]] = {}  # block key → (its collapsed text, characters consumed)
    pending: list[str] = []
    for page, label in zip(document.pages, labels):
        first = None
        for key, element, text in _text_boxes(page._page_box):
            if key not in cursors:
                cursors[key] = (_collapse("".join(element.itertext())), 0)
            full, cursor = cursors[key]
            piece = _collapse(text).rstrip("\u2010\u00ad-")
            found = full.find(piece, cursor) if piece else -1
            position = found if found >= 0 else cursor
            cursors[key] = (full, position + len(piece))
            if first is None:
                first = (key, position)
        pending.append(label)
        if first is None:
            continue
        section, block = first[0].rsplit(":", 1)
        for waiting in pending:
            yield html.PageStart(waiting, section, int(block), first[1])
        pending = []


def _text_boxes(page_box: boxes.PageBox):
    """(block key, block element, text) of each text box in the page's body, in reading order."""
    def walk(box, key, block):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)) or "::" in (box.element_tag or ""):
            return
        element = box.element
        if element is not None and element.get("data-block") and not isinstance(box, boxes.TextBox):
            key, block = element.get("data-block"), element
        if isinstance(box, boxes.TextBox):
            if key and box.text.strip():
                yield key, block, box.text
            return
        for child in getattr(box, "children", ()):
            yield from walk(child, key, block)
    yield from walk(page_box, None, None)


def finish(data: bytes, first_body_page: int, rules: Profile) -> bytes:
    """Page labels that match the printed folios (i, ii… then 1, 2…) and the service's demands."""
    # An incremental update: WeasyPrint's compressed objects stay as they are, only the changes are added.
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    if rules.even_pages and len(writer.pages) % 2:
        box = writer.pages[0].mediabox
        writer.add_blank_page(float(box.width), float(box.height))
    if not rules.bookmarks:
        writer._root_object.pop("/Outlines", None)
        writer._root_object.pop("/PageMode", None)
    if not rules.annotations:
        for page in writer.pages:
            page.pop("/Annots", None)
    if first_body_page:
        writer.set_page_label(0, first_body_page - 1, style="/r")
    writer.set_page_label(first_body_page, len(writer.pages) - 1, style="/D", start=1)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
