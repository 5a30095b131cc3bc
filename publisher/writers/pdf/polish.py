"""A laid-out document → the small changes to its XHTML that mend its typographic faults.

A compositor's pass after layout, on the lines WeasyPrint set: a word hyphenated at the foot of a
page (the reader turns the leaf mid-word), a third hyphenated line in a row (a ladder), facing
pages that end on different baselines, a chapter's last page of one or two lines, a paragraph
ending in one short word alone, a line WeasyPrint ended early with its paragraph going on below (a
stray line). The mends are local and never change the words: the hyphenated word is kept whole
(`hyphens: manual` on it); a paragraph is tracked a hair tighter (polish.css) to pull back its last
line (a word left alone, lines enough to empty a chapter's last page) or to set it again without
its stray line; the shorter page of a spread a line apart gets its line back from a paragraph on it
tracked a hair looser, which fills the page and leaves the next where it was; where no paragraph
there can give one, the leading of the paragraphs set wholly on that page is opened by a hair, so
that its last baseline comes down to its facing page's (LaTeX's flushbottom; the page keeps its
lines); where neither can, the longer page is given a line less (a bottom padding, the folio
unmoved), so both run short together. Two lines apart (a paragraph that could not be split), the
leading alone may fill the shorter page; else the longer runs a line short, and the spread, a line
apart then, is mended as above the round after.
The setter lays the document out again with them and keeps the new layout only if it has fewer
faults and no more stray lines (tracking makes WeasyPrint end a line early more often); otherwise
the pages stay as they were.
"""
from __future__ import annotations

import copy
import weakref
from collections import Counter
from dataclasses import dataclass

from lxml import etree

from ... import html
from . import weasy
from .documents import template

POLISH_CSS = template("polish.css")
ROUNDS = 3  # rounds of trials at most (a third lets a stray line mended by tracking have its spread filled)
AUTO_HYPHEN = "\u2010"  # what WeasyPrint adds where it hyphenates a word
SHORT_WORD = 4  # a paragraph's last line of one word shorter than this many letters looks stranded
SHORT_PAGE = 3  # a chapter's last page with fewer lines looks like an accident
PULLED_PER_LINE = 1.5  # characters a line tracked tighter gives back, about (polish.css)
# How far short of full a paragraph's last line may be, in characters per line of the paragraph,
# for tracking it looser to be worth a try: a choice, not a measure (on Pride and Prejudice 2 and 3
# left 14 and 13 spreads unbalanced).
PUSHED_PER_LINE = 3.0
# At most this share of the line pitch is added to the leading of a page's paragraphs to bring its
# last baseline down a line: about 1.2 px at 20 px (a choice; the lines of a 37-line page with 17
# or more of them in paragraphs wholly on it).
STRETCH_LEADING = 0.06
STRETCH_SPARE = 0.5  # CSS pixels the stretched page stops short of its facing page, so nothing overflows
STRAY_LINE = 0.5  # a line under this share of a full line's characters, its paragraph going on after, is stray
TURNED = "data-turned-spreads"
RUNNING_TEXT = "chapter-body"  # the class of the element around a chapter's (or a foreword's) text
KEEP_WORD, TIGHTEN, LOOSEN, SHORTENED = "data-keep-word", "data-tighten", "data-loosen", "data-shortened-pages"


@dataclass(frozen=True)
class Line:
    """A line of a block of text, in reading order: its block's key, where it starts in the block's
    text (whitespace collapsed), its text, and its page (0: the document's first, a recto)."""

    key: str
    start: int
    text: str
    page: int
    bottom: float = 0.0  # CSS pixels from the top of its page
    continues: bool = False  # it begins with the end of a word hyphenated on the line before
    ragged: bool = False  # its block is no paragraph (a cell, code) or breaks where the text says (a verse)

    @property
    def hyphenated(self) -> bool:
        return self.text.endswith(AUTO_HYPHEN)

    def word_starts(self) -> list[int]:
        """Where each of the line's words starts in its block's text (not the end of a word begun
        on the line before)."""
        starts, position = [], self.start
        for word in self.text.rstrip(AUTO_HYPHEN).split(" "):
            starts.append(position)
            position += len(word) + 1
        return starts[1:] if self.continues and len(starts) > 1 else starts


