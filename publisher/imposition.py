"""A finished book PDF → an imposed PDF for home binding: signatures, or one saddle-stitched booklet.

Each sheet side carries two book pages side by side. Print the result double-sided (flip on the
short edge), fold each group of sheets in half, stack the groups in order, and the book reads in
order. Pages are padded with blank pages to whole signatures.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import DecodedStreamObject, NameObject

from .errors import OptionError
from .options import IMPOSITIONS, PAPERS


@dataclass(frozen=True)
class Side:
    """One side of one sheet: the book pages (1-based; 0 = blank) on its left and right halves."""

    sheet: int
    front: bool
    left: int
    right: int


def signature_order(pages: int, sheets_per_signature: int) -> list[Side]:
    """The sides of every sheet, in printing order, for `pages` book pages."""
    per_signature = 4 * sheets_per_signature
    signatures = max(1, -(-pages // per_signature))
    sides = []
    for signature in range(signatures):
        first = signature * per_signature  # pages before this signature
        for sheet in range(sheets_per_signature):
            outer_left = first + per_signature - 2 * sheet
            outer_right = first + 1 + 2 * sheet
            sheet_number = signature * sheets_per_signature + sheet
            sides.append(Side(sheet_number, True, outer_left, outer_right))
            sides.append(Side(sheet_number, False, outer_right + 1, outer_left - 1))
    return [Side(s.sheet, s.front, s.left if s.left <= pages else 0, s.right if s.right <= pages else 0)
            for s in sides]


def impose(pdf: bytes, how: str = "signatures", sheets: int = 4, paper: str = "letter", marks: bool = True) -> bytes:
    """The imposed PDF's bytes."""
    if how not in IMPOSITIONS:
        raise OptionError(f"unknown imposition {how!r}: use {' or '.join(IMPOSITIONS)}")
    if paper not in PAPERS:
        raise OptionError(f"unknown paper {paper!r}: use {' or '.join(PAPERS)}")
    if not 1 <= sheets <= 16:
        raise OptionError("signature sheets must be from 1 to 16")
    book = PdfReader(io.BytesIO(pdf))
    count = len(book.pages)
    if how == "booklet":
        sheets = max(1, -(-count // 4))
    width, height = PAPERS[paper]
    page_w, page_h = float(book.pages[0].mediabox.width), float(book.pages[0].mediabox.height)
    scale = min((width / 2) / page_w, height / page_h, 1.0)
    out = PdfWriter()
    for side in signature_order(count, sheets):
        sheet = PageObject.create_blank_page(width=width, height=height)
        for number, half in ((side.left, 0), (side.right, 1)):
            if number:
                # Both pages sit against the fold in the middle of the sheet.
                x = width / 2 - page_w * scale if half == 0 else width / 2
                y = (height - page_h * scale) / 2
                sheet.merge_transformed_page(book.pages[number - 1], Transformation().scale(scale).translate(x, y))
        if marks:
            _draw_marks(out, sheet, width, height, page_w * scale, page_h * scale)
        out.add_page(sheet)
    out.add_metadata({"/Title": f"{(book.metadata or {}).get('/Title', 'Book')} (imposed: {how})"})
    buffer = io.BytesIO()
    out.write(buffer)
    return buffer.getvalue()


def _draw_marks(writer: PdfWriter, sheet: PageObject, width: float, height: float, w: float, h: float) -> None:
    """A fold mark at the spine and trim marks at the book page corners, outside the page area."""
    top, bottom = (height + h) / 2, (height - h) / 2
    left, right, fold = width / 2 - w, width / 2 + w, width / 2
    lines = [(fold, top + 6, fold, top + 24), (fold, bottom - 6, fold, bottom - 24)]
    for x in (left, right):
        lines += [(x, top + 6, x, top + 20), (x, bottom - 6, x, bottom - 20)]
    for y in (top, bottom):
        lines += [(left - 20, y, left - 6, y), (right + 6, y, right + 20, y)]
    ops = "q 0.4 w 0 G " + " ".join(f"{a:.2f} {b:.2f} m {c:.2f} {d:.2f} l S" for a, b, c, d in lines) + " Q"
    stream = DecodedStreamObject()
    stream.set_data(ops.encode())
    marks = PageObject.create_blank_page(width=width, height=height)
    marks[NameObject("/Contents")] = writer._add_object(stream)
    sheet.merge_page(marks)
