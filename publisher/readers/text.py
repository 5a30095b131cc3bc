"""A plain-text story (as saved from an archive or a forum) → a BookDraft of Markdown chapters.

The text is read in five passes: decode (any common encoding, any line ending), the labelled
header block (``Summary:``, ``Rating:`` …), headings (``Chapter One``, ``CHAPTER XIV.``,
``~ Chapter 3 ~``, ``Prologue``, ``PART TWO``), each section's paragraphs (disclaimers and
author's notes taken out, scene breaks, hard wrapping undone, emphasis kept, everything else
escaped), then the book's structure: part headings that hold chapters become parts, a foreword
before the first chapter and an afterword after the last become front and back matter.

Nothing may be lost, so every piece of the source is recorded in a `Trace` with what became of
it: body text, text moved to the front matter, or a recognised label. `publisher check` and the
tests compare the trace with the built books.
"""
from __future__ import annotations

import re
import unicodedata
from itertools import pairwise
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import ManuscriptError, Problem, Warnings
from ..manuscript import Metadata, StoryInfo
from ..metadata import LANGUAGE_TAG
from .decode import read_text as read_file
from .draft import (BODY, DROPPED, FRONT, LABEL, NOTE, BookDraft, ChapterDraft, MatterDraft, Overrides, PartDraft, Place,
                    Prose, Trace)
from . import gutenberg
from .folder import apply

# ---------------------------------------------------------------- the header block

# Label (lower case, without the colon) → the book.toml field it fills.
LABELS = {
    "title": "title", "author": "author", "by": "author", "written by": "author", "fandom": "fandoms",
    "fandoms": "fandoms", "rating": "rating", "rated": "rating", "pairing": "relationships",
    "pairings": "relationships", "relationship": "relationships", "relationships": "relationships",
    "characters": "characters", "character": "characters", "warning": "warnings", "warnings": "warnings",
    "category": "tags", "categories": "tags", "genre": "tags", "genres": "tags", "tags": "tags",
    "status": "status", "language": "language", "words": "words", "word count": "words", "summary": "summary",
    "disclaimer": "disclaimer", "dedication": "dedication", "spoilers": "note:Spoilers",
    "feedback": "note:Feedback", "archive": "note:Archive", "a/n": "note:Author's Note",
    "an": "note:Author's Note", "author's note": "note:Author's Note", "authors note": "note:Author's Note",
    "author’s note": "note:Author's Note", "notes": "note:Notes", "note": "note:Notes",
}
LIST_FIELDS = {"fandoms", "relationships", "characters", "warnings", "tags"}
_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z/’' ]{0,24}?)\s*:\s*(.*)$")
_BY = re.compile(r"^\s*(?:by|written by)\s+(\S.{0,60})$", re.IGNORECASE)


def _label_of(line: str, unknown_ok: bool) -> tuple[str, str, str] | None:
    """(field, label as written, value) when the line starts a header label."""
    match = _LABEL.match(line)
    if match:
        label = match[1].strip()
        key = LABELS.get(label.lower())
        if key:
            return key, line[: line.index(":") + 1], match[2]
        words = label.split()
        if unknown_ok and len(words) <= 3 and all(w[0].isupper() for w in words) and match[2].strip():
            return f"note:{label}", line[: line.index(":") + 1], match[2]
    match = _BY.match(line)
    if match:
        return "author", line[: line.lower().index("by") + 2], match[1]
    return None


def parse_header(lines: list[str], trace: Trace | None = None) -> tuple[dict[str, str], int]:
    """Labelled lines at the top → ({field: value}, number of lines used).

    Values run on over following lines until a blank line or the next label. Unknown labels
    count only inside a block that has a known one, so a first line of prose is never taken.
    """
    trace = trace if trace is not None else Trace()
    fields: dict[str, str] = {}
    pieces: list[tuple[str, str, str]] = []
    index, current = 0, None
    while index < len(lines) and not lines[index].strip():
        index += 1
    start = index
    known = False
    while index < len(lines):
        line = lines[index]
        if heading_of(lines, index) is not None and line.strip():
            break
        found = _label_of(line, unknown_ok=True)
        if found and (not found[0].startswith("note:") or known or _block_has_known(lines, index)):
            known = known or not found[0].startswith("note:") or found[0] == "note:Author's Note"
            current = [found[0], found[1], found[2].strip()]
            pieces.append(current)  # type: ignore[arg-type]
        elif not line.strip():
            current = None
        elif current is not None:
            current[2] = (current[2] + "\n" + line.strip()).strip()
        else:
            break
        index += 1
    if not pieces:
        return {}, start if start == len(lines) else 0
    for key, label, value in pieces:
        trace.add(LABEL, label)
        if key in ("words", "language"):
            trace.add(LABEL, value)  # we count words ourselves; the language is in the book's metadata
        else:
            trace.add(FRONT, strip_tags(value, trace))
        if key == "words":
            continue
        if key in fields and value:
            fields[key] = fields[key] + "\n\n" + value
        elif value:
            fields[key] = value
    return fields, index


def _block_has_known(lines: list[str], index: int) -> bool:
    """Does the run of labelled lines from `index` contain a known label?"""
    for line in lines[index:index + 40]:
        if heading_of([line], 0) is not None:
            return False
        found = _label_of(line, unknown_ok=False)
        if found:
            return True
    return False


# ---------------------------------------------------------------- chapter headings

