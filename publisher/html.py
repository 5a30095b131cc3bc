"""Manuscript → XHTML sections (title page, summary, disclaimer, chapters…), shared by every writer.

A Section is one semantic unit of the book, an lxml ``<section>`` in the XHTML namespace with
its ``epub:type`` and ARIA role. The EPUB writer puts each in its own file; the PDF writer puts
them all in one document. Ids inside chapters are prefixed with the chapter's name, so they stay
unique when chapters share a document.
"""
from __future__ import annotations

import copy
import functools
from html import escape
import re
from dataclasses import dataclass, fields
from typing import Callable

from lxml import etree

from .manuscript import Chapter, FrontMatter, Manuscript, Matter, Part

XHTML = "http://www.w3.org/1999/xhtml"
EPUB = "http://www.idpf.org/2007/ops"
NSMAP = {None: XHTML, "epub": EPUB}
EPUB_TYPE = f"{{{EPUB}}}type"


# Elements whose text a printed page can begin in; both writers number them the same way.
BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "figcaption", "caption",
              "pre", "blockquote", "div", "section", "aside", "nav", "dl", "ul", "ol", "table", "figure"}


def blocks(element: etree._Element) -> list[etree._Element]:
    """The block elements of a section, in document order."""
    return [e for e in element.iter() if isinstance(e.tag, str) and etree.QName(e).localname in BLOCK_TAGS]


def number_blocks(element: etree._Element) -> None:
    """Give each block of a section its key, data-block="<section id>:<n>", which a printed page's
    start names; a section numbered already keeps its numbers."""
    if element.get("data-block") is None:
        for number, block in enumerate(blocks(element)):
            block.set("data-block", f"{element.get('id')}:{number}")


def numbered_blocks(element: etree._Element) -> dict[int, etree._Element]:
    """A numbered section's blocks by number."""
    return {int(block.get("data-block").rsplit(":", 1)[1]): block
            for block in element.iter() if isinstance(block.tag, str) and block.get("data-block")}


@dataclass(frozen=True)
class Section:
    name: str  # file stem and anchor: "titlepage", "chapter-001"
    kind: str  # its epub:type
    title: str  # as listed in contents and navigation
    element: etree._Element
    matter: str  # "front", "body" or "back"
    in_toc: bool = False
    level: int = 1  # its depth in the contents: a part's chapters are one level below it


def el(tag: str, text: str | None = None, /, **attributes: str) -> etree._Element:
    """An XHTML element; attribute names use _ for - and epub_type for epub:type."""
    element = etree.Element(f"{{{XHTML}}}{tag}", nsmap=NSMAP)
    for key, value in attributes.items():
        name = EPUB_TYPE if key == "epub_type" else key.rstrip("_").replace("_", "-")
        element.set(name, value)
    element.text = text
    return element


def child(parent: etree._Element, tag: str, text: str | None = None, /, **attributes: str) -> etree._Element:
    element = el(tag, text, **attributes)
    parent.append(element)
    return element


def fragment(html: str) -> list[etree._Element]:
    """Parse a Manuscript XHTML fragment into XHTML-namespaced elements."""
    wrapper = etree.fromstring(f'<div xmlns="{XHTML}">{html}</div>')
    return list(wrapper)


def _append_html(parent: etree._Element, html: str) -> None:
    for element in fragment(html):
        parent.append(element)


def section(name: str, kind: str, role: str | None, css_class: str, heading: str | None = None,
            hide_heading: bool = False) -> etree._Element:
    attributes = {"id": name, "epub_type": kind, "class": css_class}
    if role:
        attributes["role"] = role
    element = el("section", **attributes)
    if heading is not None:
        h1 = child(element, "h1", heading, id=f"{name}-title")
        if hide_heading:
            h1.set("class", "hidden-heading")
        element.set("aria-labelledby", f"{name}-title")
    return element


def _prefix_ids(element: etree._Element, prefix: str) -> None:
    """Make a chapter's ids unique in the book: fn:1 → chapter-003-fn-1."""
    def fix(value: str) -> str:
        return f"{prefix}-" + re.sub(r"[^\w-]", "-", value)

    for node in element.iter():
        if node.get("id"):
            node.set("id", fix(node.get("id")))
        href = node.get("href")
        if href and href.startswith("#"):
            node.set("href", "#" + fix(href[1:]))


