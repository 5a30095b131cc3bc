"""A book folder (book.toml + chapters/*.md + images/) ⇄ a BookDraft.

`read_folder` reads one; `folder_files` writes a draft out as one (for `publisher import`), so
the two agree on the layout. Chapters are taken in natural order (2 before 10) unless
book.toml lists them. Every problem in every file is collected, not just the first.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

import tomli_w

from ..errors import ManuscriptError, Problem, Warnings
from ..manuscript import Metadata
from ..metadata import BookConfig, parse_book_toml
from . import frontmatter
from .decode import read_text
from .draft import BookDraft, ChapterDraft, FileRef, Overrides, PartDraft, Place, Prose

CHAPTER_KEYS = ("title", "summary", "notes", "end_notes")


def natural_key(path: Path) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.split("\n"), 1):
        if needle and needle in line:
            return number
    return None


def read_folder(folder: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    """Read every file of the book; problems go into the draft, to be reported with assemble's."""
    toml_path = folder / "book.toml"
    where = _display(toml_path)
    if not toml_path.is_file():
        raise ManuscriptError([Problem("no book.toml here: is this a book folder? (publisher new DIR makes one)",
                                       where)])
    problems: list[Problem] = []
    try:
        toml_text = read_text(toml_path, where, warn)
    except Problem as problem:
        problems.append(problem)
        toml_text = ""
    try:
        config = parse_book_toml(toml_text, where, warn)
    except ManuscriptError as error:
        problems += error.problems
        config = BookConfig(Metadata(title="", identifier=""), chapters=_listed_anyway(toml_text))
    if config.chapters:
        paths = []
        for name in config.chapters:
            if (folder / name).is_file():
                paths.append(folder / name)
            else:
                problems.append(Problem(f"chapter {name} listed in book.toml does not exist", where,
                                        _line_of(toml_text, name)))
    else:
        paths = sorted((folder / "chapters").glob("*.md"), key=natural_key)
    chapters = []
    for path in paths:
        chapter = _read_chapter(path, warn, problems)
        if chapter is not None:
            chapters.append(chapter)

    def prose(text: str) -> Prose | None:
        first = text.split("\n")[0]
        return Prose(text, Place(where, _line_of(toml_text, first) or 1)) if text else None

    return BookDraft(
        metadata=apply(config.metadata, overrides), chapters=tuple(chapters), root=folder, place=Place(where),
        slug=folder.resolve().name, summary=prose(config.summary), disclaimer=prose(config.disclaimer),
        dedication=prose(config.dedication), notes=tuple((label, prose(text)) for label, text in config.notes.items()),
        cover=FileRef(config.cover, Place(where, _line_of(toml_text, "cover"))) if config.cover else None,
        problems=tuple(problems), front_matter=config.front_matter,
    )


def _listed_anyway(toml_text: str) -> tuple[str, ...]:
    """The chapter list of a book.toml that failed its checks, if it can be read at all."""
    try:
        listed = tomllib.loads(toml_text).get("chapters")
    except tomllib.TOMLDecodeError:
        return ()
    return tuple(listed) if isinstance(listed, list) and all(isinstance(n, str) for n in listed) else ()


def _read_chapter(path: Path, warn: Warnings, problems: list[Problem]) -> ChapterDraft | None:
    where = _display(path)
    try:
        text = read_text(path, where, warn)
    except Problem as problem:
        problems.append(problem)
        return None
    split = frontmatter.split(text, where, CHAPTER_KEYS, kind="chapter field")
    problems += split.problems
    fields = split.fields
    title, body, line = fields.get("title", ""), split.body, split.body_line
    if not title:
        title, body, line = take_title(body, line)

    def field(key: str) -> Prose | None:
        return Prose(fields[key], Place(where, None)) if fields.get(key) else None

    return ChapterDraft(Prose(body, Place(where, line)), title, field("summary"), field("notes"), field("end_notes"))


def take_title(body: str, line: int | None) -> tuple[str, str, int | None]:
    """A leading ``# Title`` line → (title, the rest, the rest's first line); else ("", body, line).
    Pandoc's attributes after a title (``{#id .unnumbered}``) are not part of it."""
    match = re.match(r"^\s*#(?!#)\s+(.+?)\s*#*\s*(?:\n|$)", body)
    if not match:
        return "", body, line
    title, _ = heading_attributes(match[1])
    return title, body[match.end():], line + match[0].count("\n") if line else line


def heading_attributes(title: str) -> tuple[str, tuple[str, ...]]:
    """'Chapter 1 {#one .unlisted}' → ('Chapter 1', ('unlisted',)): the title and its classes."""
    match = re.search(r"\s*\{:?\s*((?:[#.][\w:-]+|[\w-]+=\S+)(?:\s+(?:[#.][\w:-]+|[\w-]+=\S+))*)\s*\}\s*$", title)
    if not match:
        return title, ()
    return title[:match.start()], tuple(part[1:] for part in match[1].split() if part.startswith("."))


