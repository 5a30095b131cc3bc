"""A built print PDF → the typographic faults on its pages.

The pages are read with poppler's `pdftotext -bbox-layout` (one call for the whole book) and the
chapters from the PDF outline (pypdf). Everything is measured in PDF points from the top of the
page. What a newcomer must know is what is inferred rather than read:

- The body type size is the commonest line height, the line pitch the commonest distance between
  two such lines. A running head is the line (or two, when a long one wraps) at the top of a page,
  in its top tenth, set apart from the text below; a folio is a page's last line, in its bottom
  eighth, set apart, and one number.
  Lines under 0.825 of the body size that are not these are notes (footnotes, at 0.8 em); lines
  over 1.15 of it are display type (chapter heads, ornaments). The rest is the text.
- A word broken by hyphenation ends its line in the hyphenate character WeasyPrint sets (U+2010)
  or a soft hyphen; a compound broken at its own hyphen ends in "-" (U+002D) and is not counted,
  nor are en and em dashes. This holds while the source does not itself contain U+2010.
- Each outline entry without children opens a chapter (back matter and a foreword too); an
  entry with children is a part page. Pages before the first entry are front matter. Without an
  outline (`--profile kdp`), a chapter opens on a page with an arabic folio and no running head.
- A paragraph's last line is a text line short of the measure (justified lines fill it) that
  follows a full line of the same paragraph, one pitch above; verse and lists, set off the left
  edge, are passed over.
- A spread's last baselines are those of each page's last line of text, a footnote's included;
  they differ when they are half a pitch or more apart (an ornament's spacing is less).
- A stray break is a body line two ems or more short of the measure with a full line of text
  flush at the left edge one pitch below: a paragraph going on after a break nothing asked for
  (a new paragraph would be indented; one set flush follows a heading or an ornament, not a line).
"""
from __future__ import annotations

import io
import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

_XHTML = "{http://www.w3.org/1999/xhtml}"
HYPHENATION_BREAK = ("\u2010", "\u00ad")  # WeasyPrint's hyphenate character; a soft hyphen's break
_FOLIO = re.compile(r"[0-9]+|[ivxlcdm]+", re.IGNORECASE)
NOTE_SIZE, DISPLAY_SIZE = 0.825, 1.15  # of the body size: footnotes are 0.8 em, block quotes 0.95, tables 0.9
SHORT_WORD = 4  # a paragraph's last line of one word with fewer letters than this is a fault
SHORT_PAGE = 3  # a chapter's last page with fewer body lines than this is a fault
LADDER = 3  # this many consecutive hyphenated lines make a ladder


@dataclass(frozen=True)
class Line:
    """One line of type as set: its words, and its box in points from the top left of the page."""
    text: str
    left: float
    right: float
    top: float
    bottom: float

    @property
    def size(self) -> float:
        return self.bottom - self.top

    @property
    def hyphenated(self) -> bool:
        """Does it end in a word broken by hyphenation (not a dash, not a compound's own hyphen)?"""
        return self.text.endswith(HYPHENATION_BREAK)


@dataclass(frozen=True)
class Page:
    """A PDF page (numbered from 1: odd numbers are rectos) and its lines, head and folio apart."""
    number: int
    lines: tuple[Line, ...]  # the text block, top to bottom: body, display type and notes
    running_head: str = ""
    folio: str = ""

    @property
    def recto(self) -> bool:
        return self.number % 2 == 1


@dataclass(frozen=True)
class Chapter:
    """A chapter (or other section of running text) as the outline gives it: first and last page with text."""
    title: str
    first_page: int
    last_page: int


@dataclass(frozen=True)
class BookPages:
    """What the audit reads of a PDF: its pages, its chapters and the measures of its body type."""
    pages: tuple[Page, ...]
    chapters: tuple[Chapter, ...]
    body_size: float  # points
    pitch: float  # baseline to baseline of body lines, points
    measure: dict[bool, tuple[float, float]] = field(default_factory=dict)  # recto? → (left, right) of the text block

    def page(self, number: int) -> Page:
        return self.pages[number - 1]

    def body_lines(self, page: Page) -> list[Line]:
        """The page's text lines at about the body size (block quotes and tables too; no notes, no display type)."""
        return [line for line in page.lines
                if NOTE_SIZE * self.body_size <= line.size <= DISPLAY_SIZE * self.body_size]

    def running_pages(self) -> set[int]:
        """Pages of running text: inside a chapter, neither its opening nor its last page, not empty."""
        return {number for chapter in self.chapters for number in range(chapter.first_page + 1, chapter.last_page)
                if self.body_lines(self.page(number))}