def note_asides(body: etree._Element) -> None:
    """Python-Markdown's footnotes → EPUB 3 noterefs and footnote asides, with back links."""
    for ref in body.iter(f"{{{XHTML}}}a"):
        if ref.get("class") == "footnote-ref":
            ref.set(EPUB_TYPE, "noteref")
            ref.set("role", "doc-noteref")
            ref.set("class", "noteref")
            sup = ref.getparent()
            if sup.get("id"):  # the back link targets the reference itself
                ref.set("id", sup.attrib.pop("id"))
    for block in list(body.iter(f"{{{XHTML}}}div")):
        if block.get("class") != "footnote":
            continue
        notes = el("section", epub_type="footnotes", **{"class": "footnotes", "aria-label": "Footnotes"})
        for item in block.iter(f"{{{XHTML}}}li"):
            aside = child(notes, "aside", id=item.get("id"), epub_type="footnote", role="doc-footnote",
                          **{"class": "footnote"})
            aside.text = item.text
            for part in list(item):
                aside.append(part)
            for back in aside.iter(f"{{{XHTML}}}a"):
                if back.get("class") == "footnote-backref":
                    back.set("role", "doc-backlink")
                    back.set("aria-label", "Back to text")
                    back.attrib.pop("title", None)
        block.getparent().replace(block, notes)


def _note(parent: etree._Element, html: str, css_class: str, label: str) -> None:
    aside = child(parent, "aside", role="note", **{"class": css_class, "aria-label": label})
    child(aside, "p", label, **{"class": "note-label"})
    _append_html(aside, html)


def chapter_section(chapter: Chapter, footnotes: Callable[[etree._Element], None] = note_asides,
                    level: int = 1, running_head: str = "") -> Section:
    """A chapter; `footnotes(body)` makes its notes as the writer wants them (EPUB asides by default).
    Its blocks are numbered before that, so both writers' blocks have the same keys. The running
    head over its left-hand pages is the book's title, or its work's in an anthology."""
    element = section(chapter.slug, "chapter", "doc-chapter", "chapter", chapter.title)
    element.set("data-running-head", running_head)
    element.set("data-level", str(level))
    if chapter.summary_html:
        summary = child(element, "div", role="doc-abstract", **{"class": "chapter-summary", "aria-label": "Summary"})
        _append_html(summary, chapter.summary_html)
    if chapter.notes_html:
        _note(element, chapter.notes_html, "chapter-notes", "Notes")
    body = child(element, "div", **{"class": "chapter-body"})
    _append_html(body, chapter.body_html)
    if chapter.end_notes_html:
        _note(element, chapter.end_notes_html, "chapter-end-notes", "End notes")
    number_blocks(element)
    footnotes(body)
    _prefix_ids(body, chapter.slug)
    _mark_first_paragraph(body)
    return Section(chapter.slug, "chapter", chapter.title, element, "body", in_toc=True, level=level)


def _mark_first_paragraph(body: etree._Element) -> None:
    """The opening paragraph is set flush, its first line in small capitals, as a chapter's is."""
    first = next((p for p in body if p.tag == f"{{{XHTML}}}p"), None)
    if first is not None:
        first.set("class", ((first.get("class") or "") + " first").strip())


# A front- or back-matter kind → its epub:type and DPUB-ARIA role (None: the vocabularies have none).
MATTER_SEMANTICS = {
    "foreword": ("foreword", "doc-foreword"), "preface": ("preface", "doc-preface"),
    "introduction": ("introduction", "doc-introduction"), "afterword": ("afterword", "doc-afterword"),
    "acknowledgements": ("acknowledgments", "doc-acknowledgments"), "appendix": ("appendix", "doc-appendix"),
    "glossary": ("glossary", "doc-glossary"), "endnotes": ("endnotes", "doc-endnotes"),
    "colophon": ("colophon", "doc-colophon"), "about-the-author": ("contributors", None),
    "also-by": ("other-credits", None),
}