_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# Ordinals in English, French, German and Spanish: "The First Act", "Chapitre premier", "Erstes Kapitel".
_ORDINAL = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|last|final|"
            r"premier|première|deuxième|second|troisième|quatrième|cinquième|sixième|septième|huitième|neuvième|"
            r"dixième|erstes|zweites|drittes|viertes|fünftes|sechstes|siebentes|siebtes|achtes|neuntes|zehntes|"
            r"erster|zweiter|dritter|vierter|fünfter|sechster|siebter|achter|neunter|zehnter|seconde|primero|segundo|tercero|cuarto|quinto|sexto|séptimo|octavo|"
            r"noveno|décimo)")
_WORD_NUMBER = (rf"(?:(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_ONES[:9])}))?|{'|'.join(_ONES)}|"
                rf"hundred|one hundred|{_ORDINAL})")
_ROMAN = r"(?=[ivxlc])(?:c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_NUMBER = rf"(?:\d{{1,5}}|{_ROMAN}|{_WORD_NUMBER})"
_KIND = (r"(?:chapter|chap\.|ch\.|part|book|volume|epoch|act|chapitre|kapitel|cap[ií]tulo|capitolo|hoofdstuk|"
         r"partie|teil|livre|tome)")
_SPECIAL = (r"(?:prologue|epilogue|interlude|afterword|foreword|preface|introduction|coda|postscript|"
            r"acknowledge?ments|about the author)")
_DECOR = r"[\s~=*#\-–—_+.:|\[\]()<>oOxX]*?"
_HEADING = re.compile(
    rf"^{_DECOR}(?P<head>(?:{_KIND}\s+(?:the\s+)?{_NUMBER}|(?:the\s+)?{_ORDINAL}\s+(?:{_KIND}|epilogue)|"
    rf"{_SPECIAL}(?:\s+{_NUMBER})?))(?!\w)(?P<rest>.*?)$", re.IGNORECASE)
_TITLE_SEPARATOR = re.compile(r"^\s*(?:[.:\-–—|]+|\s[-–—]\s?|(?P<comma>,))\s*(?P<title>\S.*?)\s*$")
# A numeral alone on its line ("IV", "12."): a heading only where the whole text numbers its chapters so.
_BARE_NUMERAL = re.compile(r"^(?P<number>[IVXLC]+|\d{1,3})\.?$")
_SCENE = re.compile(rf"^(?:scene|szene|scène|escena)\s+{_NUMBER}\b.{{0,60}}$", re.IGNORECASE)


def _clean_decoration(text: str) -> str:
    return re.sub(r"^[\s~=*#\-–—_+|\[\]()<>]+|[\s~=*#\-–—_+|\[\]()<>]+$", "", text)


def heading_of(lines: list[str], index: int, numerals: frozenset[int] = frozenset()) -> tuple[str, int] | None:
    """If lines[index] is a chapter heading: (its title, lines it takes: 1, or more with a title
    line). `numerals` are the lines where a bare numeral is a heading (see `numeral_headings`)."""
    line = lines[index].strip()
    if not line or len(line) > 90:
        return None
    if index in numerals:
        head, rest = _BARE_NUMERAL.match(line)["number"], ""
        match = None
    else:
        match = _HEADING.match(line)
        if not match:
            return None
        head = match["head"]
        rest = _clean_decoration(match["rest"]) if not match["rest"].strip(" ~=*#-–—_+[]()<>.:|") == "" else ""
    if rest:
        # "Chapter 12: The Title" needs a separator; "Chapter and verse…" or "Chapter 1 was…" is prose.
        separated = _TITLE_SEPARATOR.match(match["rest"])
        if not separated:
            return None
        rest = _clean_decoration(separated["title"])
        if rest.endswith((",", ";")) or len(rest.split()) > 12:
            return None
        if separated["comma"] and (rest.endswith((".", "!", "?")) or rest[:1].islower()):
            return None  # "Chapter 1, which she had read twice, was…"
    title = (_tidy_heading(head) if match else head) + (f": {_tidy_title(rest)}" if rest else "")
    # Deliberately a heading: a paragraph of its own (blank line before, or at the top).
    if index > 0 and lines[index - 1].strip() and heading_of(lines, index - 1, numerals) is None:
        return None
    taken = 1
    nxt = lines[index + 1].strip() if index + 1 < len(lines) else ""
    after = lines[index + 2].strip() if index + 2 < len(lines) else ""
    then = lines[index + 3].strip() if index + 3 < len(lines) else ""
    if not rest and nxt and not after and _is_title_line(nxt):
        title = f"{title}: {_tidy_title(_clean_decoration(nxt))}"
        taken = 2
    elif not rest and not nxt and after and not then and _is_capital_title(after) and _is_title_line(after):
        title = f"{title}: {_tidy_title(_clean_decoration(after))}"  # CHAPTER I, a blank line, THE TITLE
        taken = 3
    elif nxt and after:
        return None  # the heading runs straight into a paragraph: prose, not a heading
    return title, taken


def tidy_heading(title: str) -> str:
    """A heading from a markup source read as a plain-text one would be: CHAPTER I. THE MILL →
    Chapter I: The Mill; a title in capitals in title case; anything else as written."""
    title = " ".join(title.split())
    found = heading_of([title], 0)
    if found:
        return found[0]
    return _tidy_title(title) if title.isupper() else title


def _is_capital_title(line: str) -> bool:
    """THE TITLE IN CAPITALS that a heading may carry after a blank line (not a one-letter line, not a
    shouted sentence)."""
    return line.isupper() and sum(c.isalpha() for c in line) >= 4 and not line.endswith((".", "!", "?", "…"))


