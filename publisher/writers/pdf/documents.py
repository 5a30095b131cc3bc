"""Manuscript → the XHTML documents and CSS that WeasyPrint sets as a printed book.

The book is one document (`book_document`) or, to set chapters in parallel, several
(`print_documents`): the front matter with its contents page, one document per chapter, and the
"furniture" (the folios alone), which the merge stamps onto the chapter pages. A chapter's own
pages never depend on where it falls in the book, so a chapter once set can be reused. Each
document names the images it shows; the CSS comes from templates/print/.
"""
from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from importlib import resources

from lxml import etree

from ... import html
from ...html import XHTML, Section
from ...manuscript import Manuscript, Resource
from ...options import BuildOptions
from ...profiles import BLEED_IN, Margins, profile
from . import merge


@functools.cache
def _template_text(name: str) -> str:
    return resources.files("publisher").joinpath(f"templates/print/{name}").read_text("utf-8")


def template(name: str, **values) -> str:
    """The style sheet templates/print/<name>, with $names filled in from `values`."""
    return string.Template(_template_text(name)).substitute(values)


# The contents page of a front-matter document prints the folios the merge will give the chapters.
KNOWN_FOLIOS_CSS = template("known-folios.css")


def page_css(options: BuildOptions, margins: Margins) -> str:
    """Page size and margins for the trim, profile and bleed; the body type size."""
    trim, rules = options.trim_size, profile(options.profile)
    bleed = BLEED_IN if options.bleed else 0.0
    m = margins
    css = template("page.css", width=f"{trim.width_in + bleed:.4f}", height=f"{trim.height_in + 2 * bleed:.4f}",
                   top=f"{m.top + bleed:.3f}", outside_bleed=f"{m.outside + bleed:.3f}",
                   bottom=f"{m.bottom + bleed:.3f}", inside=f"{m.inside:.3f}", font_size=f"{options.font_size:g}")
    if rules.cmyk_black:
        css += template("cmyk-black.css")
    return css


def _print_front_matter(manuscript: Manuscript, year: int) -> list[Section]:
    """The front matter in a printed book's order: half-title, title, copyright on its verso…"""
    front = html.front_sections(manuscript)
    if manuscript.front_matter.compact:
        # A short work: no half-title, and its dedication, summary, disclaimer and notes share a page.
        for section in front[1:]:
            section.element.set("class", section.element.get("class") + " compact")
        return [front[0], html.copyright_section(manuscript, year), *front[1:]]
    return [html.half_title_section(manuscript), front[0], html.copyright_section(manuscript, year), *front[1:]]


def _contents(manuscript: Manuscript, sections: list[Section], href) -> list:
    """The contents page, unless a compact book has one entry (a contents of one line says nothing)."""
    if manuscript.front_matter.compact and sum(s.in_toc for s in sections) == 1:
        return []
    return [html.contents(sections, href)]


def notes_at_page_foot(body: etree._Element) -> None:
    """Python-Markdown's footnotes → each note's text where it is called, in a span the print style
    sheet floats to the foot of the page; the list of notes goes."""
    notes = {}
    for block in list(body.iter(f"{{{XHTML}}}div")):
        if block.get("class") == "footnote":
            notes.update((item.get("id"), item) for item in block.iter(f"{{{XHTML}}}li"))
            block.getparent().remove(block)
    for ref in list(body.iter(f"{{{XHTML}}}a")):
        if ref.get("class") != "footnote-ref":
            continue
        note = notes.get(ref.get("href", "#")[1:])
        if note is None:
            continue
        span = html.el("span", **{"class": "footnote-print"})
        for paragraph in note:
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


def _body(manuscript: Manuscript) -> list[Section]:
    """Part pages, chapters and back matter, each to open on a recto; the first starts the arabic folios."""
    body = html.body_sections(manuscript, footnotes=notes_at_page_foot)
    if body:
        first = body[0].element
        first.set("class", first.get("class") + (" first-chapter" if body[0].kind == "chapter" else ""))
    return body


def _front_text(manuscript: Manuscript) -> list[Section]:
    """The foreword, preface and introduction, after the contents."""
    return html.front_matter_sections(manuscript, footnotes=notes_at_page_foot)




@dataclass(frozen=True)
class PrintDocument:
    """One document to set: its XHTML and the images it shows."""

    xhtml: bytes
    images: tuple[Resource, ...]