@dataclass(frozen=True)
class Fill:
    """A spread's shorter page, to bring down to its facing page's last baseline with the lines it
    has: a paragraph on it tracked looser pushes out a line (`last_lines`: of the paragraphs that
    may, best first), or else the paragraphs set wholly on it take a line height a hair more open
    (`leading`: (block key, line height in CSS pixels) each)."""

    last_lines: tuple[Line, ...] = ()
    leading: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Faults:
    """What is wrong on a document's pages, and the mends for it."""

    recto_feet: tuple[Line, ...] = ()  # hyphenated last lines of rectos
    verso_feet: tuple[Line, ...] = ()  # … of versos
    ladders: tuple[tuple[Line, ...], ...] = ()  # runs of three or more hyphenated lines
    short_last_lines: tuple[Line, ...] = ()  # a paragraph's last line, one short word
    unbalanced_spreads: tuple[tuple[int, int], ...] = ()  # per spread: (its longer page, lines to shorten it by)
    short_last_pages: tuple[tuple[Line, ...], ...] = ()  # per chapter: paragraphs to pull back a line each
    fills: tuple[Fill, ...] = ()  # the shorter pages of spreads a line apart, and how to fill them
    # The longer pages of spreads two lines apart that no leading fills: each runs a line short,
    # which leaves its spread a line apart, to fill the round after (a verso's recto runs as short).
    two_apart: tuple[int, ...] = ()
    pitch: float = 0.0  # the body's line pitch, CSS pixels
    not_running: frozenset[int] = frozenset()  # pages that open or end a chapter, or hold no running text
    # Lines far short of the measure that their paragraph (not a verse) goes on after: WeasyPrint
    # now and then breaks a line early (more often in a tracked paragraph, or before a word wrapped
    # in a span: its issue 1614, inline boxes taken for word boundaries). A mend may add none.
    stray_lines: tuple[Line, ...] = ()

    @property
    def score(self) -> int:
        """Worse the higher: a recto's hyphenated foot and a stray line cost the most, a short last
        line the least."""
        return 8 * (len(self.recto_feet) + len(self.stray_lines)) + 4 * len(self.verso_feet) \
            + 3 * len(self.ladders) + 2 * len(self.unbalanced_spreads) + 2 * len(self.short_last_pages) \
            + len(self.short_last_lines)

    @property
    def first_page(self) -> int:
        """The first page with a hyphenation fault (a hyphenated foot, a ladder); a large number
        when there is none."""
        pages = [line.page for line in self.recto_feet + self.verso_feet] + [run[0].page for run in self.ladders]
        return min(pages, default=1 << 30)

    def local(self) -> "Faults":
        """These faults' hyphenated page feet and ladders, the mends most worth keeping, the
        spreads whose shorter page is filled (which leaves the next page as it was), and the spreads
        two lines apart whose longer page runs a line short (a step the round after finishes): the
        mends made first, before those that pull lines back through the chapter."""
        return Faults(self.recto_feet, self.verso_feet, self.ladders, fills=self.fills, two_apart=self.two_apart,
                      pitch=self.pitch, not_running=self.not_running)

    def mends(self) -> tuple[list[tuple[str, int]], list[str], list[Fill], list[tuple[int, float]]]:
        """(words to keep whole, as (block key, start)), (blocks to tighten), (pages to fill, with
        no paragraph to tighten among those to loosen), (pages to shorten, by CSS pixels)."""
        # A page's last line is kept from hyphenating any of its words, so it cannot end in another;
        # all but the word it begins with, which cannot end it and which, wrapped, makes WeasyPrint
        # break the line before early (on Pride and Prejudice, "a" alone on a line in chapter 57).
        keep = [(line.key, start) for line in self.recto_feet + self.verso_feet for start in line.word_starts()
                if start != line.start]
        keep += [(run[2].key, run[2].word_starts()[-1]) for run in self.ladders]
        tighten = [line.key for line in self.stray_lines + self.short_last_lines]
        tighten += [line.key for candidates in self.short_last_pages for line in candidates]
        # A page's leading is worked out for the lines its paragraphs have: not with one of them tracked.
        touched = set(tighten) | {key for key, _ in keep}
        fills = [Fill(tuple(line for line in fill.last_lines if line.key not in tighten),
                      () if touched & {key for key, _ in fill.leading} else fill.leading)
                 for fill in self.fills]
        shorten = [(page, lines * self.pitch) for page, lines in self.unbalanced_spreads if lines]
        return keep, tighten, fills, shorten + [(page, self.pitch) for page in self.two_apart]


def _collapse(text: str) -> str:
    return " ".join(text.split())