def matter_section(matter: Matter, where: str, running_head: str,
                   footnotes: Callable[[etree._Element], None] = note_asides, level: int = 1) -> Section:
    """A foreword, an afterword…: set like a chapter, not numbered, with its own epub:type and role.
    `where` is "front" or "back", or "body" for a work's own in an anthology (set among its chapters)."""
    kind, role = MATTER_SEMANTICS[matter.kind]
    element = section(matter.slug, kind, role, f"matter {matter.kind}" + (" in-body" if where == "body" else ""),
                      matter.title)
    element.set("data-running-head", running_head)
    element.set("data-level", str(level))
    body = child(element, "div", **{"class": "chapter-body"})
    _append_html(body, matter.html)
    number_blocks(element)
    footnotes(body)
    _prefix_ids(body, matter.slug)
    _mark_first_paragraph(body)
    return Section(matter.slug, kind, matter.title, element, where, in_toc=True, level=level)


def part_section(part: Part, level: int, first_body: bool) -> Section:
    """A part's page: its title (and subtitle, and intro), or, for a work of an anthology, the
    work's own title page. `first_body` marks the page where the body's folios start."""
    css_class = "part work" if part.work else "part"
    element = section(part.slug, "part", "doc-part", css_class + (" first-body" if first_body else ""))
    if part.work:
        _work_title(element, part)
    else:
        heading = child(element, "h1", part.title, id=f"{part.slug}-title", **{"class": "part-title"})
        element.set("aria-labelledby", heading.get("id"))
        if part.subtitle:
            child(element, "p", part.subtitle, **{"class": "part-subtitle"})
        if part.intro_html:
            intro = child(element, "div", **{"class": "part-intro"})
            _append_html(intro, part.intro_html)
    element.set("data-level", str(level))
    number_blocks(element)
    return Section(part.slug, "part", part.title, element, "body", in_toc=True, level=level)


def _work_title(element: etree._Element, part: Part) -> None:
    """A work's title page in an anthology: its title, author, details, summary and notes."""
    work = part.work
    meta = work.metadata
    child(element, "h1", part.title, id=f"{part.slug}-title", **{"class": "part-title"})
    element.set("aria-labelledby", f"{part.slug}-title")
    if meta.subtitle:
        child(element, "p", meta.subtitle, **{"class": "part-subtitle"})
    if meta.authors:
        child(element, "p", meta.byline, **{"class": "author"})
    rows = (meta.story.fields() if meta.story else []) + [("Words", f"{work.words:,}"), ("Chapters", str(work.chapters))]
    details = child(element, "dl", **{"class": "story-info"})
    for label, text in rows:
        child(details, "dt", label)
        child(details, "dd", text)
    _front_prose(element, work.front_matter)


def _front_prose(parent: etree._Element, front: FrontMatter) -> None:
    """A work's summary, disclaimer, dedication and notes, each labelled, on its title page."""
    if front.epigraph_html:
        quote = child(parent, "div", role="doc-epigraph", epub_type="epigraph", **{"class": "epigraph-text"})
        _append_html(quote, front.epigraph_html)
    for label, text in (("Summary", front.summary_html), ("Disclaimer", front.disclaimer_html),
                        ("Dedication", front.dedication_html)):
        if text:
            _note(parent, text, f"work-{label.lower()}", label)
    for note in front.notes:
        _note(parent, note.html, "work-notes", note.label)


def epigraph_section(front: FrontMatter) -> Section:
    element = section("epigraph", "epigraph", None, "epigraph", "Epigraph", hide_heading=True)
    quote = child(element, "div", role="doc-epigraph", epub_type="epigraph", **{"class": "epigraph-text"})
    _append_html(quote, front.epigraph_html)
    return Section("epigraph", "epigraph", "Epigraph", element, "front")


