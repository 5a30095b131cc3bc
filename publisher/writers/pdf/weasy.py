"""XHTML and CSS → laid-out pages and PDF bytes through WeasyPrint: the one module that touches it.

Everything we need of WeasyPrint beyond its documented API lives here: the box tree of a laid-out
page (`Page._page_box`, `formatting_structure.boxes`), the state WeasyPrint keeps before each page
(`layout.make_all_pages`, `LayoutContext.page_maker`: a trial reuses pages), how it breaks a line
(`layout.inline.split_first_line` and the values it reads: a trial reuses lines), its font objects
(`Document.fonts`, `Font.hb_face` and friends, `get_hb_object_data`) and the shape of the fonts in
the PDFs it writes (Type0 Identity-H subsets that keep glyph ids, their `/W` arrays and ToUnicode CMaps). It was written
for WeasyPrint 70.x and checks that on import; tests/test_weasy.py has a canary for each internal.

WeasyPrint itself is imported when the first document is set: the process that only merges set
documents reads their PDFs here without loading it.
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import ctypes.util
import functools
import os
import re
import shutil
import subprocess
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Callable, Iterator

import pikepdf
from pikepdf import Array, Name, Pdf

from ...errors import PublisherError
from ...manuscript import Resource
from .jobs import BASE_URL

if TYPE_CHECKING:
    from weasyprint import CSS, Document

WRITTEN_FOR = "70"  # the major version whose internals this module reads


def _check_version() -> str:
    try:
        found = version("weasyprint")
    except PackageNotFoundError:
        raise PublisherError("WeasyPrint is not installed: pip install 'weasyprint>=70,<71'") from None
    if found.split(".")[0] != WRITTEN_FOR:
        pin = f"weasyprint>={WRITTEN_FOR},<{int(WRITTEN_FOR) + 1}"
        raise PublisherError(f"WeasyPrint {found} is installed, but publisher's PDF writer reads the internals of "
                             f"WeasyPrint {WRITTEN_FOR}.x: pip install '{pin}'")
    return found


VERSION = _check_version()


class WeasyPrintChanged(PublisherError):
    """An internal this module reads is not where WeasyPrint 70 kept it."""

    def __init__(self, internal: str, error: Exception):
        super().__init__(f"WeasyPrint {VERSION}: {internal} is not as WeasyPrint {WRITTEN_FOR}.x had it "
                         f"({type(error).__name__}: {error}); publisher's writers/pdf/weasy.py needs updating")


# Laying out (the documented API: HTML, CSS, FontConfiguration, URLFetcher, Document.write_pdf).

def load() -> None:
    """Import the parts of WeasyPrint used here (half a second's work): a worker's fork server does
    it once, before the first document arrives."""
    with _libraries_from_loader_cache():
        import weasyprint  # noqa: F401
        import weasyprint.formatting_structure.boxes  # noqa: F401
        import weasyprint.text.fonts  # noqa: F401
        import weasyprint.urls  # noqa: F401


@contextlib.contextmanager
def _libraries_from_loader_cache() -> Iterator[None]:
    """WeasyPrint opens Pango, HarfBuzz and the rest by trying several names each through ctypes'
    `find_library`, which runs `ldconfig -p`, then gcc and ld, for every name: 54 processes and
    0.15 CPU-s per import on Debian. While it imports, names are looked up in one reading of the
    loader's cache instead; a name not there is not found, and WeasyPrint goes on to the file name it
    also tries (libpango-1.0.so.0), which the loader resolves itself. Elsewhere (no ldconfig) nothing
    changes."""
    try:
        listing = subprocess.run([shutil.which("ldconfig") or "/sbin/ldconfig", "-p"], capture_output=True,
                                 text=True, timeout=10, env={**os.environ, "LC_ALL": "C", "LANG": "C"}).stdout
    except (OSError, subprocess.SubprocessError):
        listing = ""
    if not listing:
        yield
        return

    def find_library(name: str) -> str | None:
        found = re.search(rf"\s(lib{re.escape(name)}\.\S+) \(", listing)
        return found[1] if found else None

    original = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

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

    return ManuscriptFetcher


def manuscript_fetcher(resources: tuple[Resource, ...]):
    """A URL fetcher that serves these resources under BASE_URL and refuses every other URL."""
    return _fetcher_class()(resources)


# A worker sets hundreds of chapters with the same style sheets: parse them once per process.
_STYLESHEETS: dict[str, "CSS"] = {}


def _stylesheet(text: str) -> "CSS":
    from weasyprint import CSS

    if text not in _STYLESHEETS:
        if len(_STYLESHEETS) > 32:
            _STYLESHEETS.clear()
        _STYLESHEETS[text] = CSS(string=text)
    return _STYLESHEETS[text]


@functools.cache
def _font_config():
    """One font configuration per process: a new one per document leaks Pango and fontconfig memory."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def lay_out(document: bytes, css: tuple[str, ...], resources: tuple[Resource, ...],
            previous: "Document | None" = None, again: frozenset[int] = frozenset(),
            provisional: bool = False) -> "Document":
    """Lay an XHTML document out into pages (the slow step), loading only `resources`. Given the
    `previous` layout of a document that differs from this one only on the pages `again` (with the
    same style sheets and resources), its other pages are taken as they are where they begin as
    they did: only the pages from the first of `again` up to where the pages fall as before are set.
    Where that moves a page a contents page shows, the document is laid out whole, or, if the
    layout may be `provisional`, the contents page still shows the numbers it showed (`stale`)."""
    from weasyprint import HTML

    _install_hooks()
    _keep_lines_for((css, resources))
    html = HTML(string=document.decode("utf-8"), base_url=BASE_URL, url_fetcher=manuscript_fetcher(resources))
    run = _Run(_PAGINATIONS.get(previous) if previous is not None else None, again)
    token = _RUN.set(run)
    try:
        laid = html.render(stylesheets=[_stylesheet(text) for text in css], font_config=_font_config())
    finally:
        _RUN.reset(token)
    made, base = run.made, run.taken_from
    serves = made is not None and not any("target-text" in text for text in css)  # (no lookup of WeasyPrint's)
    if run.spoiled or made is None and base is not None and base.lookups:
        return lay_out(document, css, resources)  # a cross-reference's page may be wrong: lay it out whole
    if serves and made.lookups:
        made.shown = _anchor_pages(laid, made)
        if base is not None and base.lookups and made.shown != base.shown:
            if not provisional:
                return lay_out(document, css, resources)
            made.shown, made.stale = base.shown, True
    elif base is not None and base.lookups:
        return lay_out(document, css, resources)
    if serves:  # as the base of the next layout
        _PAGINATIONS[laid] = made
    return laid


