"""An HTML file → a BookDraft: an AO3 download, a FanFicFare download, or any web page.

The kind of page is sniffed from its content (the registry below, first match wins); a page
that is none of the known downloads is read generically: its title from `<title>` or the first
`h1`, chapters at `h1` headings (or `h2` when the page has a single `h1`, its title).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from lxml import etree, html as lxml_html

from ..errors import ManuscriptError, Problem, Warnings
from ..manuscript import Metadata
from .ao3 import is_ao3, read_ao3_tree
from .fanficfare import is_fanficfare_html, read_fanficfare_html
from .decode import read_text
from .draft import BODY, FRONT, BookDraft, ChapterDraft, Overrides, Place, Prose, Trace
from .folder import apply
from .html_tidy import split_sections, text_of, tidy
from .text import language_tag

TreeReader = Callable[[etree._Element, Path, Overrides, Warnings], BookDraft]


def page(path: Path, warn: Warnings) -> etree._Element:
    """The parsed page; a Problem when it is empty or not HTML."""
    try:
        text = read_text(path, str(path), warn)
    except Problem as problem:
        raise ManuscriptError([problem]) from None
    if not text.strip():
        raise ManuscriptError([Problem("the file is empty", str(path))])
    try:
        return lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise ManuscriptError([Problem(f"not readable as HTML: {error}", str(path))]) from None


def read_generic_tree(root: etree._Element, path: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    where, trace = str(path), Trace()
    body = root.find("body") if root.find("body") is not None else root
    title_element = root.find(".//title")
    h1s = body.findall(".//h1")
    title = " ".join((title_element.text_content() if title_element is not None else "").split())
    sections = split_sections(body)
    if len(h1s) == 1 and (not title or " ".join(title.lower().split()) == text_of(h1s[0]).lower()):
        title = title or text_of(h1s[0])
        trace.add(FRONT, text_of(h1s[0]))
        # The page's one h1 is the book's title; what follows it is still text.
        sections = [(None if heading is h1s[0] else heading, holder) for heading, holder in sections]
    title = title or path.stem.replace("-", " ").replace("_", " ").title()
    trace.add(FRONT, title)
    chapters = []
    for heading, holder in sections:
        chapter_title = text_of(heading) if heading is not None else ""
        trace.add(BODY, chapter_title)
        trace.add(BODY, text_of(holder))
        chapters.append(ChapterDraft(Prose(tidy(holder, where, warn), Place(where), "html"), chapter_title))
    language = language_tag(root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "") or "en"
    metadata = Metadata(title=title, identifier="", language=language)
    return BookDraft(metadata=apply(metadata, overrides), chapters=tuple(chapters), root=path.parent,
                     place=Place(where), slug=path.stem, trace=trace)


# Sniffers in order: the first that recognises the page reads it.
FLAVOURS: list[tuple[Callable[[etree._Element], bool], TreeReader]] = [
    (is_ao3, read_ao3_tree),
    (is_fanficfare_html, read_fanficfare_html),
    (lambda root: True, read_generic_tree),
]


def read_html(path: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    root = page(path, warn)
    reader = next(read for sniff, read in FLAVOURS if sniff(root))
    return reader(root, path, overrides, warn)
