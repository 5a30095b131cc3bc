"""One Markdown file (story.md) → a BookDraft: chapters at `# ` headings, a metadata block on top.

The block on top is either front matter between ``---`` lines or labelled lines
(``Title: ...``) as in a plain-text story; its labels mean what they mean in a story.
With ``chapter_level: 2`` there, or when every `# ` section holds `## ` sections, the `# `
headings are parts and the `## ` headings their chapters; text between a part's heading and its
first chapter is the part's intro.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..errors import ManuscriptError, Problem, Warnings
from . import frontmatter
from .decode import read_text
from .draft import BookDraft, ChapterDraft, Overrides, PartDraft, Place, Prose, Trace
from .folder import heading_attributes, take_title
from .text import LABELS, parse_header, header_draft

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def read_markdown_file(path: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    where = str(path)
    try:
        text = read_text(path, where, warn)
    except Problem as problem:
        raise ManuscriptError([problem]) from None
    lines = text.split("\n")
    if lines and lines[0].startswith("% "):
        header, used = _title_block(lines)
        first, rest = used + 1, lines[used:]
    elif lines and lines[0].strip() == "---":
        split = frontmatter.split(text, where)
        if split.problems:
            raise ManuscriptError(list(split.problems))
        header = {LABELS.get(key.replace("_", " "), f"note:{key.replace('_', ' ').title()}"): value
                  for key, value in split.fields.items() if value}
        first = split.body_line
        rest = split.body.split("\n")
    else:
        header, used = parse_header(lines)
        first, rest = used + 1, lines[used:]
    level = header.pop("note:Chapter Level", "").strip()
    if level not in ("", "1", "2"):
        raise ManuscriptError([Problem(f"chapter_level {level!r}: use 1 (chapters at # headings) or 2 (parts at #, "
                                       "chapters at ##)", where)])
    sections = list(_sections(rest, 1))
    headed = [chunk for _, chunk in sections if _is_heading(chunk[0], 1)]
    if level == "2" or not level and headed and all(any(_sections(chunk[1:], 2, headed_only=True)) for chunk in headed):
        chapters, parts = _parts(sections, first, where)
    else:
        chapters, parts = tuple(_chapter(chunk, first + start, where, 1) for start, chunk in sections), ()
    made = header_draft(header, path, chapters, overrides, warn, Trace())
    return replace(made, parts=parts) if parts else made


def _parts(sections: list[tuple[int, list[str]]], first: int, where: str) -> tuple[tuple[ChapterDraft, ...],
                                                                                  tuple[PartDraft, ...]]:
    """`# ` sections → (chapters before the first part, the parts): each part's `## ` sections
    are its chapters, the text above them its intro."""
    loose: list[ChapterDraft] = []
    parts: list[PartDraft] = []
    for start, chunk in sections:
        if not _is_heading(chunk[0], 1):  # text before the first part: chapters of its own
            loose += [_chapter(lines, first + start + at, where, 2) for at, lines in _sections(chunk, 2)]
            continue
        title, _ = heading_attributes(_HEADING[1].match(chunk[0])[1])
        inner = list(_sections(chunk[1:], 2))
        intro = None
        if inner and not _is_heading(inner[0][1][0], 2):
            at, lines = inner.pop(0)
            intro = Prose("\n".join(lines).strip("\n") + "\n", Place(where, first + start + 1 + at))
        parts.append(PartDraft(title, Place(where, first + start),
                               tuple(_chapter(lines, first + start + 1 + at, where, 2) for at, lines in inner),
                               intro=intro))
    return tuple(loose), tuple(parts)


def _chapter(chunk: list[str], line: int, where: str, level: int) -> ChapterDraft:
    """A section's lines (its heading first, if it has one) → a chapter titled by that heading."""
    body = "\n".join(chunk)
    match = _HEADING[level].match(chunk[0]) if chunk else None
    if match and level == 2:
        title, _ = heading_attributes(match[1])
        body, line = "\n".join(chunk[1:]), line + 1
    else:
        title, body, line = take_title(body, line)
    return ChapterDraft(Prose(body.strip("\n") + "\n", Place(where, line + _leading_blank(body))), title)


def _title_block(lines: list[str]) -> tuple[dict[str, str], int]:
    """Pandoc's title block: ``% Title``, ``% Author; Author``, ``% Date`` → header fields."""
    values: list[str] = []
    index = 0
    while index < len(lines) and lines[index].startswith("%") and len(values) < 3:
        values.append(lines[index][1:].strip())
        index += 1
        while index < len(lines) and lines[index].startswith((" ", "\t")) and lines[index].strip():
            values[-1] += " " + lines[index].strip()  # a value continued on an indented line
            index += 1
    header = {key: value for key, value in zip(("title", "author", "note:Date"), values) if value}
    return header, index


def _leading_blank(text: str) -> int:
    return len(text) - len(text.lstrip("\n"))


_HEADING = {1: re.compile(r"^#(?!#)\s+(\S.*?)\s*#*\s*$"), 2: re.compile(r"^##(?!#)\s+(\S.*?)\s*#*\s*$")}


def _is_heading(line: str, level: int) -> bool:
    return bool(_HEADING[level].match(line))


def _sections(lines: list[str], level: int, headed_only: bool = False):
    """(first line's index, lines) of each section: a heading of `level` outside code starts one
    (the text before the first heading is one too, unless `headed_only`)."""
    for start, chunk in _split(lines, level):
        blank = next(index for index, line in enumerate(chunk) if line.strip())
        start, chunk = start + blank, chunk[blank:]
        if not headed_only or _is_heading(chunk[0], level):
            yield start, chunk


def _split(lines: list[str], level: int):
    start, fence = 0, None
    for index, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened[1]
        elif fence is not None and opened and opened[1][0] == fence[0] and len(opened[1]) >= len(fence) \
                and not line.strip()[len(opened[1]):].strip():
            fence = None  # a fence closes only with the same character, at least as long, and nothing after
        elif fence is None and _is_heading(line, level) and any(s.strip() for s in lines[start:index]):
            yield start, lines[start:index]
            start = index
    if any(s.strip() for s in lines[start:]):
        yield start, lines[start:]