@dataclass(frozen=True)
class HyphenatedPageEnd:
    """A page whose last body line ends in a hyphenated word that goes on overleaf (recto) or opposite (verso)."""
    page: int
    recto: bool
    word: str  # the part before the break, with its hyphen
    continued: str  # the next page's first word


@dataclass(frozen=True)
class Ladder:
    """A run of consecutive lines ending in hyphenated words, from `line` (counted from 1 in the text
    block, the running head left out) on `page`; a run may go on across a page turn."""
    page: int
    line: int
    lines: int


@dataclass(frozen=True)
class UnbalancedSpread:
    """Facing pages of running text whose last baselines differ: `lines` is the recto's last line
    below the verso's in body lines (negative: the verso runs longer), `points` the same in points."""
    verso: int
    recto: int
    lines: int
    points: float


@dataclass(frozen=True)
class ShortLastPage:
    """A chapter whose last page holds fewer than three body lines."""
    chapter: str
    page: int
    lines: int


@dataclass(frozen=True)
class ShortLastLine:
    """A paragraph ending in a line of one word of fewer than four letters."""
    page: int
    line: int  # counted from 1 in the text block, the running head left out
    word: str


@dataclass(frozen=True)
class StrayBreak:
    """A line that ends far short of the measure though its paragraph goes on below it, flush left
    and full: a break nothing asked for (WeasyPrint makes one now and then, more often in a
    paragraph tracked tighter or looser)."""
    page: int
    line: int  # counted from 1 in the text block, the running head left out
    text: str


@dataclass(frozen=True)
class PageAudit:
    """The faults of a book's pages, and what they are out of."""
    pages: int
    text_pages: int  # pages in chapters with body text
    text_spreads: int  # verso and recto both running text: neither opens nor ends a chapter
    hyphenated_page_ends: tuple[HyphenatedPageEnd, ...]
    ladders: tuple[Ladder, ...]
    unbalanced_spreads: tuple[UnbalancedSpread, ...]
    short_last_pages: tuple[ShortLastPage, ...]
    short_last_lines: tuple[ShortLastLine, ...]
    stray_breaks: tuple[StrayBreak, ...]

    def counts(self) -> dict[str, int]:
        """Each fault counted, with what it is out of: the figures a benchmark prints."""
        rectos = sum(end.recto for end in self.hyphenated_page_ends)
        return {"pages": self.pages, "text_pages": self.text_pages, "text_spreads": self.text_spreads,
                "unbalanced_spreads": len(self.unbalanced_spreads),
                "hyphenated_page_ends": len(self.hyphenated_page_ends),
                "hyphenated_rectos": rectos, "hyphenated_versos": len(self.hyphenated_page_ends) - rectos,
                "ladders": len(self.ladders), "short_last_pages": len(self.short_last_pages),
                "short_last_lines": len(self.short_last_lines), "stray_breaks": len(self.stray_breaks)}


def audit_pages(pdf: Path | bytes) -> PageAudit:
    """Every fault the audit knows on a built print PDF (a path or its bytes)."""
    book = read_pages(pdf)
    running = book.running_pages()
    return PageAudit(
        pages=len(book.pages),
        text_pages=sum(1 for chapter in book.chapters for number in range(chapter.first_page, chapter.last_page + 1)
                       if book.body_lines(book.page(number))),
        text_spreads=sum(1 for number in running if number % 2 == 0 and number + 1 in running),
        hyphenated_page_ends=hyphenated_page_ends(book),
        ladders=ladders(book),
        unbalanced_spreads=unbalanced_spreads(book),
        short_last_pages=short_last_pages(book),
        short_last_lines=short_last_lines(book),
        stray_breaks=stray_breaks(book),
    )