def stale(document: "Document") -> bool:
    """Whether this provisional layout's contents pages show the pages of the layout it was taken
    from, not its own: its other pages are right, and it is never written."""
    pagination = _PAGINATIONS.get(document)
    return pagination is not None and pagination.stale


def _anchor_pages(document: "Document", pagination: "_Pagination") -> dict[str, tuple]:
    """Each anchor → the first page it is on (what target-counter shows) and that page's counters."""
    found: dict[str, tuple] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            found.setdefault(name, (number, pagination.states[number + 1][3][1]))
    return found


# Laying out again from the pages that change (internal: `layout.make_all_pages` and its
# `LayoutContext.page_maker`, the state before each page, which WeasyPrint keeps to remake pages
# when a counter changes, and `Box.copy`). A polish trial changes a few paragraphs of a chapter: the
# pages before them, and those after them once a page begins in the same state as before (the same
# place in the text, page side, counters and page group), are the pages already laid out. The two
# layouts then share those pages' boxes: what WeasyPrint sets on them after pagination (backgrounds,
# a repeated bookmark's label) it sets to what they held, so the previous layout is written as
# before (tests/test_reflow.py). A bookmarked heading broken across a taken page and a new one
# would be bookmarked twice (two parses of its element); a chapter's heading opens its page, unbroken.

