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
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .. import html
from ..html import XHTML, Section
from ..manuscript import Manuscript
from ..options import BuildOptions, Trim
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


@dataclass(frozen=True)
class Margins:
    top: float
    bottom: float
    inside: float
    outside: float


def margins_for(trim: Trim) -> Margins:
    """Margins in inches that suit the trim: generous on the spine side, where the binding eats."""
    if trim.width_in >= 7:
        return Margins(0.9, 1.0, 1.0, 0.8)
    scale = trim.width_in / 6
    return Margins(0.7 * scale, 0.8 * scale, 0.8 * scale, 0.6 * scale)


def page_css(options: BuildOptions) -> str:
    trim = options.trim_size
    m = margins_for(trim)
    return f"""
@page {{ size: {trim.css_size}; margin: {m.top:.3f}in {m.outside:.3f}in {m.bottom:.3f}in {m.inside:.3f}in; }}
@page :left {{ margin-left: {m.outside:.3f}in; margin-right: {m.inside:.3f}in; }}
@page :right {{ margin-left: {m.inside:.3f}in; margin-right: {m.outside:.3f}in; }}
html {{ font-size: {options.font_size:g}pt; }}
"""


def _copy_sections(manuscript: Manuscript) -> list[Section]:
    """Front matter in print order, then the chapters."""
    front = {s.name: s for s in html.front_sections(manuscript)}
    ordered = [front["titlepage"], html.copyright_section(manuscript)]
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
    front = _copy_sections(manuscript)
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
    _footnotes_to_page_foot(root)
    return html.serialize(root)


def write_pdf(manuscript: Manuscript, theme: Theme, options: BuildOptions) -> bytes:
    """The finished PDF file's bytes."""
    document = HTML(string=book_document(manuscript, theme, options).decode("utf-8"), base_url=BASE_URL,
                    url_fetcher=ManuscriptFetcher(manuscript))
    stylesheets = [CSS(string=theme.print_css), CSS(string=page_css(options))]
    layout = document.render(stylesheets=stylesheets)
    identifier = manuscript.metadata.identifier.encode("utf-8")
    data = layout.write_pdf(pdf_identifier=identifier)
    first_chapter = next((i for i, page in enumerate(layout.pages) if "chapter-001" in page.anchors), 0)
    return with_page_labels(data, first_chapter)


def with_page_labels(data: bytes, first_body_page: int) -> bytes:
    """PDF page labels that match the printed folios: i, ii… for the front matter, then 1, 2…"""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    if first_body_page:
        writer.set_page_label(0, first_body_page - 1, style="/r")
    writer.set_page_label(first_body_page, len(writer.pages) - 1, style="/D", start=1)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
