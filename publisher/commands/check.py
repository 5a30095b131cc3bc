"""A source → what is wrong with it: every problem at once, and optionally what a print service
would reject and whether built files kept every word."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .. import readers
from ..errors import Warnings
from ..options import BuildOptions
from ..profiles import check_pdf, profile
from ..words import word_check
from .build import overrides, render


@dataclass(frozen=True)
class CheckReport:
    chapters: int
    words: int
    rejected: tuple[str, ...] = ()  # what the print profile's service would reject
    word_lines: tuple[tuple[str, bool], ...] = ()  # per built file: its line, and whether all words are in it

    @property
    def ok(self) -> bool:
        return not self.rejected and all(ok for _, ok in self.word_lines)


def check(source: Path, options: BuildOptions = BuildOptions(), outputs: Path | None = None,
          print_profile: bool = False, warn: Warnings | None = None) -> CheckReport:
    """Read and check the book (raising ManuscriptError with every problem); with `print_profile`,
    lay out the PDF and list what `options.profile`'s service would reject; with `outputs`, compare
    the built files in that folder with the source, word for word."""
    source = Path(source)
    manuscript = readers.read(source, warn, overrides(options))
    rejected: list[str] = []
    if print_profile:
        pdf = render(manuscript, replace(options, formats=("pdf",), impose=""))["pdf"]
        rejected = check_pdf(pdf, profile(options.profile), options.trim_size, options.bleed)
    lines = word_check(source, manuscript, outputs) if outputs is not None else []
    return CheckReport(len(manuscript.chapters), manuscript.words, tuple(rejected), tuple(lines))
