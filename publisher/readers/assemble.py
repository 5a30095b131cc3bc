"""A BookDraft (from any reader) → the Manuscript, checked: every problem is raised at once.

Every reader ends here, so a book folder, an imported story and a single Markdown file become
the same kind of Manuscript, checked the same way: prose converted and sanitised, titles set
with typographic quotes, images read from inside the book, an identifier derived when the
source gives none.
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from pathlib import Path

from .. import workers
from ..cache import Shelf, key
from ..errors import ManuscriptError, Problem, Warnings
from ..manuscript import Chapter, FrontMatter, Manuscript, Matter, Metadata, Note, Part, Resource, Work
from ..metadata import derive_identifier
from . import markup
from .draft import BookDraft, ChapterDraft, MatterDraft, PartDraft, Prose
from .resources import checked_image, load_image

# A work shorter than this (or of one chapter) gets compact front matter unless it says otherwise.
SHORT_WORK_WORDS = 3000
# Below this, converting chapters in worker processes costs more than it saves.
PARALLEL_CHAPTERS, PARALLEL_CHARACTERS = 16, 1_000_000


def _line_of(text: str, needle: str, first_line: int | None) -> int | None:
    if first_line is None:
        return None
    for number, line in enumerate(text.split("\n")):
        if needle in line:
            return first_line + number
    return first_line


def _convert_all(bodies: list[Prose], language: str, jobs: int, shelf: Shelf) -> list[markup.Fragment]:
    """Each chapter body converted: as an earlier build converted it (from the cache's shelf), else
    now, in worker processes when many are left, and put on the shelf for the next build."""
    names = [key(markup.fingerprint(), language, body.format, body.text) for body in bodies]
    found: list[markup.Fragment | None] = [None] * len(bodies)
    for i, name in enumerate(names):
        data = shelf.get(name)
        if data is not None:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                found[i] = markup.Fragment.from_bytes(data)
    todo = [i for i, fragment in enumerate(found) if fragment is None]
    for i, fragment in zip(todo, _convert([bodies[i] for i in todo], language, jobs)):
        found[i] = fragment
        shelf.put(names[i], fragment.to_bytes())
    return found


def _convert(bodies: list[Prose], language: str, jobs: int) -> list[markup.Fragment]:
    if len(bodies) >= PARALLEL_CHAPTERS and sum(len(b.text) for b in bodies) >= PARALLEL_CHARACTERS \
            and workers.count(jobs) > 1:
        from concurrent.futures.process import BrokenProcessPool

        try:
            with workers.executor(jobs, ("publisher.readers.markup",), light=True) as pool:
                return list(pool.map(markup.convert, [b.text for b in bodies], [language] * len(bodies),
                                     [b.format for b in bodies], chunksize=8))
        except BrokenProcessPool:
            pass  # the chapters are converted here instead
    return [markup.convert(body.text, language, body.format) for body in bodies]


MATTER_TITLES = {"foreword": "Foreword", "preface": "Preface", "introduction": "Introduction",
                 "afterword": "Afterword", "acknowledgements": "Acknowledgements",
                 "about-the-author": "About the Author", "appendix": "Appendix", "glossary": "Glossary",
                 "endnotes": "Notes", "also-by": "Also by", "colophon": "Colophon"}


class _Assembler:
    """Converts a draft's prose, resolving its images (a work of an anthology resolves its own
    inside its own folder, and its images are kept apart from the others')."""

    def __init__(self, language: str, warn: Warnings, problems: list[Problem]):
        self.language, self.warn, self.problems = language, warn, problems
        self.images: dict[str, Resource] = {}
        self.chapter_index = self.part_index = 0
        self.matter_slugs: set[str] = set()

    def html(self, prose: Prose | None, source: BookDraft, prefix: str = "",
             fragment: markup.Fragment | None = None) -> markup.Fragment:
        if not prose:
            return markup.Fragment("", (), 0)
        where, first_line = prose.place.path, prose.place.line
        fragment = fragment or markup.convert(prose.text, self.language, prose.format)
        if fragment.removed:
            lines = [_line_of(prose.text, re.sub(r"[<>=]|: link$", "", item), first_line) for item in fragment.removed]
            self.warn(f"removed what an ebook may not contain: {', '.join(fragment.removed)}", where,
                      min(lines) if None not in lines else None)
        for href in fragment.unlinked:
            self.warn(f"link {href!r} points to nothing in the book: kept as text", where,
                      _line_of(prose.text, href, first_line))
        html = fragment.html
        for src, alt in fragment.images:
            line = _line_of(prose.text, src, first_line)
            if not alt.strip():
                self.problems.append(Problem(f"image {src!r} has no alt text: describe it in ![...]", where, line))
            try:
                resource = self.images.get(prefix + src) or self.image(src, source, prefix)
            except Problem as problem:
                self.problems.append(Problem(problem.message, where, line))
                continue
            self.images[prefix + src] = resource
            if resource.name != src:
                html = html.replace(f'src="{src}"', f'src="{resource.name}"')
        return replace(fragment, html=html)

    @staticmethod
    def image(src: str, source: BookDraft, prefix: str) -> Resource:
        resource = checked_image(src, source.packaged[src]) if src in source.packaged else load_image(source.root, src)
        return replace(resource, name=prefix + resource.name) if prefix else resource

    def chapter(self, draft: ChapterDraft, number: int, source: BookDraft, prefix: str,
                ready: markup.Fragment) -> Chapter:
        self.chapter_index += 1
        body = self.html(draft.body, source, prefix, ready)
        if not draft.body:
            self.warn("chapter is empty", draft.body.place.path)
        return Chapter(
            number=number, title=markup.typeset_title(draft.title or f"Chapter {number}", self.language),
            body_html=body.html, summary_html=self.html(draft.summary, source, prefix).html,
            notes_html=self.html(draft.notes, source, prefix).html,
            end_notes_html=self.html(draft.end_notes, source, prefix).html, source=draft.body.place.path,
            words=body.words, index=self.chapter_index)

    def matter(self, draft: MatterDraft, source: BookDraft, byline: str, prefix: str = "") -> Matter:
        body = self.html(draft.body, source, prefix)
        slug, n = draft.kind, 2
        while slug in self.matter_slugs:
            slug, n = f"{draft.kind}-{n}", n + 1
        self.matter_slugs.add(slug)
        title = draft.title or MATTER_TITLES[draft.kind] + (f" {byline}" if draft.kind == "also-by" and byline else "")
        return Matter(draft.kind, markup.typeset_title(title, self.language), body.html, slug,
                      draft.body.place.path, body.words)

    def front_matter(self, draft: BookDraft, compact: bool, prefix: str = "") -> FrontMatter:
        """The pages before the text; its foreword and others are made apart, where they go."""
        epigraph = self.html(draft.epigraph, draft, prefix).html
        if epigraph and draft.epigraph_source:  # Markdown too: a book's title in it is *emphasised*
            source = markup.convert(f"— {draft.epigraph_source}", self.language).html
            epigraph += source.replace("<p>", '<p class="epigraph-source">', 1)
        return FrontMatter(
            summary_html=self.html(draft.summary, draft, prefix).html,
            disclaimer_html=self.html(draft.disclaimer, draft, prefix).html,
            dedication_html=self.html(draft.dedication, draft, prefix).html,
            notes=tuple(Note(label, self.html(prose, draft, prefix).html) for label, prose in draft.notes),
            epigraph_html=epigraph,
            compact=compact)


def assemble(draft: BookDraft, warn: Warnings | None = None, jobs: int = 1, cache: Path | None = None) -> Manuscript:
    """Check and convert everything; raise ManuscriptError listing every problem. Chapters converted
    by an earlier build are taken from `cache` (publisher's cache folder; None: convert them all)."""
    warn = warn if warn is not None else Warnings()
    problems: list[Problem] = list(draft.problems)
    language = draft.metadata.language
    metadata = _typeset_metadata(draft.metadata, language)
    build = _Assembler(language, warn, problems)
    works = [part.work for part in draft.parts if part.work is not None]
    for work in works:
        problems.extend(work.problems)
    # Every chapter of every work, converted at once (in worker processes when the book is long).
    everything = list(draft.all_chapters()) + [c for work in works for c in work.all_chapters()]
    converted = iter(_convert_all([c.body for c in everything], language, jobs, Shelf(cache, "html")))
    ready = {id(chapter): next(converted) for chapter in everything}

    def part_of(part: PartDraft, source: BookDraft, counter: list[int], prefix: str, work_number: int = 0) -> Part:
        work = part.work
        if work is not None:
            source, counter, prefix = work, [0], f"work-{work_number:02d}/"
        elif source.numbering == "part" and part.title:
            counter = [0]
        title = part.title or (work.metadata.title if work else "")
        slug = ""  # an unnamed part has no page to name
        if title:
            build.part_index += 1
            slug = f"part-{build.part_index:02d}"
        # A work's own foreword and afterword stay with it, inside its part.
        byline = work.metadata.byline if work else ""
        front = tuple(build.matter(m, work, byline, prefix) for m in work.front_sections) if work else ()
        chapters = []
        for chapter in (work.chapters if work else part.chapters):
            counter[0] += 1
            chapters.append(build.chapter(chapter, counter[0], source, prefix, ready[id(chapter)]))
        inner = tuple(part_of(p, source, counter, prefix) for p in (work.parts if work else part.parts))
        made_work, back = None, ()
        if work is not None:
            back = tuple(build.matter(m, work, byline, prefix) for m in work.back_matter)
            all_chapters = tuple(chapters) + tuple(c for p in inner for c in p.all_chapters())
            made_work = Work(_typeset_metadata(work.metadata, language),
                             build.front_matter(work, False, prefix),
                             sum(c.words for c in all_chapters), len(all_chapters))
        return Part(markup.typeset_title(title, language), slug, tuple(chapters), inner,
                    markup.typeset_title(part.subtitle, language), build.html(part.intro, source, prefix).html,
                    made_work, front, back)

    # The book's own sections first, so a work's foreword is the one that becomes "foreword-2".
    own_front = tuple(build.matter(m, draft, metadata.byline) for m in draft.front_sections)
    back = tuple(build.matter(m, draft, metadata.byline) for m in draft.back_matter)
    counter = [0]
    parts = []
    if draft.chapters:
        parts.append(part_of(PartDraft("", draft.place, draft.chapters), draft, counter, ""))
    for number, part in enumerate(draft.parts, 1):
        parts.append(part_of(part, draft, counter, "", number))
    chapters = [c for p in parts for c in p.all_chapters()]
    if not chapters:
        hint = "add Markdown files to chapters/" if draft.place.path.endswith("book.toml") else \
            "no text was found in it: is it the right file?"
        problems.append(Problem(f"the book has no chapters: {hint}", draft.place.path))

    cover = None
    if draft.cover:
        try:
            name = draft.cover.name
            cover = checked_image(name, draft.packaged[name]) if name in draft.packaged else \
                load_image(draft.root, name)
        except Problem as problem:
            problems.append(Problem(f"cover: {problem.message}", draft.cover.place.path, draft.cover.place.line))
    compact = draft.front_matter == "compact" or draft.front_matter == "auto" and not works and (
        len(chapters) == 1 or sum(c.words for c in chapters) < SHORT_WORK_WORDS)
    front = replace(build.front_matter(draft, compact), cover=cover, sections=own_front)
    if problems:
        raise ManuscriptError(problems)
    # Two spellings of one path ("./images/a.png", "images/a.png") are one resource.
    resources = tuple(sorted({r.name: r for r in build.images.values()}.values(), key=lambda r: r.name))
    return Manuscript(metadata=metadata, front_matter=front, parts=tuple(parts), resources=resources,
                      slug=draft.slug, back_matter=back)


def _typeset_metadata(meta: Metadata, language: str) -> Metadata:
    return replace(meta, title=markup.typeset_title(meta.title, language),
                   subtitle=markup.typeset_title(meta.subtitle, language),
                   identifier=meta.identifier or derive_identifier(meta.title, meta.authors))