@dataclass
class _Pagination:
    """A document's pages as WeasyPrint paginated them: the state before each page and after the
    last (`page_maker`), and each page's box with its children before the margin boxes were added."""

    states: list
    bare: list[tuple]  # (page box, its children, its root box's children)
    # The foot of the last page's content (`LayoutContext.page_bottom`), which the margin boxes of
    # every page are laid out with: a layout that takes the last page as it was takes this too.
    page_bottom: float
    initial_page_sizes: dict  # the first page's, which viewport units are relative to
    # The pages that show a cross-reference's page number (a contents page: target-counter). A
    # layout that takes them as they were is right only where every anchor is on its page as before;
    # one that sets them again would not know the anchors on pages it took: both are laid out whole.
    lookups: frozenset[int]
    counts_pages: bool  # a cross-reference shows the page count (counter(pages)): it changes with it
    carried_into: frozenset[int]  # the pages a note or a broken box was carried on to from the page before
    # Each page's margin boxes (running heads, folios), and the named strings they were made from:
    # the page of the same number in a layout taken from this one keeps them where its frame, its
    # state, the strings and page_bottom are as they were (`_make_margin_boxes`).
    margins: list[list] = field(default_factory=list)
    strings: dict | None = None
    # Where its contents pages (lookups) show each anchor: its own anchors' first pages, or, in a
    # provisional layout (`stale`), those of the layout it took the contents pages from.
    shown: dict | None = None
    stale: bool = False


@dataclass
class _Run:
    """One layout: what it may reuse (the pages of `base` but `again`), and what it made."""

    base: _Pagination | None
    again: frozenset[int]
    made: _Pagination | None = None
    taken: list = field(default_factory=list)  # the pages of `base` it may take (bare copies), by index
    taken_from: _Pagination | None = None
    strings: dict | None = None  # the named strings its pages set, read once all are laid out
    spoiled: bool = False  # it set a page showing a cross-reference again, or paginated twice: lay it out whole
    line_styles: dict = field(default_factory=dict)  # id(style) → (style, what breaking a line reads of it)


_PAGINATIONS: "weakref.WeakKeyDictionary[Document, _Pagination]" = weakref.WeakKeyDictionary()
_RUN: contextvars.ContextVar[_Run | None] = contextvars.ContextVar("publisher_layout_run", default=None)