def apply(metadata: Metadata, overrides: Overrides) -> Metadata:
    """The command line's title, author and language over the source's own."""
    changes = {}
    if overrides.title:
        changes["title"] = " ".join(overrides.title.split())
    if overrides.author:
        changes["authors"] = (" ".join(overrides.author.split()),)
    if overrides.language:
        changes["language"] = overrides.language
    return replace(metadata, **changes) if changes else metadata


# ---------------------------------------------------------------- writing a draft out


def folder_files(draft: BookDraft) -> dict[str, bytes]:
    """A draft as the files of a book folder, which read back as the same book: book.toml;
    chapters/NN-title.md, each part a folder chapters/NN-title/ (its _part.md, its chapters, then
    its own parts) numbered in the same run, so natural order is reading order; front/NN-kind.md
    and back/NN-kind.md for a foreword or an afterword."""
    files = {"book.toml": tomli_w.dumps(_toml(draft), multiline_strings=True).encode("utf-8")}
    _write_body("chapters", draft.chapters, draft.parts, files)
    for folder, sections in (("front", draft.front_sections), ("back", draft.back_matter)):
        for number, matter in enumerate(sections, 1):
            text = frontmatter.dump({"kind": matter.kind, "title": matter.title}, matter.body.text)
            files[f"{folder}/{number:02d}-{matter.kind}.md"] = text.encode("utf-8")
    files.update(draft.packaged)  # images that came inside the source (an EPUB, a Word file), at the same paths
    return files


def _write_body(folder: str, chapters: tuple[ChapterDraft, ...], parts: tuple[PartDraft, ...],
                files: dict[str, bytes], number: int = 0) -> int:
    """Chapters, then parts, as files and folders inside `folder` numbered on from `number`; an
    unnamed part's chapters are files in it, numbered between the folders around them."""
    for chapter in chapters:
        number += 1
        files[f"{folder}/{_file_name(number, chapter.title)}"] = _chapter_file(chapter)
    for part in parts:
        if not part.title:
            number = _write_body(folder, part.chapters, part.parts, files, number)
            continue
        number += 1
        inside = f"{folder}/{number:02d}-{_slug(part.title, 'part')}"
        files[f"{inside}/_part.md"] = frontmatter.dump({"title": part.title, "subtitle": part.subtitle},
                                                       part.intro.text if part.intro else "").encode("utf-8")
        _write_body(inside, part.chapters, part.parts, files)
    return number


def _chapter_file(chapter: ChapterDraft) -> bytes:
    fields = {"title": chapter.title}
    for key in ("summary", "notes", "end_notes"):
        value = getattr(chapter, key)
        fields[key] = value.text if value else ""
    return frontmatter.dump(fields, chapter.body.text).encode("utf-8")


def _toml(draft: BookDraft) -> dict:
    meta = draft.metadata
    data: dict = {"title": meta.title}
    for key in ("subtitle",):
        if getattr(meta, key):
            data[key] = getattr(meta, key)
    if len(meta.authors) == 1:
        data["author"] = meta.authors[0]
    elif meta.authors:
        data["authors"] = list(meta.authors)
    data["language"] = meta.language
    for key in ("summary", "disclaimer", "dedication"):
        if getattr(draft, key):
            data[key] = getattr(draft, key).text
    for key in ("identifier", "isbn", "publisher", "date", "rights", "series", "source"):
        if getattr(meta, key) and not (key == "identifier" and meta.isbn):
            data[key] = getattr(meta, key)
    if meta.series_index is not None:
        data["series_index"] = meta.series_index
    if meta.subjects:
        data["subjects"] = list(meta.subjects)
    if draft.cover:
        data["cover"] = draft.cover.name
    if draft.front_matter != "auto":
        data["front_matter"] = draft.front_matter
    if meta.story:
        story = {key: list(value) if isinstance(value, tuple) else value
                 for key, value in vars(meta.story).items() if value}
        if story:
            data["story"] = story
    if draft.notes:
        data["notes"] = {label: prose.text for label, prose in draft.notes}
    if draft.epigraph:
        data["epigraph"] = draft.epigraph.text
        if draft.epigraph_source:
            data["epigraph_source"] = draft.epigraph_source
    if draft.numbering != "book":
        data["numbering"] = draft.numbering
    return data


def _slug(title: str, fallback: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-") or fallback


def _file_name(number: int, title: str) -> str:
    return f"{number:02d}-{_slug(title, 'chapter')}.md"
