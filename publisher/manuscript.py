"""The manuscript model: what every reader builds and every writer receives.

A manuscript model assembles chapters with title, summary and disclaimer pages and hands them
to EPUB and PDF writers. Everything here is a frozen dataclass with no I/O and no imports of
our own: text that will be shown is already an XHTML fragment (``*_html``), produced by the
readers, so writers never see Markdown or plain text.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StoryInfo:
    """Fan-fiction details shown on the story title page, as the archives show them."""

    fandoms: tuple[str, ...] = ()
    rating: str = ""
    warnings: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # the archive's relationship categories: F/F, Gen…
    relationships: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    status: str = ""  # "Complete", "In progress"
    published: str = ""  # dates as the archive gives them
    updated: str = ""

    def fields(self) -> list[tuple[str, str]]:
        """The non-empty details as (label, text) pairs, in the archives' order."""
        pairs = [
            ("Fandom", ", ".join(self.fandoms)),
            ("Rating", self.rating),
            ("Warnings", ", ".join(self.warnings)),
            ("Category", ", ".join(self.categories)),
            ("Relationships", ", ".join(self.relationships)),
            ("Characters", ", ".join(self.characters)),
            ("Tags", ", ".join(self.tags)),
            ("Status", self.status),
            ("Published", self.published),
            ("Updated", self.updated),
        ]
        return [(label, text) for label, text in pairs if text]


@dataclass(frozen=True)
class Metadata:
    """What the book says about itself: title page, OPF metadata, PDF info."""

    title: str
    identifier: str
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    language: str = "en"
    isbn: str = ""
    publisher: str = ""
    date: str = ""
    rights: str = ""
    series: str = ""
    series_index: float | None = None
    subjects: tuple[str, ...] = ()
    story: StoryInfo | None = None
    source: str = ""  # the edition this one was transcribed from: "Project Gutenberg eBook #1342"

    @property
    def byline(self) -> str:
        if len(self.authors) <= 2:
            return " and ".join(self.authors)
        return ", ".join(self.authors[:-1]) + " and " + self.authors[-1]


@dataclass(frozen=True)
class Resource:
    """A file packed with the book (an image), already read and checked by a reader."""

    name: str  # path inside the book, e.g. "images/lamp.svg"
    media_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Note:
    """A labelled front-matter note kept from an imported header (e.g. "Beta: ...")."""

    label: str
    html: str


# The kinds of front- and back-matter section a book folder may give (a prologue or an epilogue
# is a chapter), in the order a book prints them when nothing says otherwise.
FRONT_KINDS = ("foreword", "preface", "introduction")
BACK_KINDS = ("afterword", "acknowledgements", "about-the-author", "appendix", "glossary", "endnotes", "also-by",
              "colophon")


@dataclass(frozen=True)
class Matter:
    """A section before or after the story, set like a chapter but not numbered: a foreword, an
    afterword, acknowledgements, an appendix…"""

    kind: str  # one of FRONT_KINDS or BACK_KINDS
    title: str
    html: str
    slug: str  # its file and anchor name: "afterword", "appendix-2"
    source: str = ""
    words: int = 0


@dataclass(frozen=True)
class FrontMatter:
    """The pages before chapter one. A page exists exactly when its text does."""

    summary_html: str = ""
    disclaimer_html: str = ""
    dedication_html: str = ""
    notes: tuple[Note, ...] = ()
    cover: Resource | None = None
    epigraph_html: str = ""  # the epigraph page's text, its source already set below it
    sections: tuple[Matter, ...] = ()  # foreword, preface, introduction: after the contents, roman folios
    compact: bool = False  # a short work: no half-title, its notes on one page, no contents for one chapter

    @property
    def has_summary_page(self) -> bool:
        return bool(self.summary_html)

    @property
    def has_disclaimer_page(self) -> bool:
        return bool(self.disclaimer_html)

    @property
    def has_dedication(self) -> bool:
        return bool(self.dedication_html)


@dataclass(frozen=True)
class Chapter:
    """One chapter: its title, number and body, with the author's summary and notes."""

    number: int  # as printed: restarts in each part when the book numbers by part
    title: str
    body_html: str
    summary_html: str = ""
    notes_html: str = ""
    end_notes_html: str = ""
    source: str = ""  # where it came from, for messages: "chapters/02-bridge.md"
    words: int = 0
    index: int = 0  # its place in the whole book, from 1; 0 → its number

    @property
    def slug(self) -> str:
        return f"chapter-{self.index or self.number:03d}"


@dataclass(frozen=True)
class Work:
    """One work bound in an anthology: what its own title page shows."""

    metadata: Metadata
    front_matter: FrontMatter  # its summary, disclaimer, dedication and notes
    words: int = 0
    chapters: int = 0


@dataclass(frozen=True)
class Part:
    """A part of the book (or a volume, or one work of an anthology) and the chapters in it.

    A part with no title is no part at all to a reader: its chapters follow what came before with
    no part page, which is how a book without parts is one unnamed part. A part may hold parts
    one level down (a volume's books); its own chapters come before them."""

    title: str
    slug: str  # "part-01"
    chapters: tuple[Chapter, ...] = ()
    parts: tuple[Part, ...] = ()
    subtitle: str = ""
    intro_html: str = ""  # set on the part's page below its title: an epigraph, a short introduction
    work: Work | None = None
    front: tuple[Matter, ...] = ()  # a work's own foreword…, after its title page
    back: tuple[Matter, ...] = ()  # a work's own afterword…, after its last chapter

    def all_chapters(self) -> tuple[Chapter, ...]:
        return self.chapters + tuple(c for part in self.parts for c in part.all_chapters())


@dataclass(frozen=True)
class Manuscript:
    """A whole book, ready for any writer."""

    metadata: Metadata
    front_matter: FrontMatter
    parts: tuple[Part, ...]  # the body, in reading order
    resources: tuple[Resource, ...] = ()
    slug: str = "book"
    back_matter: tuple[Matter, ...] = ()

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        """Every chapter, in reading order, whatever part it is in."""
        return tuple(chapter for part in self.parts for chapter in part.all_chapters())

    @property
    def is_anthology(self) -> bool:
        return any(part.work for part in self.parts)

    @property
    def words(self) -> int:
        """The story's words: its chapters, not the pages around them."""
        return sum(chapter.words for chapter in self.chapters)

    def body(self) -> list[tuple[int, Part | Chapter | Matter]]:
        """The body in reading order, each part, chapter (and a work's own front and back matter) with
        its depth in the contents (1 for the top level); an unnamed part adds no level."""
        order: list[tuple[int, Part | Chapter | Matter]] = []

        def walk(part: Part, depth: int) -> None:
            if part.title:
                order.append((depth, part))
                depth += 1
            order.extend((depth, item) for item in part.front + part.chapters)
            for inner in part.parts:
                walk(inner, depth)
            order.extend((depth, matter) for matter in part.back)

        for part in self.parts:
            walk(part, 1)
        return order

    def resource(self, name: str) -> Resource | None:
        return next((r for r in self.resources if r.name == name), None)