# A layout's lines, read once: the setter asks for them to judge a trial, to find what it changed
# (reflow) and to say where each page begins.
_LINES: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


def lines(document, running_only: bool = False) -> tuple[list[Line], list[dict[int, float]]]:
    """Every line of the body's text (`running_only`: of running text, a chapter's or a foreword's,
    not the title page's or the contents'), in reading order, with where it starts in its block;
    and the bottom of every line of each page's body (text, pictures, ornaments)."""
    read = _LINES.setdefault(document, {})
    if running_only not in read:
        read[running_only] = _read_lines(document, running_only)
    return read[running_only]


def _read_lines(document, running_only: bool) -> tuple[list[Line], list[dict[int, float]]]:
    found: list[Line] = []
    cursors: dict[str, tuple[str, int]] = {}  # block key → (its collapsed text, characters consumed)
    last: dict[str, Line] = {}  # block key → its line before
    ragged: set[str] = set()
    bottoms = weasy.line_bottoms(document)
    running = weasy.lines_within(document, RUNNING_TEXT) if running_only else None
    for page, items in enumerate(weasy.page_bodies(document)):
        pieces: dict[int, list] = {}  # line id → [key, element, texts]
        for kind, key, element, line, text in items:
            if kind == "text" and key and line is not None and (running is None or line in running[page]):
                pieces.setdefault(line, [key, element, []])[2].append(text)
        for line_id, (key, element, texts) in pieces.items():
            if key not in cursors:
                cursors[key] = (_collapse("".join(element.itertext())), 0)
                if _tag(element) != "p" or any(_tag(child) == "br" for child in element.iter()):
                    ragged.add(key)
            full, cursor = cursors[key]
            text = _collapse("".join(texts))
            piece = text.rstrip(AUTO_HYPHEN + "-")
            found_at = full.find(piece, cursor) if piece else -1
            start = found_at if found_at >= 0 else cursor
            cursors[key] = (full, start + len(piece))
            before = last.get(key)
            found.append(Line(key, start, text, page, bottoms[page].get(line_id, 0.0),
                              before is not None and before.hyphenated, key in ragged))
            last[key] = found[-1]
    return found, bottoms


def _tag(element) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def faults(document) -> Faults:
    """The faults of a laid-out document whose first page is a recto."""
    body, bottoms = lines(document, running_only=True)
    recto_feet, verso_feet, short = [], [], []
    for number, line in enumerate(body):
        following = body[number + 1] if number + 1 < len(body) else None
        if line.hyphenated and (following is None or following.page != line.page):
            (verso_feet if line.page % 2 else recto_feet).append(line)
        if following is None or following.key != line.key:
            words = line.text.split()
            starts_block = number == 0 or body[number - 1].key != line.key
            if len(words) == 1 and not starts_block and sum(c.isalpha() for c in words[0]) < SHORT_WORD:
                short.append(line)
    pitch, full = _pitch(body), _full_line(body)
    stray = tuple(line for line, following in zip(body, body[1:])
                  if following.key == line.key and not line.ragged and len(line.text) < STRAY_LINE * full)
    sections: dict[str, list[Line]] = {}  # a chapter's (or a foreword's) lines, by section id
    for line in body:
        sections.setdefault(line.key.rsplit(":", 1)[0], []).append(line)
    ends = {end for lines in sections.values() for end in (lines[0].page, lines[-1].page)}
    running = {line.page for line in body} - ends
    lines_of: Counter = Counter(line.key for line in body)  # each paragraph's lines
    last = {line.page: line.bottom for line in body}  # the bottom of each page's last line
    apart, hollow = _unbalanced_spreads(last, bottoms, pitch, ends)
    spreads, fills, two_apart = _filled(body, apart, pitch, full, lines_of, last)
    return Faults(recto_feet=tuple(recto_feet), verso_feet=tuple(verso_feet), ladders=_ladders(body),
                  short_last_lines=tuple(short), unbalanced_spreads=spreads + tuple((page, 0) for page in hollow),
                  short_last_pages=_short_last_pages(body, sections, lines_of), fills=fills, two_apart=two_apart,
                  pitch=pitch,
                  not_running=frozenset(range(len(bottoms))) - running, stray_lines=stray)


def _ladders(body: list[Line]) -> tuple[tuple[Line, ...], ...]:
    ladders = []
    run: list[Line] = []
    for line in body + [None]:
        if line is not None and line.hyphenated and (not run or run[-1].key == line.key):
            run.append(line)
            continue
        if len(run) >= 3:
            ladders.append(tuple(run))
        run = [line] if line is not None and line.hyphenated else []
    return tuple(ladders)


