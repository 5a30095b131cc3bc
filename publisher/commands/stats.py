"""A Manuscript (and its laid-out pages) → the figures an author asks for: words, reading time,
pages per trim size, spine width per paper.

Pages for the chosen trim are counted from a real layout; for other trims the body pages are
estimated from it by the ratio of their text areas (marked ≈), unless `exact` lays out each.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .. import readers, themes
from ..errors import Warnings
from ..manuscript import Manuscript
from ..options import TRIMS, BuildOptions, parse_trim
from ..profiles import PAPER_THICKNESS, margins_for, profile
from ..writers import lay_out
from .build import overrides

WORDS_PER_MINUTE = 250


@dataclass(frozen=True)
class TrimPages:
    trim: str
    pages: int
    exact: bool


@dataclass(frozen=True)
class Stats:
    title: str
    words: int
    chapters: int
    reading_minutes: int
    trims: tuple[TrimPages, ...]

    def spine(self, pages: int, stock: str) -> float:
        return pages * PAPER_THICKNESS[stock]

    @property
    def reading_time(self) -> str:
        """"14 min", "2 h 5 min"."""
        hours, minutes = divmod(self.reading_minutes, 60)
        return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _text_area(trim_name: str, options: BuildOptions) -> float:
    trim = parse_trim(trim_name)
    m = margins_for(trim, profile(options.profile))
    return (trim.width_in - m.inside - m.outside) * (trim.height_in - m.top - m.bottom)


def book_stats(manuscript: Manuscript, options: BuildOptions = BuildOptions(), exact: bool = False) -> Stats:
    theme = themes.load(options.theme)
    layout = lay_out(manuscript, theme, options)
    measured = {options.trim: layout.pages}
    front = layout.first_body_page  # front matter takes the same pages at any trim
    if exact:
        for name in TRIMS:
            if name not in measured:
                measured[name] = lay_out(manuscript, theme, replace(options, trim=name)).pages
    base_pages, base_area = measured[options.trim], _text_area(options.trim, options)
    trims = []
    for name in dict.fromkeys([options.trim, *TRIMS]):
        if name in measured:
            trims.append(TrimPages(name, measured[name], True))
        else:
            estimate = front + round((base_pages - front) * base_area / _text_area(name, options))
            trims.append(TrimPages(name, estimate + estimate % 2, False))
    minutes = max(1, round(manuscript.words / WORDS_PER_MINUTE))
    return Stats(manuscript.metadata.title, manuscript.words, len(manuscript.chapters), minutes, tuple(trims))


def stats(source: Path, options: BuildOptions = BuildOptions(), exact: bool = False,
          warn: Warnings | None = None) -> Stats:
    """The figures for the book at `source`."""
    return book_stats(readers.read(Path(source), warn, overrides(options)), options, exact)