def _is_title_line(line: str) -> bool:
    return len(line) <= 70 and not line.endswith((",", ";")) and _label_of(line, unknown_ok=False) is None \
        and not is_scene_break(line) and _HEADING.match(line) is None and not _BARE_NUMERAL.match(line)


def _roman_value(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for here, nxt in zip(text, text[1:] + " "):
        total += -values[here] if values.get(nxt, 0) > values[here] else values[here]
    return total


def numeral_headings(lines: list[str]) -> frozenset[int]:
    """The lines where a numeral alone ("I", "II.", "3") is a chapter heading: decided over the whole
    text, so only a sequence that counts 1, 2, 3… (starting again after a part) counts, never one
    stray numeral in the prose."""
    found = []
    for index, line in enumerate(lines):
        match = _BARE_NUMERAL.match(line.strip())
        if not match or (index and lines[index - 1].strip()):
            continue
        number = match["number"]
        value = int(number) if number.isdigit() else _roman_value(number)
        if number.isdigit() or re.fullmatch(_ROMAN, number.lower()):
            found.append((index, value))
    runs, current = [], []
    for index, value in found:
        if current and value == current[-1][1] + 1:
            current.append((index, value))
        elif value == 1:
            if len(current) >= 2:
                runs += current
            current = [(index, value)]
    if len(current) >= 2:
        runs += current
    return frozenset(index for index, _ in runs)


def _tidy_title(title: str) -> str:
    """An all-capitals title (THE SHOP ON CANAL STREET) in title case; any other as written."""
    if not title.isupper():
        return title
    small = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the", "to", "with",
             "et", "le", "la", "les", "de", "du", "des", "une", "aux", "und", "der", "das", "von", "zu", "y", "del",
             "los", "las", "el"}  # and the small words of French, German and Spanish titles
    words = title.lower().split()
    return " ".join(w if i and w in small else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _tidy_heading(head: str) -> str:
    """CHAPTER XIV. → Chapter XIV; chapter one → Chapter One: the kind capitalised, numerals upper."""
    out = []
    for index, word in enumerate(head.split()):
        if index and re.fullmatch(_ROMAN, word.lower().rstrip(".")):
            out.append(word.upper().rstrip("."))
        elif index and word.lower() == "the":
            out.append("the")  # Book the First
        else:
            out.append(word[:1].upper() + word[1:].lower() if word.isupper() or word.islower() else word)
    return " ".join(out)


# ---------------------------------------------------------------- paragraphs

_SCENE_BREAK = re.compile(r"^[\s*~#=_+\-–—•·°º∞§¤○●◊♦❖✦✧❦❧⁂]*(?:o0o|0o0|oOo|OoO|xXx|XxX|x|o|O|X)?"
                          r"[\s*~#=_+\-–—•·°º∞§¤○●◊♦❖✦✧❦❧⁂]*$")
_END_MARK = re.compile(r"^[\s~*\-–—=]*(the end|end|end of (?:story|part \w+|book \w+)|end file|fin|tbc|"
                       r"to be continued|the end\?|finis)[\s.!?…~*\-–—=]*$", re.IGNORECASE)
_NOTE = re.compile(r"^\s*[(\[]?\s*(a/n|an|author'?s note|author’s note|authors note|note)\s*[:\-–—]\s*",
                   re.IGNORECASE)
_DISCLAIMER = re.compile(r"^\s*[(\[]?\s*disclaimer\s*[:\-–—]\s*", re.IGNORECASE)
_SUMMARY = re.compile(r"^\s*summary\s*:\s*", re.IGNORECASE)


_LETTER_BREAK = re.compile(r"^[\W_]*(o0o|0o0|oOo|OoO|xXx|XxX|x|o)[\W_]*$")


def is_scene_break(line: str) -> bool:
    """A line of only symbols (* * *, ~~~, ---, +) or an archive divider (o0o, xXx, -x-)."""
    stripped = line.strip()
    if not stripped or set(stripped) <= set(". …"):
        return False
    if _LETTER_BREAK.match(stripped):
        return stripped not in ("x", "o")
    return not any(c.isalnum() for c in stripped) and bool(_SCENE_BREAK.match(stripped))


def _blocks(lines: list[str]) -> list[list[str]]:
    """Lines → blocks separated by blank lines (a scene-break line is a block of its own)."""
    blocks, current = [], []
    for line in lines:
        if not line.strip():
            if current:
                blocks.append(current)
            current = []
        elif is_scene_break(line):
            if current:
                blocks.append(current)
            blocks.append([line])
            current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def wrap_width(lines: list[str]) -> int:
    """The column the text was hard-wrapped at, or 0 when lines are whole paragraphs."""
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if len(lengths) < 8:
        return 0
    width = lengths[int(len(lengths) * 0.9)]
    near = sum(1 for n in lengths if width - 15 <= n <= width)
    return width if width <= 100 and near >= len(lengths) * 0.4 else 0


_SENTENCE_END = (".", "!", "?", '"', "”", "'", "’", ":", "…", ")")


def _paragraphs(block: list[str], width: int) -> list[tuple[str, list[str]]]:
    """A block → ("prose", lines joined later) or ("verse", lines kept) paragraphs."""
    if len(block) == 1:
        return [("prose", block)]
    limit = width * 0.7 if width else 55
    capitals = sum(1 for line in block[1:] if not line.strip()[:1].islower())
    if all(len(line.strip()) <= limit for line in block) and capitals * 2 >= len(block) - 1:
        return [("verse", block)]
    if not width:
        # Lines that stop mid-sentence were wrapped; lines that end sentences are paragraphs.
        open_ended = sum(1 for line in block[:-1] if not line.rstrip().endswith(_SENTENCE_END))
        if open_ended * 2 >= len(block) - 1:
            return [("prose", block)]
        return [("prose", [line]) for line in block]
    paragraphs: list[list[str]] = []
    indented = sum(1 for line in block[1:] if re.match(r"^(\t| {2,})\S", line))
    for number, line in enumerate(block):
        if number and indented and re.match(r"^(\t| {2,})\S", line):
            paragraphs.append([line])
        elif paragraphs:
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return [("prose", p) for p in paragraphs]


# ---------------------------------------------------------------- inline text → Markdown

_TAGS = {"i": "*", "em": "*", "b": "**", "strong": "**", "u": "*", "cite": "*"}
_TAG = re.compile(r"</?(i|em|b|strong|u|cite)>", re.IGNORECASE)
_DROPPED_TAG = re.compile(r"</?(p|div|span|font)(\s[^<>]*)?>|<br\s*/?>", re.IGNORECASE)
_EMPHASIS = re.compile(r"(?<![\w*\\])(\*{1,2}|_)(?=[^\s*_])(.+?)(?<=[^\s\\])\1(?![\w*])")


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"([`*_\[\]{}|])", r"\\\1", text)
    return text


