"""Separately rendered print documents → one book PDF, as if WeasyPrint had set it whole.

The front matter comes first, padded to an even page count; each chapter follows on a recto
(a blank verso before it when needed); each chapter page gets its folio stamped from the
furniture document; the per-document font subsets become one subset per face; the outline
and the contents page's links point into the merged book.
"""
from __future__ import annotations

import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, ByteStringObject, DecodedStreamObject, DictionaryObject, FloatObject,
                           IndirectObject, NameObject, NullObject, NumberObject)

from .typeset import FontSource, Rendered

FOLIO = NameObject("/PublisherFolio")


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


def merge(front: Rendered, chapters: list[Rendered], furniture: list[tuple[int, Rendered]], book: Plan,
          chapter_ids: tuple[str, ...], link_base: str, fonts_dir: Path | None, identifier: bytes) -> bytes:
    """The book's PDF: front matter, chapters with stamped folios, one outline, merged fonts."""
    writer = PdfWriter()
    front_reader = PdfReader(io.BytesIO(front.pdf))
    writer.append(front_reader, import_outline=False)
    width, height = (float(v) for v in front_reader.pages[0].mediabox[2:])
    if front.pages % 2:
        writer.add_blank_page(width, height)
    wanted = {first + n for first, count in zip(book.first_folios, book.counts) for n in range(count)}
    stamps = _folio_stamps(writer, furniture, wanted)
    opening, outline, targets = [], [], {}
    open_stream = writer._add_object(_stream(b"q\n"))
    close_stream = writer._add_object(_stream(b"\nQ " + FOLIO.encode() + b" Do\n"))
    for index, (chapter, blank) in enumerate(zip(chapters, book.blank_before)):
        if blank:
            writer.add_blank_page(width, height)
        reader = PdfReader(io.BytesIO(chapter.pdf))
        start = len(writer.pages)
        opening.append(start)
        writer.append(reader, import_outline=False)
        for number in range(chapter.pages):
            _stamp(writer.pages[start + number], stamps[book.first_folios[index] + number], open_stream,
                   close_stream)
        outline += [(title, start + page) for title, page in _outline(reader)]
        dest = reader.named_destinations.get(chapter_ids[index])
        if dest is not None:
            targets[chapter_ids[index]] = (start + reader.get_destination_page_number(dest), dest.left, dest.top)
    if fonts_dir is not None:
        merge_fonts(writer, {f.name: f for part in [front, *chapters, *(r for _, r in furniture)]
                                  for f in part.fonts}, fonts_dir)
    # A fresh writer keeps only what the pages use: the per-document fonts are left behind.
    book_pdf = PdfWriter()
    for page in writer.pages:
        book_pdf.add_page(page)
    for title, page in outline:
        book_pdf.add_outline_item(title=title, page_number=page)
    _link_contents(book_pdf, front.pages, link_base, targets)
    book_pdf.add_metadata({k: v for k, v in front_reader.metadata.items() if k != "/Producer"} |
                          {"/Producer": front_reader.metadata.get("/Producer", "")})
    if "/Lang" in front_reader.trailer["/Root"]:
        book_pdf._root_object[NameObject("/Lang")] = front_reader.trailer["/Root"]["/Lang"]
    digest = hashlib.md5(b"".join(hashlib.sha256(p.pdf).digest() for p in [front, *chapters]),
                         usedforsecurity=False).digest()
    book_pdf._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(digest)])
    out = io.BytesIO()
    book_pdf.write(out)
    return out.getvalue()


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _folio_stamps(writer: PdfWriter, furniture: list[tuple[int, Rendered]], wanted: set[int]) -> dict:
    """Folio → the furniture page that prints it, as a form the chapter page can draw."""
    stamps = {}
    for first, part in furniture:
        reader = PdfReader(io.BytesIO(part.pdf))
        for folio, page in enumerate(reader.pages, start=first):
            if folio not in wanted:
                continue  # a blank verso
            contents = page["/Contents"].get_object()
            data = b"\n".join(c.get_object().get_data() for c in contents) if isinstance(contents, ArrayObject) \
                else contents.get_data()
            form = _stream(data)
            form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                         NameObject("/BBox"): ArrayObject(page.mediabox),
                         NameObject("/Resources"): page[NameObject("/Resources")].clone(writer)})
            stamps[folio] = writer._add_object(form.flate_encode())
    return stamps


def _stamp(page, form: IndirectObject, open_stream: IndirectObject, close_stream: IndirectObject) -> None:
    """Draw the folio form over the page, the page's own drawing wrapped in q/Q."""
    resources = DictionaryObject(page["/Resources"].get_object())
    forms = DictionaryObject(resources["/XObject"].get_object()) if "/XObject" in resources else DictionaryObject()
    forms[FOLIO] = form
    resources[NameObject("/XObject")] = forms
    page[NameObject("/Resources")] = resources
    contents = page["/Contents"]
    streams = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([open_stream, *streams, close_stream])


