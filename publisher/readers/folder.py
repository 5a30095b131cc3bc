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

from ..errors import ManuscriptError, Problem, PublisherError, Warnings
from ..manuscript import BACK_KINDS, FRONT_KINDS, Metadata
from ..metadata import BookConfig, parse_book_toml
from . import frontmatter
from .decode import read_text
from .draft import BookDraft, ChapterDraft, FileRef, MatterDraft, Overrides, PartDraft, Place, Prose

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
    chapters: tuple[ChapterDraft, ...] = ()
    parts: tuple[PartDraft, ...] = ()
    if config.works:
        parts = tuple(_read_work(folder, name, toml_text, where, warn, problems) for name in config.works)
        parts = tuple(p for p in parts if p is not None)
    elif config.chapters:
        paths = []
        for name in config.chapters:
            if (folder / name).is_file():
                paths.append(folder / name)
            else:
                problems.append(Problem(f"chapter {name} listed in book.toml does not exist", where,
                                        _line_of(toml_text, name)))
        chapters = tuple(filter(None, (_read_chapter(path, warn, problems) for path in paths)))
    else:
        chapters, parts = _read_parts(folder / "chapters", 0, warn, problems)

    def prose(text: str) -> Prose | None:
        first = text.split("\n")[0]
        return Prose(text, Place(where, _line_of(toml_text, first) or 1)) if text else None

    metadata = config.metadata
    if config.works and not metadata.authors:  # the volume is by whoever wrote its works
        authors = [a for part in parts for a in part.work.metadata.authors]
        metadata = replace(metadata, authors=tuple(dict.fromkeys(authors)))
    back_files = [folder / name for name in config.back_matter] or _section_files(folder / "back")
    for name in config.back_matter:
        if not (folder / name).is_file():
            problems.append(Problem(f"back matter {name} listed in book.toml does not exist", where,
                                    _line_of(toml_text, name)))
    front_sections = _read_sections(_section_files(folder / "front"), FRONT_KINDS, warn, problems)
    back_matter = _read_sections([p for p in back_files if p.is_file()], BACK_KINDS, warn, problems)
    return BookDraft(
        metadata=apply(metadata, overrides), chapters=chapters, root=folder, place=Place(where),
        slug=folder.resolve().name, summary=prose(config.summary), disclaimer=prose(config.disclaimer),
        dedication=prose(config.dedication), notes=tuple((label, prose(text)) for label, text in config.notes.items()),
        cover=FileRef(config.cover, Place(where, _line_of(toml_text, "cover"))) if config.cover else None,
        problems=tuple(problems), front_matter=config.front_matter, parts=parts,
        epigraph=prose(config.epigraph), epigraph_source=config.epigraph_source,
        front_sections=front_sections, back_matter=back_matter,
        numbering=config.numbering,
    )


PART_FILE = "_part.md"  # in a part's folder: its title, subtitle and intro
PART_KEYS = ("title", "subtitle")
SECTION_KEYS = ("kind", "title")


def _read_parts(folder: Path, depth: int, warn: Warnings,
                problems: list[Problem]) -> tuple[tuple[ChapterDraft, ...], tuple[PartDraft, ...]]:
    """A folder's chapter files and part folders, in natural order: (the chapters before the first
    part, the parts); chapter files after a part folder make an unnamed part of their own."""
    if not folder.is_dir():
        return (), ()
    entries = sorted((p for p in folder.iterdir() if p.is_dir() or (p.suffix == ".md" and p.name != PART_FILE)),
                     key=natural_key)
    leading: list[ChapterDraft] = []
    parts: list[PartDraft] = []
    loose: list[ChapterDraft] = []
    for entry in entries:
        if entry.is_file():
            chapter = _read_chapter(entry, warn, problems)
            if chapter is not None:
                (loose if parts else leading).append(chapter)
            continue
        if entry.name.startswith((".", "_")):
            continue
        if loose:
            parts.append(PartDraft("", Place(_display(entry)), tuple(loose)))
            loose = []
        if depth >= 2:
            problems.append(Problem("parts nest one level deep at most (a volume's books): move this folder's "
                                    "chapters up a level", _display(entry)))
            continue
        parts.append(_read_part(entry, depth + 1, warn, problems))
    if loose:
        parts.append(PartDraft("", Place(_display(folder)), tuple(loose)))
    return tuple(leading), tuple(parts)


