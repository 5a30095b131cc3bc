"""One print document → PDF bytes, with what the merge and the EPUB's page list need to know.

This runs in worker processes: its inputs and outputs are plain, picklable data. Nothing is
fetched: WeasyPrint may load only the book's own resources.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from weasyprint import CSS, HTML, Document
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration, get_hb_object_data
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ...manuscript import Resource
from .cache import keep
from .jobs import BASE_URL, FontSource, Job, SetDocument

# A scene-break ornament alone at the top or foot of a page reads as a stray mark: the paragraph
# before it starts the next page instead, if it is short enough to leave only a short page.
MOVE_BEFORE_ORNAMENT_CSS = "[data-before-ornament] { break-before: page; }\n"
MOST_LINES_MOVED = 6


class ManuscriptFetcher(URLFetcher):
    """Serves the manuscript's resources and refuses every other URL."""

    def __init__(self, resources: tuple[Resource, ...]):
        super().__init__(allowed_protocols=["https"])
        self.resources = {BASE_URL + r.name: r for r in resources}

    def fetch(self, url, headers=None):
        resource = self.resources.get(url)
        if resource is None:
            raise ValueError(f"{url} is not part of the book")
        return URLFetcherResponse(url, resource.data, {"Content-Type": resource.media_type})


# A worker sets hundreds of chapters with the same style sheets: parse them once per process.
_STYLESHEETS: dict[str, CSS] = {}


def _stylesheet(text: str) -> CSS:
    if text not in _STYLESHEETS:
        if len(_STYLESHEETS) > 32:
            _STYLESHEETS.clear()
        _STYLESHEETS[text] = CSS(string=text)
    return _STYLESHEETS[text]


_FONT_CONFIG: list[FontConfiguration] = []


def _fonts() -> FontConfiguration:
    """One font configuration per process: a new one per document leaks Pango and fontconfig memory."""
    if not _FONT_CONFIG:
        _FONT_CONFIG.append(FontConfiguration())
    return _FONT_CONFIG[0]


def load(job: Job) -> Document:
    """Lay the document out into pages (the slow step)."""
    document = HTML(string=job.document.decode("utf-8"), base_url=BASE_URL,
                    url_fetcher=ManuscriptFetcher(job.resources))
    return document.render(stylesheets=[_stylesheet(css) for css in job.css], font_config=_fonts())


def set_document(job: Job, fonts_dir: Path | None = None) -> SetDocument:
    """Lay out and write one document; keep its fonts' original files in `fonts_dir`."""
    document = load(job)
    for _ in range(2):  # moving a paragraph can strand another ornament further on: look once more
        to_move = stranded_scene_breaks(document)
        if not to_move:
            break
        marked = job.document
        for key in to_move:
            attribute = f'data-block="{key}"'.encode()
            if attribute + b" data-before-ornament" not in marked:  # moved in the first pass already
                marked = marked.replace(attribute, attribute + b' data-before-ornament=""', 1)
        css = job.css if MOVE_BEFORE_ORNAMENT_CSS in job.css else job.css + (MOVE_BEFORE_ORNAMENT_CSS,)
        job = replace(job, document=marked, css=css)
        document = load(job)
    pdf = document.write_pdf(pdf_identifier=job.identifier, pdf_variant=job.variant)
    fonts = _keep_fonts(document, fonts_dir) if fonts_dir else ()
    return SetDocument(pdf, tuple(page_firsts(document)), fonts)


def _keep_fonts(document: Document, fonts_dir: Path) -> tuple[FontSource, ...]:
    """The original files of the fonts the merge can combine across documents (plain vector fonts)."""
    kept = []
    for font in document.fonts.values():
        if font.bitmap or font.missing or font.used_in_forms or font.png or font.svg or font.colr \
                or "fvar" in font.tables:
            continue
        data = get_hb_object_data(font.hb_face)
        sha = hashlib.sha256(data).hexdigest()
        if (fonts_dir / sha).exists() or keep(fonts_dir / sha, data):
            kept.append(FontSource(font.name.decode()[1:], sha, font.index))
    return tuple(kept)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def page_firsts(document: Document):
    """For each page, the block and character where its text begins."""
    cursors: dict[str, tuple[str, int]] = {}  # block key → (its collapsed text, characters consumed)
    for page in document.pages:
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
                section, block = key.rsplit(":", 1)
                first = (section, int(block), position)
        yield first


def _text_boxes(page_box: boxes.PageBox):
    """(block key, block element, text) of each text box in the page's body, in reading order."""
    for kind, key, block, _, text in _body(page_box):
        if kind == "text" and key:
            yield key, block, text


def stranded_scene_breaks(document: Document) -> list[str]:
    """The paragraphs (block keys) to move so no scene break opens or ends a page."""
    pages = [[(kind, key, line) for kind, key, _, line, _ in _body(page._page_box)] for page in document.pages]
    lines: dict[str, set] = {}
    for items in pages:
        for kind, key, line in items:
            if kind == "text":
                lines.setdefault(key, set()).add(line)
    to_move = []
    for number, items in enumerate(pages):
        if not items:
            continue
        candidates = []
        if items[0][0] == "break" and number and pages[number - 1]:
            candidates.append(pages[number - 1][-1])  # the text before an ornament that opens a page
        if items[-1][0] == "break" and len(items) > 1:
            candidates.append(items[-2])  # the text before an ornament that ends one
        for kind, key, _ in candidates:
            if kind == "text" and key and len(lines[key]) <= MOST_LINES_MOVED and key not in to_move:
                to_move.append(key)
    return to_move


def _body(page_box: boxes.PageBox):
    """The page's body in reading order: ("text", block key, block element, line, text) for each
    piece of the book's text, ("break", …) for each scene-break ornament. Running heads, folios,
    footnotes and generated text (::before, ::after) are not the body."""
    def walk(box, key, block, line):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return
        element = box.element
        if box.element_tag == "hr" and "scene-break" in (element.get("class") or "").split():
            yield "break", None, None, None, ""
            return
        if "::" in (box.element_tag or ""):
            return
        if element is not None and element.get("data-block") and not isinstance(box, boxes.TextBox):
            key, block = element.get("data-block"), element
        if isinstance(box, boxes.LineBox):
            line = id(box)
        if isinstance(box, boxes.TextBox):
            if box.text.strip():
                yield "text", key, block, line, box.text
            return
        for child in getattr(box, "children", ()):
            yield from walk(child, key, block, line)
    yield from walk(page_box, None, None, None)
