"""A BookDraft (from any reader) → the Manuscript, checked: every problem is raised at once.

Every reader ends here, so a book folder, an imported story and a single Markdown file become
the same kind of Manuscript, checked the same way: prose converted and sanitised, titles set
with typographic quotes, images read from inside the book, an identifier derived when the
source gives none.
"""
from __future__ import annotations

import re
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from .. import workers
from ..errors import ManuscriptError, Problem, Warnings
from ..manuscript import Chapter, FrontMatter, Manuscript, Note, Resource
from ..metadata import derive_identifier
from . import markup
from .draft import BookDraft, Prose
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


def _convert_all(bodies: list[Prose], language: str, jobs: int) -> list[markup.Fragment | None]:
    """Each chapter body converted, in worker processes when the book is long; None where the
    caller converts it itself."""
    if workers.count(jobs) < 2 or len(bodies) < PARALLEL_CHAPTERS or sum(len(b.text) for b in bodies) < PARALLEL_CHARACTERS:
        return [None] * len(bodies)
    try:
        with workers.executor(jobs, ("publisher.readers.markup",)) as pool:
            return list(pool.map(markup.convert, [b.text for b in bodies], [language] * len(bodies),
                                 [b.format for b in bodies], chunksize=8))
    except BrokenProcessPool:
        return [None] * len(bodies)  # the chapters are converted here instead


def assemble(draft: BookDraft, warn: Warnings | None = None, jobs: int = 1) -> Manuscript:
    """Check and convert everything; raise ManuscriptError listing every problem."""
    warn = warn if warn is not None else Warnings()
    problems: list[Problem] = list(draft.problems)
    meta = draft.metadata
    language = meta.language
    metadata = replace(meta, title=markup.typeset_title(meta.title, language),
                       subtitle=markup.typeset_title(meta.subtitle, language),
                       identifier=meta.identifier or derive_identifier(meta.title, meta.authors))
    images: dict[str, Resource] = {}

    def html_of(prose: Prose | None, fragment: markup.Fragment | None = None) -> markup.Fragment:
        if not prose:
            return markup.Fragment("", (), 0)
        where, first_line = prose.place.path, prose.place.line
        fragment = fragment or markup.convert(prose.text, language, prose.format)
        if fragment.removed:
            lines = [_line_of(prose.text, re.sub(r"[<>=]|: link$", "", item), first_line) for item in fragment.removed]
            warn(f"removed what an ebook may not contain: {', '.join(fragment.removed)}", where,
                 min(lines) if None not in lines else None)
        for href in fragment.unlinked:
            warn(f"link {href!r} points to nothing in the book: kept as text", where,
                 _line_of(prose.text, href, first_line))
        html = fragment.html
        for src, alt in fragment.images:
            line = _line_of(prose.text, src, first_line)
            if not alt.strip():
                problems.append(Problem(f"image {src!r} has no alt text: describe it in ![...]", where, line))
            try:
                resource = images.get(src) or (checked_image(src, draft.packaged[src]) if src in draft.packaged
                                               else load_image(draft.root, src))
            except Problem as problem:
                problems.append(Problem(problem.message, where, line))
                continue
            images[src] = resource
            if resource.name != src:
                html = html.replace(f'src="{src}"', f'src="{resource.name}"')
        return replace(fragment, html=html)

    converted = _convert_all([chapter.body for chapter in draft.chapters], language, jobs)
    chapters = []
    for number, (chapter, ready) in enumerate(zip(draft.chapters, converted), 1):
        body = html_of(chapter.body, ready)
        if not chapter.body:
            warn("chapter is empty", chapter.body.place.path)
        chapters.append(Chapter(
            number=number, title=markup.typeset_title(chapter.title or f"Chapter {number}", language),
            body_html=body.html, summary_html=html_of(chapter.summary).html, notes_html=html_of(chapter.notes).html,
            end_notes_html=html_of(chapter.end_notes).html, source=chapter.body.place.path, words=body.words,
        ))
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
    front = FrontMatter(
        summary_html=html_of(draft.summary).html, disclaimer_html=html_of(draft.disclaimer).html,
        dedication_html=html_of(draft.dedication).html,
        notes=tuple(Note(label, html_of(prose).html) for label, prose in draft.notes), cover=cover,
        compact=draft.front_matter == "compact" or draft.front_matter == "auto" and (
            len(chapters) == 1 or sum(c.words for c in chapters) < SHORT_WORK_WORDS),
    )
    if problems:
        raise ManuscriptError(problems)
    # Two spellings of one path ("./images/a.png", "images/a.png") are one resource.
    resources = tuple(sorted({r.name: r for r in images.values()}.values(), key=lambda r: r.name))
    return Manuscript(metadata=metadata, front_matter=front, chapters=tuple(chapters), resources=resources,
                      slug=draft.slug)
