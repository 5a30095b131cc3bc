"""Manuscript → the XHTML and CSS that WeasyPrint sets as a printed book.

The book is one document (`book_document`) or, to set chapters in parallel, several:
the front matter with its contents page, one document per chapter, and the "furniture"
(the folios alone), which the PDF merge stamps onto the chapter pages. A chapter's own
pages never depend on where it falls in the book, so a chapter once set can be reused.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ... import html
from ...html import XHTML, Section
from ...manuscript import Manuscript
from ...options import BuildOptions
from ...profiles import BLEED_IN, Margins, profile

# Chapters are set without their folios; the furniture has only them. The folio lives in
# the @bottom-center box in every theme.
NO_FOLIO_CSS = "@page { @bottom-center { content: none !important; } }\n"
FOLIO_ONLY_CSS = "@page { " + " ".join(
    f"@{box} {{ content: none !important; }}"
    for box in ("top-left", "top-center", "top-right", "bottom-left", "bottom-right")) + " }\n"
# The contents page of a front-matter document prints the folios the merge will give the chapters.
KNOWN_FOLIOS_CSS = 'nav.contents a::after { content: leader(". ") attr(data-folio); }\n'


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
        black = "device-cmyk(0 0 0 1)"
        css += (f"html, html * {{ color: {black} !important; border-color: {black} !important; }}\n"
                f"@page {{ @footnote {{ border-color: {black}; }} }}\n")
    return css


def with_output_intent(document: bytes, name: str) -> bytes:
    """The document names the CMYK profile `name` (a resource) as its output intent, for PDF/X.
    WeasyPrint takes @color-profile only from the document's own styles."""
    rule = f"@color-profile device-cmyk {{ src: url({name}); components: c, m, y, k; }}"
    return document.replace(b"</head>", f"<style>{rule}</style></head>".encode(), 1)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ") + '"'


def _print_front_matter(manuscript: Manuscript) -> list[Section]:
    """The front matter in a printed book's order: half-title, title, copyright on its verso…"""
    front = {s.name: s for s in html.front_sections(manuscript)}
    ordered = [html.half_title_section(manuscript), front["titlepage"], html.copyright_section(manuscript)]
    ordered += [front[name] for name in ("dedication", "summary", "disclaimer", "notes") if name in front]
    return ordered


def _chapters(manuscript: Manuscript) -> list[Section]:
    chapters = html.chapter_sections(manuscript)
    if chapters:
        chapters[0].element.set("class", "chapter first-chapter")
    return chapters


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


def _document(manuscript: Manuscript, elements: list[etree._Element]) -> bytes:
    """A print document of these sections, its blocks numbered as the EPUB writer numbers them."""
    meta = manuscript.metadata
    root = html.document(elements, meta.title, meta.language, [])
    head = root.find(f"{{{XHTML}}}head")
    for author in meta.authors:
        html.child(head, "meta", name="author", content=author)
    if meta.subjects:
        html.child(head, "meta", name="keywords", content=", ".join(meta.subjects))
    if meta.date:
        html.child(head, "meta", name="dcterms.created", content=meta.date)
    # Number every block before footnotes move, for the EPUB's page map.
    for section in root.find(f"{{{XHTML}}}body"):
        for number, block in enumerate(html.blocks(section)):
            block.set("data-block", f"{section.get('id')}:{number}")
    _footnotes_to_page_foot(root)
    return html.serialize(root)


def book_document(manuscript: Manuscript) -> bytes:
    """The whole book as one XHTML document: the contents page's folios come from the layout."""
    front = _print_front_matter(manuscript)
    chapters = _chapters(manuscript)
    toc = html.contents(chapters, lambda s: f"#{s.name}")
    return _document(manuscript, [s.element for s in front] + [toc] + [s.element for s in chapters])


@dataclass(frozen=True)
class PrintDocuments:
    """The book as separate documents: front matter (given its contents' folios) and chapters."""

    manuscript: Manuscript
    sections: tuple[Section, ...]  # the chapters, for the contents page
    chapters: tuple[bytes, ...]  # one document each
    book_title: str

    def front(self, folios: list[int], link_base: str) -> bytes:
        """The front matter and a contents page printing these folios, its links to `link_base#id`."""
        sections = _print_front_matter(self.manuscript)
        toc = html.contents(list(self.sections), lambda s: f"{link_base}#{s.name}")
        for link, folio in zip(toc.iter(f"{{{XHTML}}}a"), folios):
            link.set("data-folio", str(folio))
        return _document(self.manuscript, [s.element for s in sections] + [toc])

    @property
    def chapter_css(self) -> str:
        """Left running heads carry the book's title, set on the title page in a whole-book document."""
        return NO_FOLIO_CSS + f"section.chapter {{ string-set: book-title {css_string(self.book_title)}; }}\n"


def print_documents(manuscript: Manuscript) -> PrintDocuments:
    chapters = _chapters(manuscript)
    title = next(s for s in _print_front_matter(manuscript) if s.name == "titlepage").element
    heading = next(e for e in title.iter(f"{{{XHTML}}}h1"))
    return PrintDocuments(manuscript, tuple(chapters), tuple(_document(manuscript, [s.element]) for s in chapters),
                     " ".join("".join(heading.itertext()).split()))


def furniture_document(counts: list[int], first_is_book_start: bool) -> bytes:
    """Empty pages shaped like these chapters (same page names, same blanks), to carry their folios."""
    body = []
    for index, count in enumerate(counts):
        css_class = "chapter first-chapter" if index == 0 and first_is_book_start else "chapter"
        pages = "".join('<div class="furniture-page"></div>' for _ in range(count))
        body.append(f'<section class="{css_class}">{pages}</section>')
    return ("<html xmlns=\"http://www.w3.org/1999/xhtml\"><body>" + "".join(body) + "</body></html>").encode()


def furniture_css(first_folio: int) -> str:
    """Only the folios, counting from `first_folio` on the first page."""
    css = FOLIO_ONLY_CSS + ".furniture-page { height: 1px; } .furniture-page + .furniture-page { break-before: page; }\n"
    if first_folio != 1:
        css += f"@page :first {{ counter-reset: page {first_folio}; }}\n"
    return css