def _document(manuscript: Manuscript, elements: list[etree._Element], style: str = "") -> PrintDocument:
    """A print document of these sections, its blocks numbered as the EPUB writer numbers them;
    `style` goes in its head (WeasyPrint takes @color-profile only from the document's own styles)."""
    meta = manuscript.metadata
    root = html.document(elements, meta.title, meta.language, [])
    head = root.find(f"{{{XHTML}}}head")
    for author in meta.authors:
        html.child(head, "meta", name="author", content=author)
    if meta.subjects:
        html.child(head, "meta", name="keywords", content=", ".join(meta.subjects))
    if meta.date:
        html.child(head, "meta", name="dcterms.created", content=meta.date)
    if style:
        html.child(head, "style", style)
    for section in root.find(f"{{{XHTML}}}body"):
        html.number_blocks(section)
    shown = {img.get("src") for img in root.iter(f"{{{XHTML}}}img")}
    return PrintDocument(html.serialize(root), tuple(r for r in manuscript.resources if r.name in shown))


def book_document(manuscript: Manuscript, year: int, output_intent: Resource | None = None) -> PrintDocument:
    """The whole book as one XHTML document: the contents page's folios come from the layout. With
    an output intent (a CMYK profile, for PDF/X), the document names it and may load it."""
    front = _print_front_matter(manuscript, year)
    front_text, body = _front_text(manuscript), _body(manuscript)
    toc = _contents(manuscript, front_text + body, lambda s: f"#{s.name}")
    style = template("output-intent.css", profile=output_intent.name) if output_intent else ""
    elements = [s.element for s in front] + toc + [s.element for s in front_text + body]
    document = _document(manuscript, elements, style)
    if output_intent:
        document = PrintDocument(document.xhtml, document.images + (output_intent,))
    return document


@dataclass(frozen=True)
class PrintDocuments:
    """The book as separate documents: front matter (given its contents' folios), and each part page,
    chapter and back-matter section of the body."""

    manuscript: Manuscript
    sections: tuple[Section, ...]  # the body's sections, one document each
    chapters: tuple[bytes, ...]  # their documents
    chapter_images: tuple[tuple[Resource, ...], ...]  # the images each shows
    year: int  # the edition's, for the copyright page

    def front(self, folios: dict[str, int], link_base: str) -> PrintDocument:
        """The front matter and a contents page printing the body's folios (section id → folio), its
        links to `link_base#id` (a foreword's point inside this document, which sets its own)."""
        sections, front_text = _print_front_matter(self.manuscript, self.year), _front_text(self.manuscript)
        toc = _contents(self.manuscript, front_text + list(self.sections),
                        lambda s: f"{link_base}#{s.name}" if s.name in folios else f"#{s.name}")
        for link in (a for nav in toc for a in nav.iter(f"{{{XHTML}}}a")):
            name = link.get("href").rpartition("#")[2]
            if name in folios:
                link.set("data-folio", str(folios[name]))
        return _document(self.manuscript, [s.element for s in sections] + toc + [s.element for s in front_text])

    @property
    def body(self) -> list[merge.Body]:
        """What the merge needs to know of each document."""
        return [merge.Body(s.name, s.level, folio=s.kind != "part") for s in self.sections]

    chapter_css = template("chapter.css")


def print_documents(manuscript: Manuscript, year: int) -> PrintDocuments:
    body = _body(manuscript)
    documents = [_document(manuscript, [s.element]) for s in body]
    return PrintDocuments(manuscript, tuple(body), tuple(d.xhtml for d in documents),
                          tuple(d.images for d in documents), year)


def furniture_document(counts: list[int], first_is_book_start: bool) -> bytes:
    """Empty pages shaped like these chapters (same page names, same blanks), to carry their folios."""
    root = html.el("html")
    body = html.child(root, "body")
    for index, count in enumerate(counts):
        css_class = "chapter first-chapter" if index == 0 and first_is_book_start else "chapter"
        section = html.child(body, "section", **{"class": css_class})
        for _ in range(count):
            html.child(section, "div", "", **{"class": "furniture-page"})  # "": <div></div>, which HTML reads
    return etree.tostring(root, encoding="utf-8")


def furniture_css(first_folio: int) -> str:
    """Only the folios, counting from `first_folio` on the first page."""
    css = template("folio-only.css")
    if first_folio != 1:
        css += template("first-folio.css", folio=first_folio)
    return css