def _read_part(folder: Path, depth: int, warn: Warnings, problems: list[Problem]) -> PartDraft:
    chapters, inner = _read_parts(folder, depth, warn, problems)
    if not chapters and not inner:
        problems.append(Problem("a part folder with no chapters in it: add its chapters' .md files, or move the "
                                "folder out of chapters/", _display(folder)))
    path = folder / PART_FILE
    where = _display(path)
    if not path.is_file():
        title = part_title_from_name(folder.name)
        warn(f"no {PART_FILE}: the part is titled {title!r} from its folder's name", _display(folder))
        return PartDraft(title, Place(_display(folder)), chapters, inner)
    try:
        text = read_text(path, where, warn)
    except Problem as problem:
        problems.append(problem)
        return PartDraft(part_title_from_name(folder.name), Place(where), chapters, inner)
    split = frontmatter.split(text, where, PART_KEYS, kind="part field")
    problems += split.problems
    title, body, line = split.fields.get("title", ""), split.body, split.body_line
    if not title:
        title, body, line = take_title(body, line)
    if not title:
        title = part_title_from_name(folder.name)
        warn(f"{PART_FILE} gives no title (title: or a '# ' heading): the part is titled {title!r} from its "
             "folder's name", where)
    intro = Prose(body, Place(where, line)) if body.strip() else None
    return PartDraft(title, Place(where), chapters, inner, split.fields.get("subtitle", ""), intro)


def part_title_from_name(name: str) -> str:
    """A part folder's name → a title: "01-book-one" → "Book One"."""
    words = re.sub(r"^[\d\s._-]+", "", name).replace("_", " ").replace("-", " ").split()
    return " ".join(w if w.isupper() else w.capitalize() for w in words) or name


def _section_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.md"), key=natural_key) if folder.is_dir() else []


def _read_sections(paths: list[Path], kinds: tuple[str, ...], warn: Warnings,
                   problems: list[Problem]) -> tuple[MatterDraft, ...]:
    """front/ or back/ files: each says its kind (`kind: afterword`), or its file name does."""
    sections = []
    for path in paths:
        where = _display(path)
        try:
            text = read_text(path, where, warn)
        except Problem as problem:
            problems.append(problem)
            continue
        split = frontmatter.split(text, where, SECTION_KEYS, kind="section field")
        problems += split.problems
        kind = _kind(split.fields.get("kind", ""))
        if not kind:
            kind = next((k for k in kinds if k in _kind(path.stem)), "")
        if kind not in kinds:
            said = f"kind {kind!r}" if kind else "no kind"
            hint = "; a prologue or an epilogue is a chapter: put it in chapters/" if kind in ("prologue", "epilogue") \
                else ""
            problems.append(Problem(f"{said}: give one of {', '.join(kinds)} (kind: … in its front matter){hint}",
                                    where, _line_of(text, "kind:") or 1))
            continue
        title, body, line = split.fields.get("title", ""), split.body, split.body_line
        if not title:
            title, body, line = take_title(body, line)
        sections.append(MatterDraft(kind, Prose(body, Place(where, line)), title))
    return tuple(sections)


def _kind(text: str) -> str:
    """A section kind as written → as we name it: "About the author" → "about-the-author"; the US
    spelling "acknowledgments" is the same kind."""
    return re.sub(r"[\s_]+", "-", text.strip().lower()).replace("acknowledgments", "acknowledgements")


def _read_work(folder: Path, name: str, toml_text: str, where: str, warn: Warnings,
               problems: list[Problem]) -> PartDraft | None:
    """One work of an anthology, read by the reader its kind needs, as a part of the volume."""
    from . import draft as read_draft  # the registry imports this module

    path = folder / name
    try:
        work = read_draft(path, Overrides(), warn)
    except ManuscriptError as error:
        problems.extend(error.problems)
        return None
    except PublisherError as error:
        problems.append(Problem(f"work {name}: {error}", where, _line_of(toml_text, name)))
        return None
    return PartDraft("", work.place, work=work)


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
