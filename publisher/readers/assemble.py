"""A BookSource (book.toml text + Markdown chapters + the folder they live in) → a Manuscript.

Every reader produces a BookSource and ends here, so a book folder, an imported story and a
single Markdown file become the same kind of Manuscript, checked the same way. All problems
found are raised together as one ManuscriptError.
"""
from __future__ import annotations

import difflib
import re
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from .. import workers
from ..errors import ManuscriptError, Problem, Warnings
from ..manuscript import BackMatter, Chapter, FrontMatter, Manuscript, Note, Resource
from ..metadata import parse_book_toml
from . import markup
from .resources import load_image

CHAPTER_KEYS = ("title", "summary", "notes", "end_notes")


@dataclass(frozen=True)
class ChapterSource:
    path: str  # as shown in messages: "books/x/chapters/02.md"
    text: str
    has_lines: bool = True  # False when the Markdown was made from another file: its lines mean nothing

@dataclass(frozen=True)
class BookSource:
    root: Path  # images resolve inside this folder
    toml_path: str
    toml_text: str
    chapters: tuple[ChapterSource, ...]
    slug: str


def split_front_matter(source: ChapterSource) -> tuple[dict[str, str], str, int, list[Problem]]:
    """Chapter front matter between ``---`` lines → (fields, body, body's first line, problems)."""
    lines = source.text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, source.text, 1, []
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        return {}, source.text, 1, [Problem("front matter opened with '---' is never closed", source.path, 1)]
    fields: dict[str, str] = {}
    problems: list[Problem] = []
    key = None
    for number, line in enumerate(lines[1:end], 2):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:\s?(.*)$", line)
        if match and not line[:1].isspace():
            key = match[1].lower().replace("-", "_")
            if key not in CHAPTER_KEYS:
                near = difflib.get_close_matches(key, CHAPTER_KEYS, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else f"; use {', '.join(CHAPTER_KEYS)}"
                problems.append(Problem(f"unknown chapter field {key!r}{hint}", source.path, number))
            value = match[2].strip()
            fields[key] = "" if value in ("|", ">") else _unquote(value)
        elif key and line.strip():
            fields[key] = (fields[key] + "\n" + line.strip()).strip()
        elif key:
            fields[key] += "\n"
        elif line.strip():
            problems.append(Problem("expected 'field: value' in front matter", source.path, number))
    return {k: v.strip() for k, v in fields.items()}, "\n".join(lines[end + 1:]), end + 2, problems


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def take_title(body: str) -> tuple[str, str]:
    """A leading ``# Title`` line → (title, rest); otherwise ("", body)."""
    match = re.match(r"^\s*#(?!#)\s+(.+?)\s*#*\s*(?:\n|$)", body)
    if not match:
        return "", body
    return match[1], body[match.end():]


def _line_of(text: str, needle: str, first_line: int | None) -> int | None:
    if first_line is None:
        return None
    for number, line in enumerate(text.split("\n")):
        if needle in line:
            return first_line + number
    return first_line


# Below this, converting chapters in worker processes costs more than it saves.
PARALLEL_CHAPTERS, PARALLEL_CHARACTERS = 16, 1_000_000


def _render_all(texts: list[str], language: str, jobs: int) -> dict[str, markup.Fragment]:
    """Markdown → XHTML for many chapters at once, in worker processes when the book is long;
    keyed by the text as written (html_of reports what cleaning removes)."""
    if workers.count(jobs) < 2 or len(texts) < PARALLEL_CHAPTERS or sum(map(len, texts)) < PARALLEL_CHARACTERS:
        return {}
    cleaned = [markup.strip_invalid_xml(text)[0] for text in texts]
    try:
        with workers.executor(jobs) as pool:
            return dict(zip(texts, pool.map(markup.render, cleaned, [language] * len(texts), chunksize=8)))
    except BrokenProcessPool:
        return {}  # the chapters are converted here instead


def assemble(source: BookSource, warn: Warnings | None = None, jobs: int = 1) -> Manuscript:
    """Check and convert everything; raise ManuscriptError listing every problem."""
    warn = warn or Warnings()
    problems: list[Problem] = []
    try:
        config = parse_book_toml(source.toml_text, source.toml_path)
    except ManuscriptError as error:
        raise ManuscriptError(error.problems + _chapter_problems(source)) from None
    language = config.metadata.language
    metadata = replace(config.metadata, title=markup.typeset_title(config.metadata.title, language),
                       subtitle=markup.typeset_title(config.metadata.subtitle, language))
    images: dict[str, Resource] = {}

    def html_of(text: str, where: str, first_line: int | None = 1) -> markup.Fragment:
        cleaned, removed = markup.strip_invalid_xml(text)
        if removed:
            warn(f"removed {removed} control character(s) that cannot appear in a book", where, first_line)
        fragment = rendered.get(text) or markup.render(cleaned, language)
        if fragment.removed:
            lines = [_line_of(text, re.sub(r"[<>=]|: link$", "", item), first_line) for item in fragment.removed]
            warn(f"removed what an ebook may not contain: {', '.join(fragment.removed)}", where,
                 min(lines) if None not in lines else None)
        html = fragment.html
        for src, alt in fragment.images:
            line = _line_of(text, src, first_line)
            if not alt.strip():
                problems.append(Problem(f"image {src!r} has no alt text: describe it in ![...]", where, line))
            try:
                resource = images.get(src) or load_image(source.root, src)
            except Problem as problem:
                problems.append(Problem(problem.message, where, line))
                continue
            images[src] = resource
            if resource.name != src:
                html = html.replace(f'src="{src}"', f'src="{resource.name}"')
        return markup.Fragment(html, fragment.images, fragment.words, fragment.removed)

    prepared = []
    for chapter in source.chapters:
        fields, body, first_line, found = split_front_matter(chapter)
        problems += found
        title = fields.get("title", "")
        if not title:
            title, body = take_title(body)
        prepared.append((chapter, fields, body, first_line, title))
    rendered = _render_all([body for _, _, body, _, _ in prepared], language, jobs)

    chapters = []
    for number, (chapter, fields, body, first_line, title) in enumerate(prepared, 1):
        body_fragment = html_of(body, chapter.path, first_line if chapter.has_lines else None)
        if not body.strip():
            warn("chapter is empty", chapter.path)
        chapters.append(Chapter(
            number=number, title=markup.typeset_title(title or f"Chapter {number}", language),
            body_html=body_fragment.html,
            summary_html=html_of(fields["summary"], chapter.path).html if fields.get("summary") else "",
            notes_html=html_of(fields["notes"], chapter.path).html if fields.get("notes") else "",
            end_notes_html=html_of(fields["end_notes"], chapter.path).html if fields.get("end_notes") else "",
            source=chapter.path, words=body_fragment.words,
        ))
    if not chapters:
        problems.append(Problem("the book has no chapters: add Markdown files to chapters/", source.toml_path))

    def page(text: str) -> str:
        return html_of(text, source.toml_path, _line_of(source.toml_text, text.split("\n")[0], 1)).html if text else ""

    cover = None
    if config.cover:
        try:
            cover = load_image(source.root, config.cover)
        except Problem as problem:
            problems.append(Problem(f"cover: {problem.message}", source.toml_path,
                                    _line_of(source.toml_text, "cover", 1)))
    front = FrontMatter(
        summary_html=page(config.summary), disclaimer_html=page(config.disclaimer),
        dedication_html=page(config.dedication),
        notes=tuple(Note(label, page(text)) for label, text in config.notes.items()), cover=cover,
    )
    if problems:
        raise ManuscriptError(problems)
    # Two spellings of one path ("./images/a.png", "images/a.png") are one resource.
    resources = tuple(sorted({r.name: r for r in images.values()}.values(), key=lambda r: r.name))
    return Manuscript(metadata=metadata, front_matter=front, chapters=tuple(chapters),
                      back_matter=BackMatter(), resources=resources, slug=source.slug)


def _chapter_problems(source: BookSource) -> list[Problem]:
    """Front-matter problems of the chapters, so a broken book.toml does not hide them."""
    return [p for chapter in source.chapters for p in split_front_matter(chapter)[3]]