def _make_all_pages(context, root_box, html, pages):
    """WeasyPrint's `make_all_pages`, first given the pages to reuse. What it made serves as a
    base where nothing but the pages' own states runs from one page into the next (no running
    element, no cross-reference other than in `content`), and the notes and broken boxes carried
    on to a next page, which that state does not hold, are noted with their pages."""
    from weasyprint.layout.page import make_all_pages, set_page_type_computed_styles

    run = _RUN.get()
    if run is None:
        yield from make_all_pages(context, root_box, html, pages)
        return
    base, taken = run.base, []
    if run.taken_from is not None:
        run.spoiled = True  # WeasyPrint paginates again (a cross-reference changed): pages taken may be wrong
    if base is not None and not pages:
        # A page that carried a note or a box on to the next is set again too: WeasyPrint hands what a
        # page carries only from a page it sets (and ends where a page taken ends the text).
        context.page_maker = [
            (*copy.deepcopy(state[:4]), {"content_changed": index in run.again or index + 1 in base.carried_into,
                                         "pages_wanted": False, "anchors": [], "content_lookups": []})
            for index, state in enumerate(base.states)]
        pages = taken = run.taken = [_bare_copy(*bare) for bare in base.bare]
        run.taken_from = base
        for page in pages:  # the margin boxes of a page taken as it was are made with this context's styles
            set_page_type_computed_styles(page.page_type, html, context.style_for)
        context.style_for.initial_page_sizes.update(base.initial_page_sizes)
        run.base = None
    made, carried_into = [], set()
    for page in make_all_pages(context, root_box, html, pages):
        number = len(made)
        carried = bool(context.broken_out_of_flow or context.reported_footnotes)
        if carried:
            carried_into.add(number + 1)
        set_again = number >= len(taken) or page is not taken[number]
        # A note or box carried on to the next page is not in the state WeasyPrint compares: the
        # page after one set again is set again where either layout carried something into it.
        if (carried or set_again and run.taken_from is not None and number + 1 in run.taken_from.carried_into) \
                and number + 1 < len(context.page_maker):
            context.page_maker[number + 1][-1]["content_changed"] = True
        made.append(page)
        yield page
    if taken and made and made[-1] is taken[min(len(made), len(taken)) - 1]:
        context.page_bottom = base.page_bottom
    remade = {number for number, page in enumerate(made) if number >= len(taken) or page is not taken[number]}
    lookups = {number for number, state in enumerate(context.page_maker[:len(made)]) if state[-1]["content_lookups"]}
    if base is not None:
        # A page set here that shows a cross-reference knows no anchor on a page taken: it may be wrong.
        run.spoiled = run.spoiled or bool(lookups) or base.counts_pages and len(made) != len(base.bare)
        lookups |= base.lookups - remade
    alone = not any(values for names in context.running_elements.values() for values in names.values()) \
        and all(token == "content" for _, token in context.target_collector.counter_lookup_items)
    run.made = _Pagination(context.page_maker, [(page, page.children, page.children[0].children) for page in made],
                           context.page_bottom, dict(context.style_for.initial_page_sizes),
                           frozenset(lookups), _counts_pages(context), frozenset(carried_into)) if alone else None


def _counts_pages(context) -> bool:
    """Whether a cross-reference of the layout shows the page count (counter(pages))."""
    return any("pages" in item.missing_counters or any("pages" in names for names in item.missing_target_counters.values())
               for item in context.target_collector.counter_lookup_items.values())


def _make_margin_boxes(context, page, state):
    """WeasyPrint's `make_margin_boxes`, but for a page whose margin boxes the layout it was taken
    from made for its page of the same number, where nothing they are made from changed (the page's
    type and frame, its state, the named strings, the foot of the last page): its running head and
    folio, even on a page set again. What it made is kept with the pagination."""
    from weasyprint.layout.page import make_margin_boxes

    run = _RUN.get()
    if run is None:
        yield from make_margin_boxes(context, page, state)
        return
    index, base = context.current_page - 1, run.taken_from
    if run.strings is None:
        run.strings = {name: {number: tuple(values) for number, values in pages.items() if values}
                       for name, pages in context.string_set.items()}
    if base is not None and index < len(base.margins) and _same_frame(page, base.bare[index][0]) \
            and state == base.states[index + 1][3] and run.strings == base.strings \
            and context.page_bottom == base.page_bottom:
        boxes = base.margins[index]
    else:
        boxes = list(make_margin_boxes(context, page, state))
    if run.made is not None and index == len(run.made.margins):
        run.made.strings = run.strings
        run.made.margins.append(boxes)
    yield from boxes


def _same_frame(page, before) -> bool:
    """Whether two page boxes have the same type (side, number, name, blank or first) and the same
    margins and border box, which their margin boxes are laid out in."""
    return page is before or page.page_type == before.page_type and (
        page.margin_top, page.margin_right, page.margin_bottom, page.margin_left,
        page.border_width(), page.border_height()) == (
        before.margin_top, before.margin_right, before.margin_bottom, before.margin_left,
        before.border_width(), before.border_height())