def hyphenated_page_ends(book: BookPages) -> tuple[HyphenatedPageEnd, ...]:
    found = []
    for page in book.pages:
        body = book.body_lines(page)
        if not body or not body[-1].hyphenated:
            continue
        following = book.body_lines(book.page(page.number + 1)) if page.number < len(book.pages) else []
        found.append(HyphenatedPageEnd(page.number, page.recto, body[-1].text.split()[-1],
                                       following[0].text.split()[0] if following else ""))
    return tuple(found)


def ladders(book: BookPages) -> tuple[Ladder, ...]:
    found = []
    run: list[tuple[int, int]] = []  # (page, line) of each hyphenated line in the current run

    def close():
        if len(run) >= LADDER:
            found.append(Ladder(run[0][0], run[0][1], len(run)))
        run.clear()

    for page in book.pages:
        body = set(book.body_lines(page))
        for index, line in enumerate(page.lines, 1):
            if line not in body:
                continue
            if line.hyphenated:
                run.append((page.number, index))
            else:
                close()
    close()
    return tuple(found)


def unbalanced_spreads(book: BookPages) -> tuple[UnbalancedSpread, ...]:
    running = book.running_pages()
    found = []
    for verso in sorted(number for number in running if number % 2 == 0 and number + 1 in running):
        points = book.page(verso + 1).lines[-1].bottom - book.page(verso).lines[-1].bottom
        lines = round(points / book.pitch)
        if lines:
            found.append(UnbalancedSpread(verso, verso + 1, lines, round(points, 2)))
    return tuple(found)


def short_last_pages(book: BookPages) -> tuple[ShortLastPage, ...]:
    found = []
    for chapter in book.chapters:
        if chapter.last_page == chapter.first_page:
            continue  # a chapter of one page has no last page to fill
        count = len(book.body_lines(book.page(chapter.last_page)))
        if count < SHORT_PAGE:
            found.append(ShortLastPage(chapter.title, chapter.last_page, count))
    return tuple(found)


def short_last_lines(book: BookPages) -> tuple[ShortLastLine, ...]:
    found = []
    for page, index, above, line, (left, right), tolerance in _body_line_pairs(book):
        words = line.text.split()
        if (len(words) == 1 and sum(c.isalnum() for c in words[0]) < SHORT_WORD
                and abs(line.left - left) < tolerance and line.right < right - tolerance
                and above.right > right - tolerance):
            found.append(ShortLastLine(page.number, index + 1, words[0]))
    return tuple(found)


def stray_breaks(book: BookPages) -> tuple[StrayBreak, ...]:
    found = []
    for page, index, above, line, (left, right), tolerance in _body_line_pairs(book):
        if (left - tolerance < above.left < left + 4 * tolerance
                and above.right < right - 4 * tolerance  # two ems or more short: no justified line
                and abs(line.left - left) < tolerance and line.right > right - tolerance):  # flush and full
            found.append(StrayBreak(page.number, index, above.text))
    return tuple(found)


def _body_line_pairs(book: BookPages):
    """(page, index of the lower line, the line above, the line, the page's measure (left, right),
    the tolerance) for each two body lines one pitch apart."""
    tolerance = 0.5 * book.body_size
    for page in book.pages:
        body = set(book.body_lines(page))
        for index in range(1, len(page.lines)):
            above, line = page.lines[index - 1], page.lines[index]
            if line in body and above in body and abs(line.top - above.top - book.pitch) < 0.25 * book.pitch:
                yield page, index, above, line, book.measure[page.recto], tolerance