def strip_tags(text: str, trace: Trace) -> str:
    """The text without the HTML tags we understand (recorded in the trace as markup)."""
    for tag in list(_TAG.finditer(text)) + list(_DROPPED_TAG.finditer(text)):
        trace.add(LABEL, tag[0])
    return _DROPPED_TAG.sub(" ", _TAG.sub("", text))


def inline(text: str) -> str:
    """Plain text of one paragraph → Markdown with its emphasis kept and all else literal."""
    text = _TAG.sub(lambda m: _TAGS[m[1].lower()], text)
    text = _DROPPED_TAG.sub(" ", text)
    out, position = [], 0
    for match in _EMPHASIS.finditer(text):
        out.append(_escape(text[position:match.start()]))
        marker = "**" if match[1] == "**" else "*"
        out.append(f"{marker}{_escape(match[2])}{marker}")
        position = match.end()
    out.append(_escape(text[position:]))
    markdown = "".join(out)
    # A paragraph must not start like a Markdown block (heading, quote, list).
    markdown = re.sub(r"^(\s*)([#>+-])", r"\1\\\2", markdown)
    markdown = re.sub(r"^(\s*\d+)([.)])(\s)", r"\1\\\2\3", markdown)
    return markdown


# ---------------------------------------------------------------- the story


@dataclass
class StoryChapter:
    """A chapter as the story is read: Markdown blocks, and the notes taken out of it."""

    title: str
    notes: list[str] = field(default_factory=list)
    end_notes: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)  # Markdown blocks


@dataclass
class StoryPart:
    """A part as the story is read: its heading split at the colon, the text under it before its
    first chapter (the part's intro), its chapters, and the parts one level down."""

    title: str  # "" → an unnamed run of chapters after the parts (an epilogue)
    subtitle: str = ""
    intro: list[str] = field(default_factory=list)  # Markdown blocks
    chapters: list[StoryChapter] = field(default_factory=list)
    parts: list[StoryPart] = field(default_factory=list)


@dataclass
class Story:
    header: dict[str, str]
    chapters: list[StoryChapter]  # every chapter, in reading order, whatever part it is in
    trace: Trace
    parts: list[StoryPart] = field(default_factory=list)  # after the chapters that are in none
    front: list[tuple[str, StoryChapter]] = field(default_factory=list)  # (kind, section): a foreword…
    back: list[tuple[str, StoryChapter]] = field(default_factory=list)  # an afterword…
    numbering: str = "book"  # "part" when chapter numbers start again in each part

    def loose_chapters(self) -> list[StoryChapter]:
        """The chapters before the first part."""
        inside = {id(c) for part in self.parts for c in _part_chapters(part)}
        return [c for c in self.chapters if id(c) not in inside]


def _part_chapters(part: StoryPart) -> list[StoryChapter]:
    return part.chapters + [c for inner in part.parts for c in _part_chapters(inner)]


def _paragraph_markdown(kind: str, lines: list[str]) -> str:
    if kind == "verse":
        return "  \n".join(inline(line.strip()) for line in lines) + "\n{: .verse }"
    return inline(" ".join(line.strip() for line in lines))


def _strip_label(pattern: re.Pattern, text: str, trace: Trace) -> str:
    match = pattern.match(text)
    trace.add(LABEL, match[0])
    rest = text[match.end():].strip()
    if text.lstrip().startswith(("(", "[")) and rest.endswith((")", "]")):
        trace.add(LABEL, rest[-1])
        rest = rest[:-1].strip()
    return rest


