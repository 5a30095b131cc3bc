"""Build options and their defaults: one table for the CLI, the API and the docs.

A trim is parsed here once ("6x9", "a5", "152x229mm") into inches, so writers only see numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import OptionError

MM_PER_INCH = 25.4

# Named trims, width x height in inches: the trade's common sizes.
TRIMS: dict[str, tuple[float, float]] = {
    "5x8": (5.0, 8.0),
    "5.25x8": (5.25, 8.0),
    "5.5x8.5": (5.5, 8.5),
    "6x9": (6.0, 9.0),
    "a5": (148 / MM_PER_INCH, 210 / MM_PER_INCH),
    "b-format": (129 / MM_PER_INCH, 198 / MM_PER_INCH),
    "letter": (8.5, 11.0),
}
FORMATS = ("epub", "pdf")


@dataclass(frozen=True)
class Trim:
    name: str
    width_in: float
    height_in: float

    @property
    def css_size(self) -> str:
        return f"{self.width_in:.4f}in {self.height_in:.4f}in"

    @property
    def points(self) -> tuple[float, float]:
        return self.width_in * 72, self.height_in * 72


def parse_trim(text: str) -> Trim:
    """'6x9', 'a5', '5.5x8.5in' or '148x210mm' → a Trim; anything else is an OptionError."""
    key = text.strip().lower()
    if key in TRIMS:
        return Trim(key, *TRIMS[key])
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)\s*(in|mm)?", key)
    if match:
        width, height = float(match[1]), float(match[2])
        if match[3] == "mm":
            width, height = width / MM_PER_INCH, height / MM_PER_INCH
        if 2 <= width <= 20 and 2 <= height <= 20:
            return Trim(key, width, height)
    names = ", ".join(TRIMS)
    raise OptionError(f"unknown trim size {text!r}: use one of {names}, or WxH in inches or mm (e.g. 152x229mm)")


@dataclass(frozen=True)
class BuildOptions:
    """How to build: every field has the default the CLI shows in --help."""

    formats: tuple[str, ...] = FORMATS
    theme: str = "classic"
    trim: str = "6x9"
    font_size: float = 11.0
    profile: str = "home"  # print-on-demand rules: home, kdp, ingramspark
    bleed: bool = False  # KDP: print to the page edge, 0.125 in past the trim
    page_list: bool = False  # lay out the print edition even for an EPUB-only build, for its page list
    impose: str = ""  # "signatures" or "booklet": also write an imposed PDF for home binding
    signature_sheets: int = 4
    paper: str = "letter"
    marks: bool = True
    jobs: int = 0  # processes rendering chapters in parallel; 0: one per core
    cache: bool = True  # reuse chapters rendered by an earlier build (keyed by a hash of their text and style)

    def __post_init__(self) -> None:
        for name in self.formats:
            if name not in FORMATS:
                raise OptionError(f"unknown format {name!r}: use {' or '.join(FORMATS)}")
        parse_trim(self.trim)
        if not 7 <= self.font_size <= 20:
            raise OptionError(f"font size {self.font_size} is out of range: use 7 to 20 (points)")
        if self.jobs < 0:
            raise OptionError(f"--jobs {self.jobs}: use a positive number of processes, or 0 for one per core")

    @property
    def lays_out_pages(self) -> bool:
        """The print layout is needed: for the PDF, the imposed PDF or the EPUB's page list."""
        return "pdf" in self.formats or self.page_list or bool(self.impose)

    @property
    def trim_size(self) -> Trim:
        return parse_trim(self.trim)
