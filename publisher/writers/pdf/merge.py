"""Separately set print documents → one book PDF, as if WeasyPrint had set it whole.

The front matter comes first, padded to an even page count; each chapter follows on a recto
(a blank verso before it when needed); each chapter page gets its folio stamped from the
furniture document; the per-document font subsets become one subset per face; the outline
and the contents page's links point into the merged book.
"""
from __future__ import annotations

import contextlib
import functools
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pikepdf
import uharfbuzz as hb
from pikepdf import Array, Dictionary, Name, Pdf

from . import weasy
from .jobs import SetDocument

FOLIO = Name("/PublisherFolio")


@dataclass(frozen=True)
class Body:
    """What the merge needs of one body document: its id (where the contents and the outline point),
    its depth in the outline, and whether its pages print a folio (a part's page does not)."""

    name: str
    level: int = 1
    folio: bool = True


@dataclass(frozen=True)
class Plan:
    """Where every chapter falls: the printed folio of its first page and the blank before it."""

    counts: tuple[int, ...]
    first_folios: tuple[int, ...]
    blank_before: tuple[bool, ...]

    @property
    def body_pages(self) -> int:
        return self.first_folios[-1] + self.counts[-1] - 1 if self.counts else 0


def plan(counts: list[int]) -> Plan:
    """Chapters open on rectos: a chapter that would begin on an even folio gets a blank page first."""
    folio, firsts, blanks = 1, [], []
    for count in counts:
        blanks.append(folio % 2 == 0)
        folio += folio % 2 == 0
        firsts.append(folio)
        folio += count
    return Plan(tuple(counts), tuple(firsts), tuple(blanks))


def merge(front: SetDocument, chapters: list[SetDocument], furniture: list[tuple[int, SetDocument]], book: Plan,
          body: list[Body], link_base: str, fonts_dir: Path | None, identifier: bytes,
          finish: Callable[[Pdf], None]) -> bytes:
    """The book's PDF: front matter, the body's documents (`body` says what each is) with stamped
    folios, one nested outline, merged fonts, then `finish`."""
    with contextlib.ExitStack() as stack:
        # pikepdf ≥ 10.18 warns that copied pages lose named destinations and forms: a set document
        # has no forms, and the contents' links and the outline are pointed at the pages below.
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore", getattr(pikepdf, "PageCopyWarning", ()))
        merged = stack.enter_context(Pdf.new())
        fonts = _font_merge(merged, [front, *chapters, *(r for _, r in furniture)], fonts_dir)
        front_pdf = stack.enter_context(_opened(front))
        fonts.take(front_pdf)
        merged.pages.extend(front_pdf.pages)
        if front.pages % 2:
            add_blank_page(merged)
        wanted = {first + n for first, count, part in zip(book.first_folios, book.counts, body)
                  for n in range(count) if part.folio}
        stamps = _folio_stamps(merged, furniture, wanted, fonts)
        open_stream = merged.make_stream(b"q\n")
        close_stream = merged.make_stream(b"\nQ /PublisherFolio Do\n")
        outline = [(title, page, 1) for title, page in _outline(front_pdf)]  # a foreword's, an introduction's
        targets = {}
        for index, (chapter, blank, part) in enumerate(zip(chapters, book.blank_before, body)):
            if blank:
                add_blank_page(merged)
            start = len(merged.pages)
            with _opened(chapter) as source:
                fonts.take(source)
                merged.pages.extend(source.pages)
                outline += [(title, start + page, part.level) for title, page in _outline(source)]
                target = weasy.destination(source, part.name)
            if part.folio:
                for number in range(chapter.pages):
                    _stamp(merged.pages[start + number], stamps[book.first_folios[index] + number], open_stream,
                           close_stream)
            if target is not None:
                targets[part.name] = (start + target[0], *target[1:])
        fonts.finish()
        with merged.open_outline() as tree:
            _nest(tree.root, outline)
        _link_contents(merged, front.pages, link_base, targets)
        for key, value in front_pdf.docinfo.items():
            merged.docinfo[key] = value
        if "/Lang" in front_pdf.Root:
            merged.Root.Lang = front_pdf.Root.Lang
        merged.trailer.ID = Array([pikepdf.String(identifier), pikepdf.String(identifier)])  # qpdf redoes the 2nd
        finish(merged)
        out = io.BytesIO()
        merged.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
        return out.getvalue()