def parse_story(text: str, headings: dict[int, tuple[str, int]] | None = None, body_from: int | None = None) -> Story:
    """The whole text → header fields and chapter drafts, with a trace of every piece. A caller
    that knows where the chapters start (a FanFicFare file lists them) gives `headings` (line →
    (title, lines it takes)) and where the body begins (`body_from`); else both are found here."""
    trace = Trace()
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff")).replace("\t", "    ")
    lines, facts = text.split("\n"), {}
    if headings is None and gutenberg.is_gutenberg(lines):
        facts, lines, source = gutenberg.split(lines, trace)
        facts["source"] = source
    header, used = parse_header(lines, trace) if body_from is None else ({}, body_from)
    header = {key: header_markdown(key, value) for key, value in (facts | header).items()}
    body = lines[used:]
    width = wrap_width(body)
    disclaimers_seen = {_norm(header.get("disclaimer", ""))} - {""}
    disclaimers: list[str] = []
    index, start = 0, 0
    sections: list[tuple[str | None, list[str]]] = []
    current_title: str | None = None
    numerals = numeral_headings(body) if headings is None else frozenset()
    while index < len(body):
        found = heading_of(body, index, numerals) if headings is None else headings.get(used + index)
        if found:
            sections.append((current_title, body[start:index]))
            current_title = found[0]
            index += found[1]
            start = index
            continue
        index += 1
    sections.append((current_title, body[start:]))
    sections = _without_contents(sections, trace)
    # Text before the first heading that is more than the title page again is a chapter: no
    # foreword can come before it.
    opening = sections[0][0] is None and bool(_blocks(sections[0][1])) and not (
        len(sections) > 1 and _repeats_title_page(_blocks(sections[0][1]), header))
    roles = _roles([title for title, _ in sections], opening) if headings is None else [CHAPTER] * len(sections)
    made: list[tuple[str, StoryChapter]] = []
    for number, (title, section_lines) in enumerate(sections):
        blocks = _blocks(section_lines)
        if title is None and not blocks:
            continue
        if title is None and len(sections) > 1 and _repeats_title_page(blocks, header):
            trace.add(LABEL, "\n".join(section_lines))  # the title and byline again, before chapter one
            continue
        chapter = StoryChapter(title or f"Chapter {sum(role == 'chapter' for role, _ in made) + 1}")
        if title:
            trace.add(BODY, title)  # the heading's words stay: they are the chapter title
        paragraphs = [(kind, lines) for block in blocks for kind, lines in _paragraphs(block, width)]
        # Leading disclaimers, summaries and author's notes.
        while paragraphs and paragraphs[0][0] == "prose":
            first = " ".join(line.strip() for line in paragraphs[0][1])
            if _DISCLAIMER.match(first):
                rest = _strip_label(_DISCLAIMER, first, trace)
                if _norm(rest) in disclaimers_seen:
                    trace.add(LABEL, rest)  # a repeat of one already on the disclaimer page
                else:
                    disclaimers_seen.add(_norm(rest))
                    disclaimers.append(inline(rest))
                    trace.add(FRONT, strip_tags(rest, Trace()))
            elif _NOTE.match(first):
                chapter.notes.append(inline(_strip_label(_NOTE, first, trace)))
                trace.add(BODY, strip_tags(first[_NOTE.match(first).end():], trace))
            elif _SUMMARY.match(first) and not chapter.summary:
                chapter.summary.append(inline(_strip_label(_SUMMARY, first, trace)))
                trace.add(BODY, strip_tags(first[_SUMMARY.match(first).end():], trace))
            else:
                break
            paragraphs.pop(0)
        # Trailing author's notes (after the story's last words).
        tail: list[str] = []
        end_mark = None  # "A/N: …" then "THE END": the notes are still the chapter's end notes
        if paragraphs and paragraphs[-1][0] == "prose" and \
                _END_MARK.match(" ".join(line.strip() for line in paragraphs[-1][1])):
            end_mark = paragraphs.pop()
        while paragraphs and paragraphs[-1][0] == "prose":
            last = " ".join(line.strip() for line in paragraphs[-1][1])
            if not _NOTE.match(last):
                break
            tail.insert(0, last)
            paragraphs.pop()
        if end_mark is not None:
            paragraphs.append(end_mark)
        for kind, para_lines in paragraphs:
            joined = " ".join(line.strip() for line in para_lines)
            if kind == "prose" and len(para_lines) == 1 and is_scene_break(para_lines[0]):
                trace.add(LABEL, joined)
                chapter.blocks.append("* * *")
            elif kind == "prose" and len(para_lines) == 1 and _SCENE.match(joined):
                trace.add(BODY, strip_tags(joined, trace))
                chapter.blocks.append("### " + inline(joined))  # a play's scene stays inside its act
            elif kind == "prose" and _END_MARK.match(joined):
                trace.add(BODY, strip_tags(joined, trace))
                chapter.blocks.append(inline(joined) + "\n{: .end-mark }")
            else:
                trace.add(BODY, strip_tags("\n".join(para_lines), trace))
                chapter.blocks.append(_paragraph_markdown(kind, para_lines))
        for note in tail:
            label = _NOTE.match(note)[0]
            trace.add(LABEL, label)
            trace.add(BODY, strip_tags(note[len(label):], trace))
            chapter.end_notes.append(inline(_strip_label(_NOTE, note, Trace())))
        # A chapter's scene break as its last block is a decoration, not a break.
        while chapter.blocks and chapter.blocks[-1] == "* * *":
            chapter.blocks.pop()
        while chapter.blocks and chapter.blocks[0] == "* * *":
            chapter.blocks.pop(0)
        if title is None and not chapter.blocks and not chapter.notes and not chapter.end_notes:
            continue
        made.append((roles[number], chapter))
    story = Story(header, [], trace)
    _arrange(made, story)
    chapters = story.chapters
    if disclaimers:
        header["disclaimer"] = "\n\n".join(([header["disclaimer"]] if header.get("disclaimer") else [])
                                           + disclaimers)
    if not chapters and not story.parts:
        chapters.append(StoryChapter("Chapter 1"))
    return story


_CONTENTS_LABEL = re.compile(r"^\W*(?:(?:table of )?contents|inhalt|inhaltsverzeichnis|table des matières|"
                             r"índice|indice|sommaire)\W*$", re.IGNORECASE)