def _pull_candidates(lines: list[Line], page: int, lines_of: dict[str, int]) -> list[Line]:
    """The last lines, on `page`, of paragraphs that tracking a hair tighter can most likely pull
    back a line (short last lines of long paragraphs), best first."""
    ends = [line for number, line in enumerate(lines[:-1])
            if line.page == page and lines[number + 1].key != line.key and lines_of[line.key] > 1
            and len(line.text) < PULLED_PER_LINE * (lines_of[line.key] - 1)]
    return sorted(ends, key=lambda line: len(line.text) / (lines_of[line.key] - 1))


def _pitch(body: list[Line]) -> float:
    """The commonest step from one line of a paragraph to the next on a page."""
    steps = Counter(round(b.bottom - a.bottom, 2) for a, b in zip(body, body[1:])
                    if a.key == b.key and a.page == b.page)
    return steps.most_common(1)[0][0] if steps else 0.0


def _unbalanced_spreads(last_text: dict[int, float], bottoms: list[dict[int, float]], pitch: float,
                        ends: set[int]) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """For each spread of running text whose pages end on different baselines, its longer page and
    how many lines apart they end; and the pages inside a chapter whose text or picture stops two
    lines or more above the others (hollow), faults left to the other mends, which may not make
    them. Running text: neither page opens or ends a chapter (`ends`), and each ends in a line of
    text (not a picture, an ornament, a heading). A designer keeps facing pages to one last
    baseline, or lets a spread run a line short together, the line going on over the leaf (a
    verso's goes to its recto, which is then shortened as much)."""
    if not pitch:
        return (), ()
    inside = [page for page in range(len(bottoms)) if page not in ends and page in last_text]

    def running(page: int) -> bool:
        return page not in ends and page in last_text and max(bottoms[page].values()) <= last_text[page] + 0.5

    spreads = [(verso, verso + 1) for verso in range(1, len(bottoms) - 1, 2) if running(verso) and running(verso + 1)]
    fulls = [round(last_text[page], 1) for spread in spreads for page in spread] \
        or [round(last_text[page], 1) for page in inside if running(page)]
    if not fulls:
        return (), ()
    full = Counter(fulls).most_common(1)[0][0]
    found = []
    for verso, recto in spreads:
        lines = round(abs(last_text[verso] - last_text[recto]) / pitch)
        if lines:
            found.append((verso if last_text[verso] > last_text[recto] else recto, lines))
    return tuple(found), tuple(page for page in inside if full - max(bottoms[page].values()) > 1.5 * pitch)