def title_section(manuscript: Manuscript) -> Section:
    meta = manuscript.metadata
    element = section("titlepage", "titlepage", None, "titlepage")
    child(element, "h1", meta.title, **{"class": "title", "id": "titlepage-title"})
    element.set("aria-labelledby", "titlepage-title")
    if meta.subtitle:
        child(element, "p", meta.subtitle, **{"class": "subtitle"})
    if meta.authors:
        child(element, "p", meta.byline, **{"class": "author"})
    if meta.series:
        index = f", book {meta.series_index:g}" if meta.series_index else ""
        child(element, "p", f"{meta.series}{index}", **{"class": "series"})
    if meta.story:
        details = child(element, "dl", **{"class": "story-info"})
        rows = meta.story.fields() + [("Words", f"{manuscript.words:,}"),
                                      ("Chapters", str(len(manuscript.chapters)))]
        for label, text in rows:
            child(details, "dt", label)
            child(details, "dd", text)
    works = [part for part in manuscript.parts if part.work]
    if works:  # an anthology's title page names what it binds
        listed = child(element, "ul", **{"class": "works"})
        for part in works:
            by = part.work.metadata.byline
            child(listed, "li", part.title + (f" — {by}" if by and by != meta.byline else ""))
    if meta.publisher:
        child(element, "p", meta.publisher, **{"class": "publisher"})
    return Section("titlepage", "titlepage", meta.title, element, "front")


def half_title_section(manuscript: Manuscript) -> Section:
    """The first printed page: the title alone."""
    element = section("halftitle", "halftitlepage", None, "halftitle")
    child(element, "p", manuscript.metadata.title, **{"class": "half-title"})
    return Section("halftitle", "halftitlepage", manuscript.metadata.title, element, "front")


def copyright_section(manuscript: Manuscript, year: int) -> Section:
    """The copyright page; `year` is the edition's (the build's date) when the book gives no date."""
    meta = manuscript.metadata
    element = section("copyright", "copyright-page", None, "copyright", "Copyright", hide_heading=True)
    block = child(element, "div", **{"class": "copyright-block"})  # set at the foot of the page in print
    year = meta.date[:4] if re.match(r"\d{4}", meta.date) else str(year)
    rights = meta.rights or (f"Copyright © {year} {meta.byline}" if meta.authors else "")
    if meta.source.startswith(("http://", "https://")):
        origin = f"First published at {meta.source}"
    else:
        origin = f"Transcribed from {meta.source}" if meta.source else ""
    lines = [meta.title + (f": {meta.subtitle}" if meta.subtitle else ""), rights, origin,
             f"Published by {meta.publisher}" if meta.publisher else "", f"ISBN {meta.isbn}" if meta.isbn else ""]
    for line in filter(None, lines):
        child(block, "p", line)
    return Section("copyright", "copyright-page", "Copyright", element, "front")


def prose_section(name: str, kind: str, role: str | None, heading: str, html: str) -> Section:
    element = section(name, kind, role, name, heading)
    _append_html(element, html)
    return Section(name, kind, heading, element, "front")


def front_sections(manuscript: Manuscript) -> list[Section]:
    """The front matter in reading order, the same in the EPUB and in print (title, dedication,
    summary, disclaimer, notes); a page exists only when it has something to say."""
    front = manuscript.front_matter
    sections = [title_section(manuscript)]
    if front.has_dedication:
        sections.append(prose_section("dedication", "dedication", "doc-dedication", "Dedication",
                                      front.dedication_html))
        sections[-1].element.find(f"{{{XHTML}}}h1").set("class", "hidden-heading")
    if front.epigraph_html:
        sections.append(epigraph_section(front))
    if front.has_summary_page:
        sections.append(prose_section("summary", "abstract", "doc-abstract", "Summary", front.summary_html))
    if front.has_disclaimer_page:
        sections.append(prose_section("disclaimer", "notice", "doc-notice", "Disclaimer", front.disclaimer_html))
    if front.notes:
        notes = "".join(f'<p class="note-label">{escape(n.label, quote=False)}</p>{n.html}' for n in front.notes) \
            if [n.label for n in front.notes] != ["Notes"] else front.notes[0].html  # the heading says it already
        sections.append(prose_section("notes", "preamble", None, "Notes", notes))
    return sections


def front_matter_sections(manuscript: Manuscript,
                          footnotes: Callable[[etree._Element], None] = note_asides) -> list[Section]:
    """The foreword, preface and introduction, which come after the contents."""
    head = manuscript.metadata.title
    return [matter_section(m, "front", head, footnotes) for m in manuscript.front_matter.sections]