# A line broken in one layout breaks the same way in the next (internal: `layout.inline`'s
# `split_first_line`, `text.line_break`'s style reads): a polish trial sets again pages whose
# paragraphs are mostly as they were, one line further on. Each line is kept under its text and
# everything WeasyPrint reads to break it, for layouts with the same style sheets and resources
# (the fonts they load). Its Pango layout is WeasyPrint's deactivated one (text and measures:
# drawing sets it up again with its box's style); each box gets a copy, since drawing an
# ellipsis rewrites the text of its own.
_LINE_STYLE = ("font_family", "font_style", "font_stretch", "font_weight", "font_size", "font_kerning",
               "font_language_override", "font_feature_settings", "font_variation_settings",
               "font_variant_alternates", "font_variant_caps", "font_variant_east_asian", "font_variant_ligatures",
               "font_variant_numeric", "font_variant_position", "lang", "direction", "letter_spacing",
               "word_spacing", "line_height", "white_space", "tab_size", "overflow_wrap", "word_break",
               "hyphens", "hyphenate_character", "hyphenate_limit_chars", "hyphenate_limit_zone",
               "text_decoration_line")
# Each key holds the rest of its paragraph: at most this much text is kept (a few MiB).
MOST_CHARACTERS_KEPT = 2_000_000


@dataclass
class _Lines:
    sheets: tuple = ()  # the style sheets and resources of the layouts the lines come from
    found: dict[tuple, tuple] = field(default_factory=dict)
    characters: int = 0


_LINES = _Lines()


def forget_lines() -> None:
    """Let go of the lines kept from earlier layouts (another document's are of no use)."""
    _LINES.found.clear()
    _LINES.characters = 0


def _keep_lines_for(sheets: tuple) -> None:
    """Lines kept from layouts with other style sheets or resources may not break alike: let them go."""
    if _LINES.sheets != sheets:
        forget_lines()
        _LINES.sheets = sheets


