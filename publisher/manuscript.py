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


@dataclass(frozen=True)
class FrontMatter:
    """The pages before chapter one. A page exists exactly when its text does."""

    summary_html: str = ""
    disclaimer_html: str = ""
    dedication_html: str = ""
    notes: tuple[Note, ...] = ()
    cover: Resource | None = None
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

    number: int
    title: str
    body_html: str
    summary_html: str = ""
    notes_html: str = ""
    end_notes_html: str = ""
    source: str = ""  # where it came from, for messages: "chapters/02-bridge.md"
    words: int = 0

    @property
    def slug(self) -> str:
        return f"chapter-{self.number:03d}"


@dataclass(frozen=True)
class Manuscript:
    """A whole book, ready for any writer."""

    metadata: Metadata
    front_matter: FrontMatter
    chapters: tuple[Chapter, ...]
    resources: tuple[Resource, ...] = ()
    slug: str = "book"

    @property
    def words(self) -> int:
        return sum(chapter.words for chapter in self.chapters)

    def resource(self, name: str) -> Resource | None:
        return next((r for r in self.resources if r.name == name), None)