@dataclass(frozen=True)
class Planned:
    """A section of the body or back matter before its XHTML is made: what the contents need of it,
    and `source`, everything that shapes it besides the code (equal sources make equal sections, so
    a writer may reuse what it made of one before)."""

    name: str
    kind: str
    title: str
    matter: str
    level: int
    source: tuple[str, ...]
    make: Callable[[], Section]
    in_toc = True  # every one is listed in the contents (not a field: it never varies)


def body_plan(manuscript: Manuscript,
              footnotes: Callable[[etree._Element], None] = note_asides) -> list[Planned]:
    """Part pages and chapters in reading order, then the back matter: each its own section, so
    each is its own EPUB file and its own print document."""
    planned: list[Planned] = []
    head = manuscript.metadata.title
    for level, item in manuscript.body():
        if isinstance(item, Part):
            first = not planned
            source = (item.title, item.slug, item.subtitle, item.intro_html, repr(item.work), str(level), str(first))
            planned.append(Planned(item.slug, "part", item.title, "body", level, source,
                                   functools.partial(part_section, item, level, first)))
            if item.work:
                head = item.title
        elif isinstance(item, Matter):  # a work's own foreword or afterword, in an anthology
            planned.append(_planned_matter(item, "body", head, footnotes, level))
        else:
            planned.append(Planned(item.slug, "chapter", item.title, "body", level,
                                   (*_fields(item), str(level), head, footnotes.__qualname__),
                                   functools.partial(chapter_section, item, footnotes, level, head)))
    head = manuscript.metadata.title
    return planned + [_planned_matter(m, "back", head, footnotes) for m in manuscript.back_matter]


def _planned_matter(matter: Matter, where: str, head: str, footnotes: Callable[[etree._Element], None],
                    level: int = 1) -> Planned:
    return Planned(matter.slug, MATTER_SEMANTICS[matter.kind][0], matter.title, where, level,
                   (*_fields(matter), where, head, str(level), footnotes.__qualname__),
                   functools.partial(matter_section, matter, where, head, footnotes, level))


def _fields(item: Chapter | Matter) -> tuple[str, ...]:
    """A chapter's or a matter's fields as text, for a key (repr would copy a chapter's text twice)."""
    return tuple(str(getattr(item, field.name)) for field in fields(item))


def body_sections(manuscript: Manuscript,
                  footnotes: Callable[[etree._Element], None] = note_asides) -> list[Section]:
    """The body and back matter's sections, made."""
    return [planned.make() for planned in body_plan(manuscript, footnotes)]


def contents(sections: list[Section | Planned], href: Callable[[Section | Planned], str], title: str = "Contents") -> etree._Element:
    """The table of contents as a nav element, linking every section marked in_toc."""
    nav = el("nav", id="toc", epub_type="toc", role="doc-toc", **{"class": "contents", "aria-labelledby": "toc-title"})
    child(nav, "h1", title, id="toc-title")
    lists = [child(nav, "ol")]  # the open list at each level
    for entry in sections:
        if not entry.in_toc:
            continue
        del lists[entry.level:]
        while len(lists) < entry.level and len(lists[-1]):  # one level down: a list inside the last item
            lists.append(child(lists[-1][-1], "ol"))
        kind = "part" if entry.kind == "part" else entry.matter if entry.matter != "body" else ""
        item = child(lists[-1], "li", **({"class": kind} if kind else {}))
        child(item, "a", entry.title, href=href(entry))
    return nav


RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "dv", "ckb", "sd", "ug"}


def direction(language: str) -> str:
    """'rtl' for right-to-left scripts (Arabic, Hebrew, Persian…), else 'ltr'."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def document(sections: list[etree._Element], title: str, language: str, stylesheets: list[str],
         body_class: str = "") -> etree._Element:
    """A whole XHTML document holding the given elements."""
    root = el("html", lang=language)
    if direction(language) == "rtl":
        root.set("dir", "rtl")
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    head = child(root, "head")
    child(head, "meta", charset="utf-8")
    child(head, "title", title)
    for href in stylesheets:
        child(head, "link", rel="stylesheet", type="text/css", href=href)
    body = child(root, "body")
    if body_class:
        body.set("class", body_class)
    for element in sections:
        body.append(copy.deepcopy(element))
    return root


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>")

