"""Separately set print documents → one book PDF, as if WeasyPrint had set it whole.

The front matter comes first, padded to an even page count; each chapter follows on a recto
(a blank verso before it when needed); each chapter page gets its folio stamped from the
furniture document; the per-document font subsets become one subset per face; the outline
and the contents page's links point into the merged book.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import fontTools
from fontTools import subset
from fontTools.ttLib import TTFont
import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from .cache import keep
from .jobs import FontSource, SetDocument

FOLIO = Name("/PublisherFolio")


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
          chapter_ids: tuple[str, ...], link_base: str, fonts_dir: Path | None, identifier: bytes,
          finish: Callable[[Pdf], None]) -> bytes:
    """The book's PDF: front matter, chapters with stamped folios, one outline, merged fonts, then `finish`."""
    with contextlib.ExitStack() as stack:  # the sources stay open until the book is saved: qpdf copies lazily
        def opened(data: bytes) -> Pdf:
            return stack.enter_context(Pdf.open(io.BytesIO(data)))

        merged = stack.enter_context(Pdf.new())
        front_pdf = opened(front.pdf)
        merged.pages.extend(front_pdf.pages)
        if front.pages % 2:
            add_blank_page(merged)
        wanted = {first + n for first, count in zip(book.first_folios, book.counts) for n in range(count)}
        stamps = _folio_stamps(merged, [(first, opened(part.pdf)) for first, part in furniture], wanted)
        open_stream = merged.make_stream(b"q\n")
        close_stream = merged.make_stream(b"\nQ /PublisherFolio Do\n")
        outline, targets = [], {}
        for index, (chapter, blank) in enumerate(zip(chapters, book.blank_before)):
            if blank:
                add_blank_page(merged)
            source = opened(chapter.pdf)
            start = len(merged.pages)
            merged.pages.extend(source.pages)
            for number in range(chapter.pages):
                _stamp(merged.pages[start + number], stamps[book.first_folios[index] + number], open_stream,
                       close_stream)
            outline += [(title, start + page) for title, page in _outline(source)]
            target = _destination(source, chapter_ids[index])
            if target is not None:
                targets[chapter_ids[index]] = (start + target[0], *target[1:])
        if fonts_dir is not None:
            merge_fonts(merged, {f.name: f for part in [front, *chapters, *(r for _, r in furniture)]
                                 for f in part.fonts}, fonts_dir)
        with merged.open_outline() as tree:
            tree.root.extend(pikepdf.OutlineItem(title, page) for title, page in outline)
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


def _folio_stamps(merged: Pdf, furniture: list[tuple[int, Pdf]], wanted: set[int]) -> dict:
    """Folio → the furniture page that prints it, as a form the chapter page can draw."""
    stamps = {}
    for first, source in furniture:
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


def _destination(source: Pdf, name: str):
    """(page, left, top) of a named destination in the document."""
    if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
        return None
    tree = pikepdf.NameTree(source.Root.Names.Dests)
    if name not in tree:
        return None
    destination = tree[name]
    return pikepdf.Page(destination[0]).index, destination[2], destination[3]


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


# Fonts. WeasyPrint embeds, per document, a subset of each face that keeps glyph ids; one
# subset of the union replaces them all.

def merge_fonts(merged: Pdf, sources: dict[str, FontSource], fonts_dir: Path) -> None:
    uses = defaultdict(list)  # BaseFont → [(the /Font dictionary naming it, key, font)]
    seen: set = set()

    def walk(resources) -> None:
        fonts = resources.get("/Font")
        if fonts is not None and fonts.objgen not in seen:
            if fonts.is_indirect:
                seen.add(fonts.objgen)
            for key, font in fonts.items():
                if font.is_indirect:
                    uses[str(font.get("/BaseFont", "/"))[1:]].append((fonts, key, font))
        for form in (resources.get("/XObject") or {}).values():
            if form.get("/Subtype") == "/Form" and "/Resources" in form and form.objgen not in seen:
                seen.add(form.objgen)
                walk(form.Resources)

    for page in merged.pages:
        if "/Resources" in page.obj:
            walk(page.obj.Resources)
    for name, entries in uses.items():
        distinct = list({font.objgen: font for _, _, font in entries}.values())
        if name not in sources or len(distinct) < 2:
            continue
        if any(f.get("/Subtype") != "/Type0" or f.get("/Encoding") != "/Identity-H" for f in distinct):
            continue
        widths: dict[int, float] = {}
        unicode: dict[int, bytes] = {}
        for font in distinct:
            widths |= _widths(font.DescendantFonts[0].get("/W", []))
            # The first text set with a glyph names it, as when WeasyPrint sets the whole book.
            unicode = _to_unicode(font.ToUnicode.read_bytes()) | unicode
        canonical = distinct[0]
        descendant = canonical.DescendantFonts[0]
        descriptor = descendant.FontDescriptor
        file_key = Name.FontFile3 if "/FontFile3" in descriptor else Name.FontFile2
        source = sources[name]
        try:
            data = _subset(fonts_dir, source, sorted(set(widths) | set(unicode)))
        except OSError:
            continue  # the original font file is gone: this face keeps its per-chapter subsets
        font_file = merged.make_stream(data)
        if file_key == Name.FontFile3:
            font_file.Subtype = Name.OpenType
        else:
            font_file.Length1 = len(data)
        descriptor[file_key] = font_file
        descendant.W = _width_array(widths)
        canonical.ToUnicode = merged.make_stream(_cmap(unicode))
        for holder, key, _ in entries:
            holder[key] = canonical


def _widths(array) -> dict[int, float]:
    widths, items, i = {}, list(array), 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], Array):
            for offset, width in enumerate(items[i + 1]):
                widths[first + offset] = float(width)
            i += 2
        else:
            for gid in range(first, int(items[i + 1]) + 1):
                widths[gid] = float(items[i + 2])
            i += 3
    return widths


def _width_array(widths: dict[int, float]) -> Array:
    array, run = [], None
    for gid in sorted(widths):
        if gid - 1 not in widths:
            run = []
            array += [gid, run]
        value = widths[gid]
        run.append(int(value) if value == int(value) else value)
    return Array([Array(item) if isinstance(item, list) else item for item in array])


def _to_unicode(cmap: bytes) -> dict[int, bytes]:
    body = cmap.split(b"endcodespacerange", 1)[-1]
    return {int(gid, 16): text for gid, text in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", body)}


def _cmap(unicode: dict[int, bytes]) -> bytes:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(unicode.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (gid, text) for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _subset(fonts_dir: Path, source: FontSource, gids: list[int]) -> bytes:
    """The glyphs `gids` of the original font, at their original ids; kept beside the original,
    as a rebuild after a small edit mostly needs the same glyphs again."""
    kept = fonts_dir / ("subset-" + hashlib.sha256(
        f"{source.sha} {source.index} {gids} {fontTools.version}".encode()).hexdigest())
    try:
        return kept.read_bytes()
    except OSError:
        data = _cut(fonts_dir / source.sha, source.index, gids)
    keep(kept, data)
    return data


def _cut(path: Path, index: int, gids: list[int]) -> bytes:
    options = subset.Options(retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
                             hinting=False, desubroutinize=True, notdef_outline=True)
    options.drop_tables += ["BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG "]
    font = TTFont(path, fontNumber=index)
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=gids)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
