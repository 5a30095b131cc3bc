"""One Markdown file (story.md) → a BookDraft: chapters at `# ` headings, a metadata block on top.

The block on top is either front matter between ``---`` lines or labelled lines
(``Title: ...``) as in a plain-text story; its labels mean what they mean in a story.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ManuscriptError, Problem, Warnings
from . import frontmatter
from .decode import read_text
from .draft import BookDraft, ChapterDraft, Overrides, Place, Prose, Trace
from .folder import take_title
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
    chapters = []
    for start, chunk in _chapters(rest):
        body = "\n".join(chunk)
        title, body, line = take_title(body, first + start)
        chapters.append(ChapterDraft(Prose(body.strip("\n") + "\n", Place(where, line + _leading_blank(body))),
                                     title))
    return header_draft(header, path, tuple(chapters), overrides, warn, Trace())


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


def _chapters(lines: list[str]):
    """(first line's index, lines) of each chapter: a `# ` heading outside code starts one."""
    start, fence = 0, None
    for index, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened[1]
        elif fence is not None and opened and opened[1][0] == fence[0] and len(opened[1]) >= len(fence) \
                and not line.strip()[len(opened[1]):].strip():
            fence = None  # a fence closes only with the same character, at least as long, and nothing after
        elif fence is None and re.match(r"^#(?!#)\s+\S", line) and any(s.strip() for s in lines[start:index]):
            yield start, lines[start:index]
            start = index
    if any(s.strip() for s in lines[start:]):
        yield start, lines[start:]