def _without_contents(sections: list[tuple[str | None, list[str]]], trace: Trace) -> list[tuple[str | None, list[str]]]:
    """The sections without a table of contents at the top of the text (the book gets its own): a
    run of headings with nothing under them that come again later, or a block of lines that name
    the headings found later. What is dropped goes into the trace."""
    def key(text: str) -> str:
        return _norm(text)

    later = [key(title) for title, _ in sections if title]
    later_titles = set(later) | {key(t.split(": ", 1)[1]) for t, _ in sections if t and ": " in t}
    kept = list(sections)
    if kept and kept[0][0] is None:
        pre_title, pre_lines = kept[0]
        blocks, dropped = _blocks(pre_lines), []
        for block in blocks:
            named = sum(1 for line in block if _CONTENTS_LABEL.match(line) or key(_clean_decoration(line)) in
                        later_titles or (key(_clean_decoration(line).rstrip(" .0123456789")) in later_titles))
            if named and named * 10 >= len(block) * 6 and (len(block) >= 2 or _CONTENTS_LABEL.match(block[0])):
                dropped.append(block)
        if dropped:
            for block in dropped:
                trace.add(DROPPED, "\n".join(block))
            kept[0] = (pre_title, [line for block in blocks if block not in dropped for line in block + [""]])
    # Headings with nothing under them, each repeated later: the contents, recognised line by line.
    first = 1 if kept and kept[0][0] is None else 0
    run = first
    while run < len(kept) and not _blocks(kept[run][1]) and later.count(key(kept[run][0] or "")) > 1:
        run += 1
    # A part heading with no intro ends the run too (PART ONE, then Chapter 1): the contents are
    # the longest start of the run whose every line comes again after it.
    while run > first and not {key(t or "") for t, _ in kept[first:run]} <= {key(t or "") for t, _ in kept[run:]}:
        run -= 1
    if run - first >= 2:
        for title, _ in kept[first:run]:
            trace.add(DROPPED, title)
        if first and _blocks(kept[0][1]) and all(_CONTENTS_LABEL.match(line) for b in _blocks(kept[0][1]) for line in b):
            trace.add(DROPPED, "\n".join(kept[0][1]))
            kept[0] = (None, [])
        kept = kept[:first] + kept[run:]
    return kept


# ---------------------------------------------------------------- the book's structure

# The words of a part heading → the level they name: a heading's level is set by the order in
# which the kinds first appear ("Volume" then "Book": volumes hold books), two levels at most.
_PART_WORDS = {"part": "part", "partie": "part", "teil": "part", "book": "book", "livre": "book",
               "volume": "volume", "tome": "volume", "epoch": "epoch"}
_PART_HEAD = re.compile(rf"^(?:(?P<word>{'|'.join(_PART_WORDS)})\s+(?:the\s+)?{_NUMBER}|"
                        rf"(?:the\s+)?{_ORDINAL}\s+(?P<after>{'|'.join(_PART_WORDS)}|epilogue))$", re.IGNORECASE)
FRONT_HEADINGS = {"foreword": "foreword", "preface": "preface", "introduction": "introduction"}
BACK_HEADINGS = {"afterword": "afterword", "acknowledgements": "acknowledgements",
                 "acknowledgments": "acknowledgements", "about the author": "about-the-author"}
_CLOSING = ("epilogue", "postscript", "coda")  # after the last part: the book's, not that part's
CHAPTER, PART, FRONT_SECTION, BACK_SECTION, CLOSING = "chapter", "part", "front", "back", "closing"


def _head(title: str | None) -> str:
    """The heading without its title: "Part One: The Harbour" → "part one"."""
    return _norm((title or "").split(": ", 1)[0])


def _part_level(title: str | None) -> str:
    """The kind of part a heading names ("part", "book", "volume", "epoch"; "epilogue" for a
    numbered epilogue), or "" when it names none."""
    match = _PART_HEAD.match((title or "").split(": ", 1)[0])
    if not match:
        return ""
    word = (match["word"] or match["after"]).lower()
    return _PART_WORDS.get(word, word)


def _roles(titles: list[str | None], opening: bool = False) -> list[str]:
    """Each section's role, from its heading and what follows it: CHAPTER, FRONT_SECTION or
    BACK_SECTION + ":kind", PART + ":0" (outer) or ":1", or CLOSING (an epilogue after the parts).

    A part heading is a part only when chapter headings follow it before the next part heading
    of its level: a text headed only "Book 1", "Book 2" is a text of chapters. `opening`: the text
    starts with prose of its own before its first heading."""
    roles = [CHAPTER] * len(titles)
    for index, title in enumerate(titles):  # a foreword, a preface before the first chapter
        if title is None and not opening:
            continue
        if _head(title) not in FRONT_HEADINGS:
            break
        roles[index] = f"{FRONT_SECTION}:{FRONT_HEADINGS[_head(title)]}"
    for index in range(len(titles) - 1, -1, -1):  # an afterword, acknowledgements after the last
        if _head(titles[index]) not in BACK_HEADINGS:
            break
        roles[index] = f"{BACK_SECTION}:{BACK_HEADINGS[_head(titles[index])]}"
    if all(role != CHAPTER or title is None for title, role in zip(titles, roles)):
        return [CHAPTER] * len(titles)  # a text that is only a preface is a text, not front matter to nothing
    kinds = [_part_level(title) if role == CHAPTER else "" for title, role in zip(titles, roles)]
    order = list(dict.fromkeys(kind for kind in kinds if kind and kind != "epilogue"))[:2]
    if not order:
        return roles
    levels = [order.index(kind) if kind in order else 0 if kind == "epilogue" else None for kind in kinds]
    for level in reversed(range(len(order))):
        for index, here in enumerate(levels):
            if here != level:
                continue
            holds = False
            for after in range(index + 1, len(titles)):
                if roles[after].startswith(BACK_SECTION) or levels[after] is not None and levels[after] <= level:
                    break
                holds = holds or roles[after].startswith(PART) or roles[after] == CHAPTER and \
                    titles[after] is not None and not _head(titles[after]).startswith(_CLOSING)
            if holds:
                roles[index] = f"{PART}:{level}"
            else:
                levels[index] = None  # a part with no chapter in it is a chapter
    last = max((i for i, role in enumerate(roles) if role.startswith(PART)), default=None)
    if last is not None:
        for index in range(len(titles) - 1, last, -1):
            if roles[index] == CHAPTER and _head(titles[index]).startswith(_CLOSING):
                roles[index] = CLOSING
            elif roles[index] == CHAPTER:
                break
    return roles