def _full_line(body: list[Line]) -> int:
    """A full line's characters, about: the upper quartile of lines that are not a paragraph's last."""
    lengths = sorted(len(line.text) for line, following in zip(body, body[1:]) if following.key == line.key)
    return lengths[len(lengths) * 3 // 4] if lengths else 0


def _filled(body: list[Line], apart: tuple[tuple[int, int], ...], pitch: float, full: int, lines_of: Counter,
            last: dict[int, float]) -> tuple[tuple[tuple[int, int], ...], tuple[Fill, ...], tuple[int, ...]]:
    """How to mend each unbalanced spread ((its longer page, lines apart)). A line apart, the
    shorter page can be filled instead of the longer shortened: a paragraph ending on it, nearly
    full in its last line, pushes out a line when tracked a hair looser (the page was short because
    what follows could not start on it, a widow or an orphan else: it has room for that line, and
    the next page begins as before), or else its paragraphs' leading opens. Two lines apart, only
    the leading can fill it; where it cannot, the longer page runs a line short, and the spread,
    a line apart then, is filled the round after. Returns the spreads as faults, (longer page,
    lines to shorten it by: 1 where a line apart cannot be filled, else 0); the fills, per spread
    to fill, the paragraphs that may, best first (mend loosens the first not tracked yet), and the
    leading that fills it where none is left; and the longer pages of spreads two lines apart that
    run a line short."""
    kept, fills, two_apart = [], [], []
    for page, lines in apart:
        shorter = page + 1 if page % 2 else page - 1  # the other page of its spread
        fill = Fill()
        if full and lines in (1, 2):
            leading = _opened_leading(body, shorter, lines_of, last[page] - last[shorter] - STRETCH_SPARE, pitch)
            fill = Fill(tuple(_push_candidates(body, shorter, lines_of, full)) if lines == 1 else (), leading)
        if fill.last_lines or fill.leading:
            kept.append((page, 0))
            fills.append(fill)
        else:
            kept.append((page, 1 if lines == 1 else 0))
            if lines == 2:
                two_apart.append(page)
    return tuple(kept), tuple(fills), tuple(two_apart)


def _opened_leading(body: list[Line], page: int, lines_of: Counter, pixels: float,
                    pitch: float) -> tuple[tuple[str, float], ...]:
    """The paragraphs set wholly on `page`, each at one line height (the body's pitch, or a hair
    more where an earlier round opened it), and the line heights that bring the page's last line
    `pixels` lower, if none is then more than STRETCH_LEADING of the pitch over it."""
    on_page = [line for line in body if line.page == page]
    steps: dict[str, list[float]] = {}  # a line box's height is the step from the line above's bottom
    for before, line in zip(on_page, on_page[1:]):
        steps.setdefault(line.key, []).append(line.bottom - before.bottom)
    # A paragraph that opens the page has a step fewer than lines: whole if it starts there.
    opening = on_page[0].key if on_page and on_page[0].start == 0 else None
    heights = {key: found[0] for key, found in steps.items()
               if len(found) + (key == opening) == lines_of[key] and max(found) - min(found) < 0.05
               and found[0] > pitch - 0.05}
    count = sum(lines_of[key] for key in heights)
    if not count or pixels <= 0:
        return ()
    opened = {key: height + pixels / count for key, height in heights.items()}
    if max(opened.values()) > pitch * (1 + STRETCH_LEADING):
        return ()
    return tuple(opened.items())


def _push_candidates(lines: list[Line], page: int, lines_of: dict[str, int], full: int) -> list[Line]:
    """The last lines, on `page`, of paragraphs that tracking a hair looser will most likely push
    out a line (nearly full last lines of long paragraphs), best first; a paragraph begun on the
    page before comes after those all on this one (its lines there are set again too)."""
    on_page = Counter(line.key for line in lines if line.page == page)
    ends = [line for number, line in enumerate(lines[:-1])
            if line.page == page and lines[number + 1].key != line.key and on_page[line.key] > 1
            and full - len(line.text) < PUSHED_PER_LINE * (lines_of[line.key] - 1)]
    return sorted(ends, key=lambda line: (on_page[line.key] < lines_of[line.key],
                                          (full - len(line.text)) / (lines_of[line.key] - 1)))


def _short_last_pages(body: list[Line], sections: dict[str, list[Line]],
                      lines_of: Counter) -> tuple[tuple[Line, ...], ...]:
    """For each chapter (section) whose last page holds one or two of its lines, paragraphs on its
    earlier pages to pull back a line each, two for each line to move."""
    found = []
    for lines in sections.values():
        last_page = lines[-1].page
        on_last = sum(line.page == last_page for line in lines)
        if on_last >= SHORT_PAGE or last_page == lines[0].page:
            continue
        ends = sorted((line for page in range(lines[0].page, last_page)
                       for line in _pull_candidates(lines, page, lines_of)),
                      key=lambda line: len(line.text) / (lines_of[line.key] - 1))
        if ends:
            found.append(tuple(ends[:2 * on_last]))
    return tuple(found)


def mend(document: bytes, found: Faults) -> bytes:
    """The XHTML with the mends for these faults marked (polish.css sets them)."""
    keep, tighten, fills, shorten = found.mends()
    root = etree.fromstring(document)
    if shorten or found.not_running:
        _shorten_pages(root, shorten, found.not_running)
    blocks = {element.get("data-block"): element for element in root.iter()
              if isinstance(element.tag, str) and element.get("data-block")}
    for key, start in keep:
        if key in blocks:
            _keep_word(blocks[key], start)
    for key in tighten:
        if key in blocks:
            blocks[key].set(TIGHTEN, "")
            blocks[key].attrib.pop(LOOSEN, None)
    for fill in fills:
        # One paragraph a page: the first not tracked yet (one loosened in vain before is passed over);
        # when none is left, the page's leading.
        key = next((line.key for line in fill.last_lines if line.key in blocks
                    and blocks[line.key].get(TIGHTEN) is None and blocks[line.key].get(LOOSEN) is None), None)
        if key is not None:
            blocks[key].set(LOOSEN, "")
        elif fill.leading and all(key in blocks for key, _ in fill.leading):
            for key, height in fill.leading:
                blocks[key].set("style", f"line-height: {height:.3f}px")
    return html.serialize(root)


def restore(document: bytes, before: bytes, keys: set[str]) -> bytes:
    """`document` with these blocks as `before` had them, mends and all (the pages last kept)."""
    root, kept = etree.fromstring(document), etree.fromstring(before)
    old = {element.get("data-block"): element for element in kept.iter()
           if isinstance(element.tag, str) and element.get("data-block") in keys}
    for element in [e for e in root.iter() if isinstance(e.tag, str) and e.get("data-block") in old]:
        if element.getparent() is not None:
            replacement = copy.deepcopy(old[element.get("data-block")])
            replacement.tail = element.tail
            element.getparent().replace(element, replacement)
    return html.serialize(root)


def _shorten_pages(root: etree._Element, shorten: list[tuple[int, float]], not_running: frozenset[int]) -> None:
    """Give these pages (index, CSS pixels) a bottom padding: fewer lines fit, the folio stays put.
    A spread is shortened once, and undone for good if other mends turn it; what was done is kept
    on the document's polish style element. A padding is set by page number: when other mends move
    the text so that it falls on a page that opens or ends a chapter, it is dropped."""
    head = root.find(f"{{{html.XHTML}}}head")
    style = shortened_style(root)
    if style is None:
        if not shorten:
            return
        style = etree.SubElement(head, f"{{{html.XHTML}}}style", {SHORTENED: "", TURNED: ""})
    padding = {page: pixels for page, pixels in shortened_pages(style).items() if page not in not_running}
    turned = {int(spread) for spread in style.get(TURNED).split()}
    for page, pixels in shorten:
        spread = (page + 1) // 2  # a verso (odd) and the recto after it
        shortened = [other for other in padding if (other + 1) // 2 == spread]
        if spread in turned:
            continue
        if not shortened:
            padding[page] = pixels
            if page % 2:  # a verso: its last line goes over to the recto, which must run as short
                padding[page + 1] = pixels
        elif page not in shortened or page % 2 == 0 and len(shortened) == 2:
            for other in shortened:  # other mends turned the spread: undone, for good
                del padding[other]
            turned.add(spread)
    style.set(SHORTENED, " ".join(f"{page}:{pixels:g}" for page, pixels in sorted(padding.items())))
    style.set(TURNED, " ".join(str(spread) for spread in sorted(turned)))
    # Never empty: an HTML parser reads a self-closed <style/> as opening a style that runs to the end.
    style.text = "".join(f"@page :nth({page + 1}) {{ padding-bottom: {pixels:g}px; }}\n"
                         for page, pixels in sorted(padding.items())) or "/* no page shortened */"


def shortened_style(root: etree._Element) -> etree._Element | None:
    """The style element in which the mends keep the pages they shortened, if any."""
    return root.find(f"{{{html.XHTML}}}head/{{{html.XHTML}}}style[@{SHORTENED}]")


def shortened_pages(style: etree._Element) -> dict[int, float]:
    """The pages that style element shortens (page index → bottom padding, CSS pixels)."""
    return {int(page): float(pixels) for page, pixels in (item.split(":") for item in style.get(SHORTENED).split())}


def _keep_word(block: etree._Element, start: int) -> None:
    """Wrap the word at `start` characters of the block's collapsed text in a span kept whole."""
    count, last_space = 0, True
    for node, attribute in _text_nodes(block):
        text = getattr(node, attribute) or ""
        for index, char in enumerate(text):
            if char.isspace():
                count += 0 if last_space else 1
                last_space = True
                continue
            if count == start:
                if not (attribute == "text" and node.get(KEEP_WORD) is not None):  # not kept already
                    _wrap(node, attribute, index)
                return
            count += 1
            last_space = False


def _text_nodes(element: etree._Element, top: bool = True):
    """(element, "text" or "tail") in reading order: an element's text, its children's, its tail."""
    yield element, "text"
    for child in element:
        yield from _text_nodes(child, False)
    if not top:
        yield element, "tail"


def _wrap(node: etree._Element, attribute: str, index: int) -> None:
    text = getattr(node, attribute)
    end = index
    while end < len(text) and not text[end].isspace():
        end += 1
    span = etree.Element(f"{{{html.XHTML}}}span", {KEEP_WORD: ""})
    span.text = text[index:end]
    setattr(node, attribute, text[:index])
    if attribute == "text":
        node.insert(0, span)
    else:
        node.addnext(span)
    span.tail = text[end:]
