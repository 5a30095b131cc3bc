"""A Manuscript's text and a book face → the characters the face cannot draw, and those no font here can.

WeasyPrint (through fontconfig) sets a character the book face lacks in another installed font;
the author should know which characters that is, and which will print as empty boxes.
"""
from __future__ import annotations

import functools
import re
import shutil
import subprocess
import unicodedata

from .manuscript import Chapter, FrontMatter, Manuscript, Matter, Part


@functools.lru_cache(maxsize=None)
def _cmap(path: str) -> frozenset[int]:
    """The characters a font file (every face of a collection) maps: HarfBuzz reads them in a
    fraction of a millisecond, where fontTools took 30 ms a face."""
    import uharfbuzz  # only a build that lays out pages checks glyphs

    try:
        blob = uharfbuzz.Blob.from_file_path(path)
        faces = uharfbuzz.Face(blob).count  # a collection's faces; 1 for a plain font file
        return frozenset().union(*(uharfbuzz.Face(blob, index).unicodes for index in range(max(1, faces))))
    except Exception:  # a font file HarfBuzz cannot read covers nothing for us
        return frozenset()


@functools.lru_cache(maxsize=None)
def _font_files(pattern: str = "") -> tuple[str, ...]:
    if shutil.which("fc-list") is None:
        return ()
    if pattern:
        found = subprocess.run(["fc-match", pattern, "--format=%{file}"], capture_output=True, text=True).stdout
        return (found,) if found else ()
    listed = subprocess.run(["fc-list", "--format=%{file}\n"], capture_output=True, text=True).stdout
    return tuple(sorted(set(filter(None, listed.splitlines()))))


def _front_texts(front: FrontMatter) -> list[str]:
    return [front.summary_html, front.disclaimer_html, front.dedication_html, front.epigraph_html,
            *(note.label + " " + note.html for note in front.notes)]


def _characters(manuscript: Manuscript) -> set[str]:
    """Every character the printed book shows."""
    texts = [manuscript.metadata.title, manuscript.metadata.subtitle, *manuscript.metadata.authors]
    texts += _front_texts(manuscript.front_matter)
    for _, item in manuscript.body():
        if isinstance(item, Chapter):
            texts += [item.title, item.body_html, item.summary_html, item.notes_html, item.end_notes_html]
        elif isinstance(item, Part):
            texts += [item.title, item.subtitle, item.intro_html]
            if item.work:
                texts += [*item.work.metadata.authors, *_front_texts(item.work.front_matter)]
                texts += [text for _, text in (item.work.metadata.story.fields() if item.work.metadata.story else [])]
        elif isinstance(item, Matter):  # a work's own foreword or afterword
            texts.append(f"{item.title} {item.html}")
    texts += [f"{m.title} {m.html}" for m in manuscript.front_matter.sections + manuscript.back_matter]
    joined = re.sub(r'<a [^>]*class="footnote-backref"[^>]*>.*?</a>', " ", " ".join(texts))  # never printed
    text = re.sub(r"<[^>]+>", " ", joined)
    return {c for c in set(text) if not c.isspace() and unicodedata.category(c)[0] != "C"}


def missing_glyphs(manuscript: Manuscript, face: str) -> tuple[list[str], list[str]]:
    """(characters set in a fallback font, characters no installed font has), sorted; `face` is the
    theme's book face (Theme.book_face)."""
    chars = _characters(manuscript)
    book = set().union(*(_cmap(path) for path in _font_files(face)))
    if not book:
        return [], []
    fallback = sorted(c for c in chars if ord(c) not in book)
    if not fallback:
        return [], []
    anywhere = set().union(*(_cmap(path) for path in _font_files()))
    nowhere = [c for c in fallback if ord(c) not in anywhere]
    return [c for c in fallback if c not in nowhere], nowhere


def describe(chars: list[str], limit: int = 12) -> str:
    shown = " ".join(f"{c} (U+{ord(c):04X})" for c in chars[:limit])
    return shown + (f" and {len(chars) - limit} more" if len(chars) > limit else "")