def _arrange(made: list[tuple[str, StoryChapter]], story: Story) -> None:
    """Sections in reading order, each with its role → the story's chapters, parts, front
    sections and back matter."""
    outer: StoryPart | None = None
    inner: StoryPart | None = None
    for role, section in made:
        kind = role.split(":", 1)[-1]
        if role.startswith(FRONT_SECTION):
            story.front.append((kind, section))
        elif role.startswith(BACK_SECTION):
            story.back.append((kind, section))
        elif role.startswith(PART):
            title, _, subtitle = section.title.partition(": ")
            part = StoryPart(title, subtitle, section.summary + section.notes + section.blocks + section.end_notes)
            if kind == "1" and outer is not None:
                outer.parts.append(part)
            else:
                story.parts.append(part)
                outer = part if kind == "0" else None
            inner = part if kind == "1" else None
        else:
            story.chapters.append(section)
            if role == CLOSING or (inner or outer) is None and story.parts:
                outer = inner = None
                if story.parts[-1].title:
                    story.parts.append(StoryPart(""))
                story.parts[-1].chapters.append(section)
            elif inner or outer:
                (inner or outer).chapters.append(section)
    story.numbering = _numbering(story.parts)


def _numbering(parts: list[StoryPart]) -> str:
    """"part" when the chapter numbers start again after a part heading (Chapter 5, PART TWO,
    Chapter 1), else "book"."""
    runs: list[list[int]] = []

    def walk(part: StoryPart) -> None:
        if part.title and part.chapters:
            runs.append([n for n in (_chapter_number(c.title) for c in part.chapters) if n is not None])
        for inside in part.parts:
            walk(inside)

    for part in parts:
        walk(part)
    runs = [run for run in runs if run]
    return "part" if any(now[0] <= before[-1] for before, now in pairwise(runs)) else "book"


_WORD_VALUES = {word: n for n, word in enumerate(_ONES, 1)} | {word: 20 + 10 * n for n, word in enumerate(_TENS)} | {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "premier": 1, "première": 1, "deuxième": 2, "erstes": 1, "zweites": 2, "primero": 1, "segundo": 2}


def _chapter_number(title: str) -> int | None:
    """The number a chapter heading gives (Chapter 5, CHAPTER V, Chapter Twenty-One, Erstes
    Kapitel), or None."""
    words = _head(title).split()[:4]
    for index, word in enumerate(words):
        if word.isdigit():
            return int(word)
        if re.fullmatch(_ROMAN, word):
            return _roman_value(word.upper())
        if word in _WORD_VALUES:
            following = words[index + 1] if index + 1 < len(words) else ""
            ones = _WORD_VALUES.get(following, 0) if _WORD_VALUES[word] >= 20 else 0
            return _WORD_VALUES[word] + (ones if ones < 10 else 0)  # twenty-three
    return None


_BYLINE_WORDS = {"by", "translated", "illustrated", "edited", "with", "and", "from", "the", "original", "an",
                 "a", "of", "introduction", "illustrations", "author"}


def _repeats_title_page(blocks: list[list[str]], header: dict[str, str]) -> bool:
    """Is this text before the first heading only the book's title and byline over again?"""
    known = {w.casefold() for value in header.values() for w in re.findall(r"\w+", value)} | _BYLINE_WORDS
    found = {w.casefold() for block in blocks for line in block for w in re.findall(r"\w+", line)}
    return bool(found) and found <= known and bool(header.get("title"))


PROSE_FIELDS = ("summary", "disclaimer", "dedication")


def header_markdown(key: str, value: str) -> str:
    """A header value as book.toml holds it: prose as Markdown (emphasis kept, all else literal),
    names and lists as plain text."""
    if key in PROSE_FIELDS or key.startswith("note:"):
        return "\n\n".join(inline(" ".join(part.split())) for part in value.split("\n\n"))
    return " ".join(_DROPPED_TAG.sub(" ", _TAG.sub("", value)).split()) if "\n" not in value else \
        "\n".join(_DROPPED_TAG.sub(" ", _TAG.sub("", line)) for line in value.split("\n"))


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# ---------------------------------------------------------------- to a BookDraft


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]|\s+&\s+", value) if part.strip()]