def add_blank_page(book: Pdf) -> None:
    """A blank page at the end, with the boxes (media, trim, bleed) of the book's first page."""
    first = book.pages[0].obj
    page = book.add_blank_page(page_size=(float(first.MediaBox[2]), float(first.MediaBox[3])))
    for box in ("/TrimBox", "/BleedBox"):
        if box in first:
            page.obj[box] = first[box]


def _opened(document: SetDocument) -> Pdf:
    """A set document, to copy from. pikepdf copies what a page holds when it is copied, so each
    source is closed once copied: War and Peace's 365 left open held 50 MiB until the book was saved."""
    return Pdf.open(document.pdf_file) if document.pdf_file else Pdf.open(io.BytesIO(document.pdf))


def _folio_stamps(merged: Pdf, furniture: list[tuple[int, SetDocument]], wanted: set[int],
                  fonts: weasy.FontMerge) -> dict:
    """Folio → the furniture page that prints it, as a form the chapter page can draw."""
    stamps = {}
    for first, document in furniture:
        with _opened(document) as source:
            fonts.take(source)
            for folio, page in enumerate(source.pages, start=first):
                if folio in wanted:  # not a blank verso
                    stamps[folio] = merged.copy_foreign(page.as_form_xobject())
    return stamps


def _stamp(page: pikepdf.Page, form, open_stream, close_stream) -> None:
    """Draw the folio form over the page, the page's own drawing wrapped in q/Q."""
    resources = Dictionary(page.obj.Resources)
    forms = Dictionary(resources.XObject) if "/XObject" in resources else Dictionary()
    forms[FOLIO] = form
    resources.XObject = forms
    page.obj.Resources = resources
    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, Array) else [contents]
    page.obj.Contents = Array([open_stream, *streams, close_stream])


def _outline(source: Pdf):
    """(title, page) of each top-level bookmark the document made."""
    with source.open_outline() as tree:
        for item in tree.root:
            destination = item.destination
            if isinstance(destination, Array) and len(destination):
                yield item.title, pikepdf.Page(destination[0]).index


def _nest(root: list, entries: list[tuple[str, int, int]]) -> None:
    """(title, page, level) in reading order → an outline where a part holds its chapters."""
    open_lists = [root]
    for title, page, level in entries:
        del open_lists[level:]
        while len(open_lists) < level and open_lists[-1]:
            open_lists.append(open_lists[-1][-1].children)
        open_lists[-1].append(pikepdf.OutlineItem(title, page))


def _link_contents(merged: Pdf, front_pages: int, link_base: str, targets: dict) -> None:
    """The contents page's links were written to `link_base#id`: point them at the chapters."""
    for page in merged.pages[:front_pages]:
        for annotation in page.obj.get("/Annots", []):
            uri = str(annotation.get("/A", {}).get("/URI", ""))
            target = targets.get(uri[len(link_base) + 1:]) if uri.startswith(link_base + "#") else None
            if target is None:
                continue
            page_index, left, top = target
            del annotation.A
            annotation.Dest = Array([merged.pages[page_index].obj, Name.XYZ, left, top, 0])


# Fonts: one subset of the union replaces each document's own subset of a face.

def _font_merge(merged: Pdf, documents: list[SetDocument], fonts_dir: Path | None) -> weasy.FontMerge:
    """The book's font merge: it cuts the faces whose original files the setting kept in `fonts_dir`."""
    sources = {font.name: font for document in documents for font in document.fonts}

    def cutter(name: str) -> Callable[[list[int]], bytes | None] | None:
        if fonts_dir is None or name not in sources:
            return None
        try:
            face = hb.Face(hb.Blob((fonts_dir / sources[name].sha).read_bytes()), sources[name].index)
        except OSError:
            return None  # the original font file is gone: this face keeps its per-document subsets
        return functools.partial(_subset, face)

    return weasy.FontMerge(merged, cutter)


# HarfBuzz's subsetter (the one WeasyPrint uses), with WeasyPrint's flags and dropped tables. It cuts a
# face in a few milliseconds where fontTools took a fifth of a second, so subsets are not kept on disk;
# it writes no timestamp, so the same glyphs give the same bytes in any process.
_FLAGS = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
          | hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE)
_DROPPED = tuple(int.from_bytes(tag, "big") for tag in (
    b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG "))


def _subset(face: hb.Face, gids: list[int]) -> bytes | None:
    """The glyphs `gids` of the original font, at their original ids."""
    wanted = hb.SubsetInput()
    wanted.glyph_set.update(gids)
    wanted.flags = _FLAGS
    wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG).update(_DROPPED)
    cut = hb.subset(face, wanted)
    return None if cut is None else cut.blob.data  # None: HarfBuzz cannot cut this face