def _outline(reader: PdfReader):
    """(title, page) of each top-level bookmark the document made."""
    for item in reader.outline:
        if not isinstance(item, list):
            yield item.title, reader.get_destination_page_number(item)


def _link_contents(writer: PdfWriter, front_pages: int, link_base: str, targets: dict) -> None:
    """The contents page's links were written to `link_base#id`: point them at the chapters."""
    for page in writer.pages[:front_pages]:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            uri = annotation.get("/A", {}).get("/URI", "")
            if not uri.startswith(link_base + "#") or uri[len(link_base) + 1:] not in targets:
                continue
            target, left, top = targets[uri[len(link_base) + 1:]]
            del annotation["/A"]
            annotation[NameObject("/Dest")] = ArrayObject([
                writer.pages[target].indirect_reference, NameObject("/XYZ"),
                FloatObject(left) if left is not None else NullObject(),
                FloatObject(top) if top is not None else NullObject(), NumberObject(0)])


# Fonts. WeasyPrint embeds, per document, a subset of each face that keeps glyph ids; one
# subset of the union replaces them all.

def merge_fonts(writer: PdfWriter, sources: dict[str, FontSource], fonts_dir: Path) -> None:
    uses = defaultdict(list)  # BaseFont → [(the /Font dictionary naming it, key, font reference)]
    seen: set[int] = set()

    def walk(resources) -> None:
        resources = resources.get_object()
        if id(resources) in seen:
            return
        seen.add(id(resources))
        fonts = resources.get("/Font")
        if fonts is not None and id(fonts.get_object()) not in seen:
            fonts = fonts.get_object()
            seen.add(id(fonts))
            for key, ref in fonts.items():
                if isinstance(ref, IndirectObject):
                    uses[str(ref.get_object().get("/BaseFont", ""))[1:]].append((fonts, key, ref))
        for form in (resources.get("/XObject") or DictionaryObject()).get_object().values():
            form = form.get_object()
            if form.get("/Subtype") == "/Form" and "/Resources" in form:
                walk(form["/Resources"])

    for page in writer.pages:
        if "/Resources" in page:
            walk(page["/Resources"])
    for name, entries in uses.items():
        distinct = list({ref.idnum: ref for _, _, ref in entries}.values())
        if name not in sources or len(distinct) < 2:
            continue
        fonts = [ref.get_object() for ref in distinct]
        if any(f.get("/Subtype") != "/Type0" or f.get("/Encoding") != "/Identity-H" for f in fonts):
            continue
        widths: dict[int, float] = {}
        unicode: dict[int, bytes] = {}
        for font in fonts:
            widths |= _widths(font["/DescendantFonts"][0].get_object().get("/W", []))
            unicode |= _to_unicode(font["/ToUnicode"].get_object().get_data())
        canonical = fonts[0]
        descendant = canonical["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        file_key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
        source = sources[name]
        data = _subset(fonts_dir / source.sha, source.index, sorted(set(widths) | set(unicode)))
        font_file = _stream(data)
        if file_key == "/FontFile3":
            font_file[NameObject("/Subtype")] = NameObject("/OpenType")
        else:
            font_file[NameObject("/Length1")] = NumberObject(len(data))
        descriptor[NameObject(file_key)] = writer._add_object(font_file.flate_encode())
        descendant[NameObject("/W")] = _width_array(widths)
        canonical[NameObject("/ToUnicode")] = writer._add_object(_stream(_cmap(unicode)).flate_encode())
        for holder, key, _ in entries:
            holder[NameObject(key)] = distinct[0]


def _widths(array) -> dict[int, float]:
    widths, items, i = {}, list(array), 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], ArrayObject):
            for offset, width in enumerate(items[i + 1]):
                widths[first + offset] = float(width)
            i += 2
        else:
            for gid in range(first, int(items[i + 1]) + 1):
                widths[gid] = float(items[i + 2])
            i += 3
    return widths


def _width_array(widths: dict[int, float]) -> ArrayObject:
    array, run = ArrayObject(), None
    for gid in sorted(widths):
        if gid - 1 not in widths:
            run = ArrayObject()
            array += [NumberObject(gid), run]
        value = widths[gid]
        run.append(NumberObject(int(value)) if value == int(value) else FloatObject(value))
    return array


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


def _subset(path: Path, index: int, gids: list[int]) -> bytes:
    """The glyphs `gids` of the original font, at their original ids, as WeasyPrint subsets."""
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