def read_pages(pdf: Path | bytes) -> BookPages:
    """The pages of a PDF with their lines, running heads and folios told apart, and its chapters."""
    data = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", "-", "-"], input=data,
                           capture_output=True, check=True).stdout
    root = etree.fromstring(xhtml, etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True))
    raw = [(float(page.get("height")), _visual_lines(page)) for page in root.iter(_XHTML + "page")]
    sizes = Counter(round(line.size, 1) for _, lines in raw for line in lines)
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    steps = Counter(round(below.top - above.top, 2) for _, lines in raw for above, below in zip(lines, lines[1:])
                    if abs(above.size - body_size) < 0.1 and abs(below.size - body_size) < 0.1)
    pitch = steps.most_common(1)[0][0] if steps else body_size * 1.4
    pages = tuple(_page(number, height, lines, pitch) for number, (height, lines) in enumerate(raw, 1))
    book = BookPages(pages, (), body_size, pitch)
    measure = {}
    for recto in (True, False):
        lines = [line for page in pages if page.recto == recto for line in book.body_lines(page)]
        if lines:  # the commonest left edge (most lines are not indented); the right edge of justified lines
            left = Counter(round(line.left) for line in lines).most_common(1)[0][0]
            rights = sorted(line.right for line in lines)
            measure[recto] = (left, rights[int(0.9 * (len(rights) - 1))])
        else:
            measure[recto] = (0.0, 0.0)
    return BookPages(pages, _chapters(data, pages), body_size, pitch, measure)


def _visual_lines(page) -> list[Line]:
    """The page's lines top to bottom, pdftotext's lines at one height (table cells, a split line) joined."""
    pieces = []
    for line in page.iter(_XHTML + "line"):
        words = " ".join(word.text or "" for word in line.iter(_XHTML + "word"))
        pieces.append(Line(words, float(line.get("xMin")), float(line.get("xMax")),
                           float(line.get("yMin")), float(line.get("yMax"))))
    pieces.sort(key=lambda line: (line.top, line.left))
    joined: list[list[Line]] = []
    for piece in pieces:
        if joined and abs(piece.top - joined[-1][0].top) < 0.3 * piece.size:
            joined[-1].append(piece)
        else:
            joined.append([piece])
    lines = []
    for group in joined:
        group.sort(key=lambda line: line.left)
        lines.append(Line(" ".join(line.text for line in group), group[0].left, max(line.right for line in group),
                          min(line.top for line in group), max(line.bottom for line in group)))
    return lines


def _page(number: int, height: float, lines: list[Line], pitch: float) -> Page:
    head = folio = ""
    top = next((index for index, line in enumerate(lines) if line.top >= 0.1 * height), len(lines))
    for end in range(min(top, len(lines) - 1), 0, -1):  # a long head may wrap onto a second line
        # the text goes on just below a head: a chapter's last line alone at the top is no head
        if lines[end].top - lines[end - 1].bottom > 0.5 * pitch and lines[end].top < 0.2 * height:
            head, lines = " ".join(line.text for line in lines[:end]), lines[end:]
            break
    if (lines and lines[-1].top > 0.875 * height and _FOLIO.fullmatch(lines[-1].text)
            and (len(lines) == 1 or lines[-1].top - lines[-2].bottom > 0.5 * pitch)):
        folio, lines = lines[-1].text, lines[:-1]
    return Page(number, tuple(lines), head, folio)


def _chapters(data: bytes, pages: tuple[Page, ...]) -> tuple[Chapter, ...]:
    """Chapters from the outline's leaves; each runs to the page before the next entry, part or chapter."""
    from pypdf import PdfReader  # only the audit reads an outline: not for every command's start

    reader = PdfReader(io.BytesIO(data))
    entries: list[tuple[int, str, bool]] = []  # (first page, title, is a chapter)

    def walk(items):
        for index, item in enumerate(items):
            if isinstance(item, list):
                walk(item)
                continue
            has_children = index + 1 < len(items) and isinstance(items[index + 1], list)
            entries.append((reader.get_destination_page_number(item) + 1, item.title, not has_children))

    walk(reader.outline)
    if not entries:  # no outline: a chapter opens where a page has an arabic folio and no head
        entries = [(page.number, page.lines[0].text if page.lines else "", True) for page in pages
                   if page.folio.isdigit() and not page.running_head]
    entries.sort(key=lambda entry: entry[0])
    chapters = []
    for index, (first, title, is_chapter) in enumerate(entries):
        end = entries[index + 1][0] if index + 1 < len(entries) else len(pages) + 1
        with_text = [number for number in range(first, end) if pages[number - 1].lines]
        if is_chapter and with_text:
            chapters.append(Chapter(title, first, with_text[-1]))
    return tuple(chapters)
