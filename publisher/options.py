"""Build options and their defaults: one table for the CLI, the API and the docs.

A trim is parsed here once ("6x9", "a5", "152x229mm") into inches, so writers only see numbers.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .errors import OptionError
from .metadata import LANGUAGE_TAG

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


def option(default, help: str, *, choices=None, short: str = "", show_default: bool = True):
    """A BuildOptions field with what the CLI shows for it: its help, its choices (a tuple, or a
    function that lists them when the CLI is made), a short flag."""
    return field(default=default, metadata={"help": help, "choices": choices, "short": short,
                                            "show_default": show_default})


def _profiles() -> list[str]:
    from .profiles import PROFILES

    return list(PROFILES)


# Imposition's choices live here, with the options, so the CLI lists them without loading pypdf.
PAPERS = {"letter": (11 * 72, 8.5 * 72), "a4": (297 / 25.4 * 72, 210 / 25.4 * 72)}  # landscape, points
IMPOSITIONS = ("signatures", "booklet")


def _impositions() -> list[str]:
    return list(IMPOSITIONS)


def _papers() -> list[str]:
    return list(PAPERS)


@dataclass(frozen=True)
class BuildOptions:
    """How to build. This table is the one source of the CLI's options, their help and defaults."""

    formats: tuple[str, ...] = option(FORMATS, "Format to build (repeat for several). Default: all.", choices=FORMATS,
                                      short="-f")
    theme: str = option("classic", "Theme folder under styles/ (classic, modern).")
    trim: str = option("6x9", f"Print trim size: {', '.join(TRIMS)}, or WxH in inches or mm (152x229mm).")
    font_size: float = option(11.0, "Body text size in points (PDF).")
    profile: str = option("home", "Print-on-demand rules the PDF follows: margins, page count, bookmarks.",
                          choices=_profiles)
    polish: bool = option(True, "After layout, mend what a compositor would: no word hyphenated at a page's foot, "
                                "no ladder of three hyphenated lines, facing pages on one baseline, no chapter "
                                "ending in a page of one or two lines, no short word alone on a paragraph's last "
                                "line; it may change the page count (--no-polish: the pages as first laid out; "
                                "give cover, check, proof and stats the same choice as build).")
    bleed: bool = option(False, "Print to the page edge (KDP: 0.125 in past the trim).")
    page_list: bool = option(False, "Give an EPUB-only build the print edition's page numbers (lays out the PDF "
                                    "pages).")
    impose: str = option("", "Also write an imposed PDF for home binding: signatures, or one saddle-stitched "
                             "booklet.", choices=_impositions, show_default=False)
    signature_sheets: int = option(4, "Sheets of paper folded together per signature.")
    paper: str = option("letter", "The paper the imposed PDF is printed on.", choices=_papers)
    marks: bool = option(True, "Fold and trim marks on the imposed PDF.")
    jobs: int = option(0, "Processes that set chapters in parallel (0: one per core).", short="-j")
    cache: bool = option(True, "Reuse chapters an earlier build set (the cache is --cache-dir, else "
                               "$PUBLISHER_CACHE, $XDG_CACHE_HOME/publisher or ~/.cache/publisher); --no-cache sets "
                               "every chapter anew.")
    cache_dir: str = option("", "Folder of the cache of set chapters (several builds and machines may share one).",
                            show_default=False)
    build_date: str = option("", "The date the files carry (EPUB modified date, copyright year), as 2026-11-29 or "
                                 "seconds since 1970: the same input and date give the same bytes. Default: "
                                 "$SOURCE_DATE_EPOCH, else now.", show_default=False)
    title: str = option("", "Title to use (overrides the story's own).", show_default=False)
    author: str = option("", "Author to use (overrides the story's own).", show_default=False)
    language: str = option("", "Language of the book as a BCP 47 tag, e.g. fr or en-GB (overrides the story's "
                               "own).", show_default=False)

    def __post_init__(self) -> None:
        for name in self.formats:
            if name not in FORMATS:
                raise OptionError(f"unknown format {name!r}: use {' or '.join(FORMATS)}")
        parse_trim(self.trim)
        if not 7 <= self.font_size <= 20:
            raise OptionError(f"font size {self.font_size} is out of range: use 7 to 20 (points)")
        if self.jobs < 0:
            raise OptionError(f"--jobs {self.jobs}: use a positive number of processes, or 0 for one per core")
        if self.language and not LANGUAGE_TAG.match(self.language):
            raise OptionError(f"language {self.language!r} is not a BCP 47 tag such as 'fr' or 'en-GB'")
        if self.build_date:
            _parse_date(self.build_date)

    def moment(self) -> datetime:
        """When this edition is dated: --build-date, else $SOURCE_DATE_EPOCH (the reproducible-builds
        convention), else now; never before 1980, which a zip file cannot hold."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        if self.build_date:
            moment = _parse_date(self.build_date)
        elif epoch.isdigit():
            moment = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        else:
            moment = datetime.now(timezone.utc).replace(microsecond=0)
        return max(moment, datetime(1980, 1, 1, tzinfo=timezone.utc))

    def cache_root(self) -> Path | None:
        """The cache's folder: --cache-dir, else $PUBLISHER_CACHE or the user's cache folder; None
        with --no-cache."""
        from .cache import default_root

        if not self.cache:
            return None
        return Path(self.cache_dir) if self.cache_dir else default_root()

    @property
    def lays_out_pages(self) -> bool:
        """The print layout is needed: for the PDF, the imposed PDF or the EPUB's page list."""
        return "pdf" in self.formats or self.page_list or bool(self.impose)

    @property
    def trim_size(self) -> Trim:
        return parse_trim(self.trim)


def _parse_date(text: str) -> datetime:
    """'2026-11-29', '2026-11-29T10:00:00Z' or '1764028800' → a UTC moment; else an OptionError."""
    text = text.strip()
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text), tz=timezone.utc)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise OptionError(f"build date {text!r}: give a date such as 2026-11-29, or seconds since 1970") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
