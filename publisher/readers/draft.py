"""What every reader hands over: a typed draft of the book, before it is checked and converted.

A reader (book folder, plain-text story, one Markdown file…) turns its source into a BookDraft;
`assemble` turns any draft into the Manuscript, and `publisher import` writes a draft out as a
book folder. Prose stays as the source wrote it (Markdown, or HTML still to be sanitised), each
piece with the place it came from, so a problem found later names the right file and line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem
from ..manuscript import Metadata

MARKDOWN, HTML = "markdown", "html"


@dataclass(frozen=True)
class Place:
    """Where a piece of text came from, for messages."""

    path: str  # as shown to the author: "books/x/chapters/02.md"
    line: int | None = None  # None when the text was made from another file and its lines mean nothing


@dataclass(frozen=True)
class Prose:
    """A piece of the book's text as the source wrote it."""

    text: str
    place: Place
    format: str = MARKDOWN  # MARKDOWN, or HTML from a markup source (sanitised like any raw HTML)

    def __bool__(self) -> bool:
        return bool(self.text.strip())


@dataclass(frozen=True)
class FileRef:
    """A file the book names (its cover image), and where it is named."""

    name: str
    place: Place


@dataclass
class Trace:
    """What became of each piece of a source that is not ours (a .txt story), in source order, so
    `publisher check` and the tests can prove that no word was lost."""

    pieces: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)

    def add(self, kind: str, text: str) -> None:
        if text.strip():
            self.pieces.append((kind, text))

    def text(self, *kinds: str) -> str:
        return "\n".join(text for kind, text in self.pieces if kind in kinds)


# The kinds of piece a trace holds: kept in order / moved before chapter one / kept, but set apart
# from the running text (footnotes, at the page's foot in print) / recognised markup / chrome
# dropped by rule (a Gutenberg licence), or a note about a guess the reader made.
BODY, FRONT, ASIDE, LABEL, DROPPED, NOTE = "body", "front", "aside", "label", "dropped", "note"


@dataclass(frozen=True)
class ChapterDraft:
    body: Prose
    title: str = ""  # "" → the heading on the body's first line, else "Chapter N"
    summary: Prose | None = None
    notes: Prose | None = None
    end_notes: Prose | None = None


@dataclass(frozen=True)
class MatterDraft:
    """A front- or back-matter section (a foreword, an afterword…): kind is one of
    manuscript.FRONT_KINDS or BACK_KINDS."""

    kind: str
    body: Prose
    title: str = ""  # "" → the heading on the body's first line, else the kind's name ("About the Author")


@dataclass(frozen=True)
class PartDraft:
    """A part, a volume, or one work of an anthology (then `work` is that work's own draft, whose
    chapters and parts are this part's)."""

    title: str
    place: Place  # its _part.md, its folder, or its heading's line
    chapters: tuple[ChapterDraft, ...] = ()
    parts: tuple[PartDraft, ...] = ()  # one level down at most
    subtitle: str = ""
    intro: Prose | None = None
    work: BookDraft | None = None


@dataclass(frozen=True)
class BookDraft:
    metadata: Metadata  # titles as written; an empty identifier is derived from title and authors
    chapters: tuple[ChapterDraft, ...]  # a book without parts; with parts, what comes before the first
    root: Path  # images resolve inside this folder
    place: Place  # book.toml, or the story file itself
    slug: str  # names the built files
    summary: Prose | None = None
    disclaimer: Prose | None = None
    dedication: Prose | None = None
    notes: tuple[tuple[str, Prose], ...] = ()  # labelled front-matter notes ("Beta", …)
    cover: FileRef | None = None  # an image inside `root`
    front_matter: str = "auto"  # "full", "compact", or "auto": compact for a short work
    problems: tuple[Problem, ...] = ()  # found while reading, reported with those found later
    packaged: dict[str, bytes] = field(default_factory=dict, compare=False)  # images inside the source (an EPUB)
    trace: Trace = field(default_factory=Trace, compare=False)
    parts: tuple[PartDraft, ...] = ()  # after `chapters`, in order
    epigraph: Prose | None = None
    epigraph_source: str = ""  # who said it, set below it: "Ecclesiastes 1:9"
    front_sections: tuple[MatterDraft, ...] = ()  # foreword, preface, introduction
    back_matter: tuple[MatterDraft, ...] = ()
    numbering: str = "book"  # chapter numbers run through the "book", or restart in each "part"

    def all_chapters(self) -> tuple[ChapterDraft, ...]:
        def inside(part: PartDraft) -> tuple[ChapterDraft, ...]:
            return part.chapters + tuple(c for p in part.parts for c in inside(p))
        return self.chapters + tuple(c for part in self.parts for c in inside(part))


@dataclass(frozen=True)
class Overrides:
    """What the author says on the command line beats what the source says."""

    title: str = ""
    author: str = ""
    language: str = ""