def _split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
    """WeasyPrint's `split_first_line`, or, in a layout of ours, the line as an earlier layout broke it."""
    from weasyprint.text.line_break import split_first_line

    run = _RUN.get()
    known = run.line_styles.get(id(style)) if run is not None else None
    if run is not None and known is None:  # read once per style: a paragraph's lines share it
        values = (id(style.font_config), *(style[name] for name in _LINE_STYLE))
        try:
            hash(values)
        except TypeError:  # a value that cannot be a key: these lines are broken anew
            values = None
        known = run.line_styles[id(style)] = (style, values)
    if known is None or known[1] is None:
        return split_first_line(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    key = (text, max_width, justification_spacing, is_line_start, minimum, known[1])
    found = _LINES.found.get(key)
    if found is None:
        found = split_first_line(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        if _LINES.characters + len(text) > MOST_CHARACTERS_KEPT:
            forget_lines()
        _LINES.found[key] = (copy.copy(found[0]), *found[1:])
        _LINES.characters += len(text)
        return found
    return (copy.copy(found[0]), *found[1:])


def _bare_copy(page, children, root_children):
    """A page box as it was before its margin boxes were added, sharing its content's boxes."""
    bare, root = page.copy(), children[0].copy()
    root.children = list(root_children)
    bare.children = (root, *children[1:])
    return bare


def _install_hooks() -> None:
    """Put `_make_all_pages` and `_make_margin_boxes` where `layout_document` calls them, and
    `_split_first_line` where `layout.inline` does (WeasyPrint's own stay in `layout.page` and
    `text.line_break`): without a run of ours each is WeasyPrint's."""
    import weasyprint.layout

    weasyprint.layout.make_all_pages = _make_all_pages
    weasyprint.layout.make_margin_boxes = _make_margin_boxes
    weasyprint.layout.inline.split_first_line = _split_first_line


def write_pdf(document: "Document", identifier: bytes | None = None, variant: str | None = None) -> bytes:
    """The document's PDF. A provisional layout is only ever judged: writing one would be a bug."""
    if stale(document):
        raise ValueError("a provisional layout's contents pages show another layout's page numbers")
    return document.write_pdf(pdf_identifier=identifier, pdf_variant=variant)


def html_to_pdf(document: str, css: str, identifier: bytes) -> bytes:
    """A small standalone HTML document (a cover) set and written in one step."""
    from weasyprint import CSS, HTML

    return HTML(string=document).write_pdf(stylesheets=[CSS(string=css)], pdf_identifier=identifier)


# The box tree of a laid-out page (internal: Page._page_box, formatting_structure.boxes).

# ("text", block key, block element, line, text) for a piece of the book's text on a page;
# ("break", None, None, None, "") for a scene-break ornament.
BodyItem = tuple[str, "str | None", object, "int | None", str]


def page_bodies(document: "Document") -> list[list[BodyItem]]:
    """Each page's body in reading order. A block is an element with a data-block attribute (its
    key); running heads, folios, footnotes and generated text (::before, ::after) are not the body,
    a paragraph's first line or letter set apart (::first-line, ::first-letter) is."""
    try:
        from weasyprint.formatting_structure import boxes

        return [list(_body(page._page_box, boxes)) for page in document.pages]
    except (ImportError, AttributeError) as error:
        raise WeasyPrintChanged("Page._page_box or formatting_structure.boxes", error) from error


def _body(page_box, boxes) -> Iterator[BodyItem]:
    def walk(box, key, block, line):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return
        element = box.element
        if box.element_tag == "hr" and "scene-break" in (element.get("class") or "").split():
            yield "break", None, None, None, ""
            return
        if "::" in (box.element_tag or "") and not box.element_tag.endswith(("::first-line", "::first-letter")):
            return  # generated text (::before, ::after, a marker); a first line is the block's own
        if element is not None and element.get("data-block") and not isinstance(box, boxes.TextBox):
            key, block = element.get("data-block"), element
        if isinstance(box, boxes.LineBox) and line is None:  # the outer one: ::first-line nests another
            line = id(box)
        if isinstance(box, boxes.TextBox):
            if box.text.strip():
                yield "text", key, block, line, box.text
            return
        for child in getattr(box, "children", ()):
            yield from walk(child, key, block, line)
    yield from walk(page_box, None, None, None)


def lines_within(document: "Document", class_name: str) -> list[set[int]]:
    """Each page's lines (by the line ids page_bodies gives) inside an element of this class."""
    try:
        from weasyprint.formatting_structure import boxes

        def walk(box, inside, found):
            if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
                return found
            element = box.element
            if element is not None and not isinstance(box, boxes.TextBox) \
                    and class_name in (element.get("class") or "").split():
                inside = True
            if isinstance(box, boxes.LineBox):
                if inside:
                    found.add(id(box))
                return found
            for child in getattr(box, "children", ()):
                walk(child, inside, found)
            return found

        return [walk(page._page_box, False, set()) for page in document.pages]
    except (ImportError, AttributeError) as error:
        raise WeasyPrintChanged("Page._page_box or formatting_structure.boxes", error) from error


def breakable_blocks(document: "Document", page: int) -> dict[str, tuple[int, int]]:
    """The blocks on a page that a page may break inside (not `break-inside: avoid`), each with its
    `orphans` and `widows`: the fewest lines it leaves before and after such a break."""
    try:
        from weasyprint.formatting_structure import boxes

        def walk(box, found):
            if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox, boxes.LineBox)) \
                    or box.style["break_inside"] in ("avoid", "avoid-page"):
                return found  # nor inside what it holds
            element = box.element
            if element is not None and element.get("data-block") and isinstance(box, boxes.BlockBox):
                found[element.get("data-block")] = (box.style["orphans"], box.style["widows"])
            for child in getattr(box, "children", ()):
                walk(child, found)
            return found

        return walk(document.pages[page]._page_box, {})
    except (ImportError, AttributeError, KeyError) as error:
        raise WeasyPrintChanged("BlockBox style orphans, widows, break_inside", error) from error


