"""Manuscript + interior page count → a full-wrap print cover PDF (back, spine, front, with bleed).

The spine is as wide as the service's paper makes it (KDP: white 0.002252 in, cream 0.0025 in a
page); title and author run down the spine when it is wide enough to hold them. The back carries
the summary as the blurb and keeps the barcode's corner clear.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf

from lxml import etree

from ... import html
from ...ebook_cover import ACCENT, BACKGROUND, INK
from ...errors import OptionError
from ...manuscript import Manuscript
from ...options import BuildOptions
from ...profiles import BLEED_IN, PAPER_THICKNESS
from . import weasy
from .documents import template

SPINE_TEXT_MIN_PAGES = 80  # KDP allows spine text from 80 pages
BARCODE = (2.0, 1.2)  # width, height in inches, 0.25 in from the back cover's trim edges


@dataclass(frozen=True)
class CoverSize:
    trim_width: float
    trim_height: float
    spine: float
    bleed: float

    @property
    def width(self) -> float:
        return 2 * self.trim_width + self.spine + 2 * self.bleed

    @property
    def height(self) -> float:
        return self.trim_height + 2 * self.bleed


def cover_size(options: BuildOptions, pages: int, paper: str) -> CoverSize:
    if paper not in PAPER_THICKNESS:
        raise OptionError(f"unknown paper {paper!r}: use {' or '.join(PAPER_THICKNESS)}")
    trim = options.trim_size
    return CoverSize(trim.width_in, trim.height_in, pages * PAPER_THICKNESS[paper], BLEED_IN)


def _rgb(colour: tuple[int, int, int]) -> str:
    return "rgb({}, {}, {})".format(*colour)


def write_cover(manuscript: Manuscript, options: BuildOptions, pages: int, paper: str = "white") -> bytes:
    """The cover PDF's bytes."""
    size = cover_size(options, pages, paper)
    meta = manuscript.metadata
    body = html.el("body")
    back = html.child(body, "div", **{"class": "back"})
    if manuscript.front_matter.summary_html:
        for element in html.fragment(manuscript.front_matter.summary_html):
            back.append(element)
    html.child(body, "div", **{"class": "barcode", "aria-label": "Barcode area: keep clear"})
    front = html.child(body, "div", **{"class": "front"})
    html.child(front, "h1", meta.title)
    if meta.subtitle:
        html.child(front, "p", meta.subtitle, **{"class": "subtitle"})
    html.child(front, "p", meta.byline, **{"class": "author"})
    if pages >= SPINE_TEXT_MIN_PAGES and size.spine >= 0.2:
        spine = html.child(body, "div", **{"class": "spine"})
        html.child(spine, "span", meta.title, **{"class": "spine-title"})
        html.child(spine, "span", meta.byline, **{"class": "spine-author"})
    root = html.el("html", lang=meta.language)
    head = html.child(root, "head")
    html.child(head, "title", f"{meta.title} — cover")
    root.append(body)
    b, t = size.bleed, size.trim_width
    css = template("wrap-cover.css", width=f"{size.width:.4f}", height=f"{size.height:.4f}", ink=_rgb(INK),
                   background=_rgb(BACKGROUND), accent=_rgb(ACCENT),
                   back_left=f"{b + 0.6:.4f}", back_top=f"{b + 1.0:.4f}", back_width=f"{t - 1.2:.4f}",
                   barcode_left=f"{b + t - 0.25 - BARCODE[0]:.4f}",
                   barcode_top=f"{b + size.trim_height - 0.25 - BARCODE[1]:.4f}",
                   barcode_width=BARCODE[0], barcode_height=BARCODE[1],
                   front_left=f"{b + t + size.spine + 0.5:.4f}", front_top=f"{b + 1.8:.4f}",
                   front_width=f"{t - 1.0:.4f}",
                   spine_left=f"{b + t + size.spine / 2:.4f}", spine_top=f"{b + size.trim_height / 2:.4f}",
                   spine_width=f"{size.trim_height - 1.0:.4f}", spine_margin=f"{-(size.trim_height - 1.0) / 2:.4f}",
                   spine_font=f"{min(12, size.spine * 72 * 0.55):.1f}")
    pdf = weasy.html_to_pdf(etree.tostring(root, encoding="unicode", method="html"), css,
                            (meta.identifier + " cover").encode("utf-8"))
    return _mark_trim(pdf, size)


def _mark_trim(pdf: bytes, size: CoverSize) -> bytes:
    """The trim box inside the bleed (a printer cuts there), the bleed box the whole sheet."""
    with pikepdf.open(io.BytesIO(pdf)) as cover:
        for page in cover.pages:
            b = size.bleed * 72
            width, height = float(page.mediabox[2]), float(page.mediabox[3])
            page.obj.TrimBox = pikepdf.Array([b, b, width - b, height - b])
            page.obj.BleedBox = page.obj.MediaBox
        out = io.BytesIO()
        cover.save(out, deterministic_id=True)
    return out.getvalue()
