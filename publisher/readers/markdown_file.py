"""One Markdown file (story.md) → a BookSource: chapters at `# ` headings, a metadata block on top.

The block on top is either front matter between ``---`` lines or labelled lines
(``Title: ...``) as in a plain-text story; both are read by the text reader's header parser.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import Warnings
from .assemble import BookSource, ChapterSource
from .text import book_toml, decode, parse_header


def read_markdown_file(path: Path, warn: Warnings, title: str | None = None, author: str | None = None) -> BookSource:
    text = decode(path)
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
        header, _ = parse_header(lines[1:end]) if end else ({}, 0)
        rest = lines[end + 1:] if end else lines
    else:
        header, used = parse_header(lines)
        rest = lines[used:]
    chapters: list[ChapterSource] = []
    current: list[str] = []
    fence = False
    for line in rest:
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and re.match(r"^#(?!#)\s+\S", line) and any(s.strip() for s in current):
            chapters.append(ChapterSource(str(path), "\n".join(current).strip("\n") + "\n", has_lines=False))
            current = []
        current.append(line)
    if any(s.strip() for s in current):
        chapters.append(ChapterSource(str(path), "\n".join(current).strip("\n") + "\n", has_lines=False))
    toml_text = book_toml(header, path, warn, title=title, author=author)
    return BookSource(root=path.parent, toml_path=str(path), toml_text=toml_text, chapters=tuple(chapters),
                      slug=path.stem)