def line_bottoms(document: "Document") -> list[dict[int, float]]:
    """Each page's lines of body text (by the line ids page_bodies gives), pictures and footnotes'
    lines → their bottom, in CSS pixels from the top of the page: what is drawn lowest on a page of
    text, notes included (a page whose notes reach the foot is full)."""
    try:
        from weasyprint.formatting_structure import boxes

        def walk(box, found):
            if isinstance(box, boxes.MarginBox):
                return found
            if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
                found[id(box)] = box.position_y + box.height
                return found
            for child in getattr(box, "children", ()):
                walk(child, found)
            return found

        return [walk(page._page_box, {}) for page in document.pages]
    except (ImportError, AttributeError) as error:
        raise WeasyPrintChanged("LineBox/ReplacedBox position_y or height", error) from error


# Font objects (internal: Document.fonts, Font attributes, get_hb_object_data).

def font_files(document: "Document") -> Iterator[tuple[str, bytes, int]]:
    """(PDF BaseFont, original font file, face index) of each plain vector font the written PDF embeds:
    the fonts whose subsets a merge may combine. Call after write_pdf, which fills Document.fonts."""
    try:
        from weasyprint.text.fonts import get_hb_object_data

        for font in document.fonts.values():
            if font.bitmap or font.missing or font.used_in_forms or font.png or font.svg or font.colr \
                    or "fvar" in font.tables:
                continue
            yield font.name.decode()[1:], get_hb_object_data(font.hb_face), font.index
    except (ImportError, AttributeError) as error:
        raise WeasyPrintChanged("Document.fonts, Font attributes or get_hb_object_data", error) from error


# The shape of WeasyPrint's PDFs: named destinations, and fonts as Type0 Identity-H subsets that keep
# the original glyph ids (HarfBuzz RETAIN_GIDS), so one subset of the union serves every document.

def destination(pdf: Pdf, name: str) -> tuple[int, float, float] | None:
    """(page index, left, top) of the anchor `name` (an element id), from the named destinations."""
    if "/Names" not in pdf.Root or "/Dests" not in pdf.Root.Names:
        return None
    tree = pikepdf.NameTree(pdf.Root.Names.Dests)
    if name not in tree:
        return None
    target = tree[name]  # [page /XYZ left top zoom]
    return pikepdf.Page(target[0]).index, target[2], target[3]


_TAKEN = "/PublisherFace"  # stands in a document's /Font dictionary for a subset taken out