# Language names as archives write them (in English and in the language itself) → BCP 47 tags.
LANGUAGES = {
    "english": "en", "français": "fr", "francais": "fr", "french": "fr", "deutsch": "de", "german": "de",
    "español": "es", "espanol": "es", "castellano": "es", "spanish": "es", "italiano": "it", "italian": "it",
    "português": "pt", "portugues": "pt", "portuguese": "pt", "nederlands": "nl", "dutch": "nl",
    "русский": "ru", "russian": "ru", "polski": "pl", "polish": "pl", "svenska": "sv", "swedish": "sv",
    "dansk": "da", "danish": "da", "norsk": "no", "norwegian": "no", "suomi": "fi", "finnish": "fi",
    "čeština": "cs", "czech": "cs", "magyar": "hu", "hungarian": "hu", "türkçe": "tr", "turkish": "tr",
    "ελληνικά": "el", "greek": "el", "日本語": "ja", "japanese": "ja", "中文": "zh", "chinese": "zh",
    "한국어": "ko", "korean": "ko", "العربية": "ar", "arabic": "ar", "עברית": "he", "hebrew": "he",
    "latina": "la", "latin": "la", "català": "ca", "catalan": "ca", "українська": "uk", "ukrainian": "uk",
    "bahasa indonesia": "id", "indonesian": "id", "tiếng việt": "vi", "vietnamese": "vi",
}


def language_tag(value: str) -> str | None:
    """'Français', 'French', 'fr' or 'pt-BR' → a BCP 47 tag; None when it is none of those."""
    text = " ".join(value.split()).strip(" .")
    tag = LANGUAGES.get(text.lower())
    if tag:
        return tag
    primary = text.split("-")[0]
    return text if LANGUAGE_TAG.match(text) and primary.islower() and len(primary) <= 3 else None


def header_draft(header: dict[str, str], path: Path, chapters: tuple[ChapterDraft, ...], overrides: Overrides,
                 warn: Warnings, trace: Trace) -> BookDraft:
    """Header fields (Title:, Summary:, Rating: …) and chapters → the draft of a one-file book."""
    where = str(path)
    title = header.get("title", "").strip()
    if not title and not overrides.title:
        title = _tidy_title(re.sub(r"[-_]+", " ", path.stem).strip().upper()) or "Untitled"
        warn(f"no Title: line; using {title!r} from the file name (set it with --title)", where)
    writer = header.get("author", "").strip()
    language = "en"
    if header.get("language"):
        found = language_tag(header["language"])
        if found:
            language = found
        else:
            warn(f"language {header['language']!r} not recognised; setting the book in English "
                 f"(set it with --language)", where)
    elif not overrides.language:
        trace.add(NOTE, "no Language: line: the book is set in English")
    story = {}
    for key, value in header.items():
        if key in LIST_FIELDS:
            story[key] = tuple(_split_list(value))
        elif key in ("rating", "status"):
            story[key] = " ".join(value.split())
    authors = tuple(" ".join(name.split()) for name in writer.split(";") if name.strip())  # "A; B": two authors
    metadata = Metadata(title=" ".join(title.split()), identifier="", authors=authors, language=language, story=StoryInfo(**story) if story else None,
                        source=header.get("source", ""))

    def prose(key: str) -> Prose | None:
        return Prose(header[key], Place(where)) if header.get(key) else None

    notes = tuple((key[5:], Prose(value, Place(where))) for key, value in header.items()
                  if key.startswith("note:") and value)
    return BookDraft(metadata=apply(metadata, overrides), chapters=chapters, root=path.parent, place=Place(where),
                     slug=path.stem, summary=prose("summary"), disclaimer=prose("disclaimer"),
                     dedication=prose("dedication"), notes=notes, trace=trace)


def read_story(path: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    """A .txt story → its BookDraft."""
    try:
        text = read_file(path, str(path), warn, what="a text story", say_encoding=False)
    except Problem as problem:
        raise ManuscriptError([problem]) from None
    from .fanficfare import is_fanficfare_text, read_fanficfare_text  # it builds on this module

    if is_fanficfare_text(text.split("\n")):
        return read_fanficfare_text(text, path, overrides, warn)
    story = parse_story(text)
    numbers = {id(chapter): number for number, chapter in enumerate(story.chapters, 1)}

    def chapter_draft(chapter: StoryChapter) -> ChapterDraft:
        place = Place(f"{path} (chapter {numbers[id(chapter)]})")
        return ChapterDraft(Prose("\n\n".join(chapter.blocks) + "\n", place), chapter.title,
                            *(Prose("\n\n".join(parts), place) if parts else None
                              for parts in (chapter.summary, chapter.notes, chapter.end_notes)))

    def part_draft(part: StoryPart) -> PartDraft:
        place = Place(f"{path} ({part.title or 'chapter ' + str(numbers[id(part.chapters[0])])})")
        return PartDraft(part.title, place, tuple(chapter_draft(c) for c in part.chapters),
                         tuple(part_draft(p) for p in part.parts), part.subtitle,
                         Prose("\n\n".join(part.intro) + "\n", place) if part.intro else None)

    def matter_draft(kind: str, section: StoryChapter) -> MatterDraft:
        blocks = section.summary + section.notes + section.blocks + section.end_notes
        return MatterDraft(kind, Prose("\n\n".join(blocks) + "\n", Place(f"{path} ({section.title})")), section.title)

    draft = header_draft(story.header, path, tuple(chapter_draft(c) for c in story.loose_chapters()), overrides,
                         warn, story.trace)
    return replace(draft, parts=tuple(part_draft(p) for p in story.parts), numbering=story.numbering,
                   front_sections=tuple(matter_draft(*m) for m in story.front),
                   back_matter=tuple(matter_draft(*m) for m in story.back))