class FontMerge:
    """One subset per face for a book merged from documents that each embed their own subsets.

    `take(source)` reads a document's glyphs, then takes its subsets out before its pages are
    copied (copied, every document's subsets stayed in memory until the book was saved: 56 MiB of
    War and Peace's merge); `finish()` cuts one subset of the union per face and puts it where
    they were. `cutter(base_font)` gives a function that cuts that face's glyphs from its original
    file, or None where it cannot (no original: that face keeps each document's subset)."""

    def __init__(self, merged: Pdf, cutter: Callable[[str], Callable[[list[int]], bytes | None] | None]):
        self.merged, self.cutter = merged, cutter
        self.cuts: dict[str, Callable[[list[int]], bytes | None] | None] = {}
        self.fonts: dict[str, pikepdf.Object] = {}  # face → its font in `merged`, as the first document had it
        self.widths: dict[str, dict[int, float]] = defaultdict(dict)
        self.unicode: dict[str, dict[int, bytes]] = defaultdict(dict)

    def take(self, source: Pdf) -> None:
        read: set = set()
        for holder in _font_dictionaries(source):
            for key, font in list(holder.items()):
                name = str(font.get("/BaseFont", "/"))[1:]
                if not font.is_indirect or not self._cuttable(name, font):
                    continue
                if font.objgen not in read:
                    read.add(font.objgen)
                    self.widths[name] |= glyph_widths(font.DescendantFonts[0].get("/W", []))
                    # The first text set with a glyph names it, as when WeasyPrint sets the whole book.
                    self.unicode[name] = glyph_text(font.ToUnicode.read_bytes()) | self.unicode[name]
                    if name not in self.fonts:
                        self.fonts[name] = self.merged.copy_foreign(font)
                holder[key] = pikepdf.Dictionary({_TAKEN: Name("/" + name)})

    def _cuttable(self, name: str, font) -> bool:
        if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
            return False
        if name not in self.cuts:
            cut = self.cutter(name)
            self.cuts[name] = cut if cut is not None and cut([0]) is not None else None
        return self.cuts[name] is not None

    def finish(self) -> None:
        for name, font in self.fonts.items():
            widths, unicode = self.widths[name], self.unicode[name]
            data = self.cuts[name](sorted(set(widths) | set(unicode)))
            if data is None:
                raise RuntimeError(f"HarfBuzz cut {name} for one glyph but not for the book's {len(widths)}")
            descendant = font.DescendantFonts[0]
            descriptor = descendant.FontDescriptor
            file_key = Name.FontFile3 if "/FontFile3" in descriptor else Name.FontFile2
            font_file = self.merged.make_stream(data)
            if file_key == Name.FontFile3:
                font_file.Subtype = Name.OpenType
            else:
                font_file.Length1 = len(data)
            descriptor[file_key] = font_file
            descendant.W = _width_array(widths)
            font.ToUnicode = self.merged.make_stream(_cmap(unicode))
        for holder in _font_dictionaries(self.merged):
            for key, font in list(holder.items()):
                if isinstance(font, pikepdf.Dictionary) and _TAKEN in font:
                    holder[key] = self.fonts[str(font[_TAKEN])[1:]]


def _font_dictionaries(pdf: Pdf) -> Iterator[pikepdf.Dictionary]:
    """Each /Font resource dictionary of the pages and of the forms they draw, once."""
    seen: set = set()

    def walk(resources):
        fonts = resources.get("/Font")
        if fonts is not None and fonts.objgen not in seen:
            if fonts.is_indirect:
                seen.add(fonts.objgen)
            yield fonts
        for form in (resources.get("/XObject") or {}).values():
            if form.get("/Subtype") == "/Form" and "/Resources" in form and form.objgen not in seen:
                seen.add(form.objgen)
                yield from walk(form.Resources)

    for page in pdf.pages:
        if "/Resources" in page.obj:
            yield from walk(page.obj.Resources)


def glyph_widths(array) -> dict[int, float]:
    """A CIDFont's /W array → width by glyph id (both forms: `c [w1 w2…]` and `c_first c_last w`)."""
    widths, items, i = {}, list(array), 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], Array):
            for offset, width in enumerate(items[i + 1]):
                widths[first + offset] = float(width)
            i += 2
        else:
            for gid in range(first, int(items[i + 1]) + 1):
                widths[gid] = float(items[i + 2])
            i += 3
    return widths


def _width_array(widths: dict[int, float]) -> Array:
    array, run = [], None
    for gid in sorted(widths):
        if gid - 1 not in widths:
            run = []
            array += [gid, run]
        value = widths[gid]
        run.append(int(value) if value == int(value) else value)
    return Array([Array(item) if isinstance(item, list) else item for item in array])


def glyph_text(cmap: bytes) -> dict[int, bytes]:
    """A ToUnicode CMap as WeasyPrint writes it (bfchar entries) → UTF-16BE hex text by glyph id."""
    body = cmap.split(b"endcodespacerange", 1)[-1]
    return {int(gid, 16): text for gid, text in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", body)}


def _cmap(unicode: dict[int, bytes]) -> bytes:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(unicode.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (gid, text) for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
