"""A Word document (.docx, also from Google Docs or LibreOffice) → a BookDraft.

mammoth turns Word's styles into semantic HTML (Heading 1 → chapters, Title and Subtitle →
the book's, italic, bold, small caps, footnotes and endnotes, inline images); the core
properties (docProps/core.xml) give the title, author, language and subjects. Tracked changes
are taken as accepted (insertions kept, deletions dropped) and comments are not content: a
warning says how many there were. A document with no headings is split at short bold
paragraphs that read like chapter headings ("Chapter 1"), as Google Docs exports have them.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from lxml import etree, html as lxml_html

from ..errors import ManuscriptError, Problem, Warnings
from ..manuscript import Metadata
from .draft import BODY, FRONT, LABEL, BookDraft, ChapterDraft, Overrides, Place, Prose, Trace
from .folder import apply
from .html_tidy import gather_footnotes, split_sections, text_of, tidy, trace_text
from .text import heading_of, language_tag, tidy_heading

STYLE_MAP = """
p[style-name='Title'] => h1.title:fresh
p[style-name='Subtitle'] => p.subtitle:fresh
small-caps => span.small-caps
"""
CORE = {"dc": "http://purl.org/dc/elements/1.1/", "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    import mammoth  # only for Word files

    where, trace = str(path), Trace()
    try:
        data = path.read_bytes()
        package = zipfile.ZipFile(io.BytesIO(data))
        document_xml = package.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        raise ManuscriptError([Problem("not a readable Word document (.docx): open it in Word or LibreOffice and "
                                       "save it again", where)]) from None
    _say_what_is_not_content(package, document_xml, where, warn)
    images: dict[str, bytes] = {}
    # Each drawing's description, in order: mammoth misses it when the image also has a VML fallback.
    descriptions = [d.get("descr") or d.get("title") or "" for d in etree.fromstring(document_xml).iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]

    def keep_image(image) -> dict:
        extension = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/svg+xml": "svg"}.get(
            image.content_type, "png")
        name = f"images/image-{len(images) + 1}.{extension}"
        with image.open() as stream:
            images[name] = stream.read()
        number = len(images) - 1
        return {"src": name, "alt": image.alt_text or (descriptions[number] if number < len(descriptions) else "")}

    result = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP,
                                     convert_image=mammoth.images.img_element(keep_image))
    if not result.value.strip() or not text_of(lxml_html.fragment_fromstring(result.value, create_parent="div")):
        raise ManuscriptError([Problem("the document is empty", where)])
    body = lxml_html.fragment_fromstring(result.value, create_parent="div")
    ids = {e.get("id"): e for e in body.iter() if isinstance(e.tag, str) and e.get("id")}
    gather_footnotes(body, ids)
    notes = body[-1] if len(body) and "footnote" in (body[-1].get("class") or "") else None
    if notes is not None:
        body.remove(notes)
    core = _core(package)
    title_element = body.find(".//h1[@class='title']")
    subtitle_element = body.find(".//p[@class='subtitle']")
    title = core.get("title") or (text_of(title_element) if title_element is not None else "")
    authors = tuple(a.strip() for a in re.split(r";|\s+and\s+", core.get("creator", "")) if a.strip())
    for element in (title_element, subtitle_element):
        if element is not None:
            trace.add(FRONT, text_of(element))
            element.drop_tree()
    _bold_headings(body)
    sections = split_sections(body)
    chapters = []
    for heading, holder in sections:
        if heading is None:
            # Before chapter one: the title page as typed (a byline, a blank line) is this book's own.
            front = text_of(holder)
            if not title and front:
                title = front.split("  ")[0]
            trace.add(LABEL, front)
            continue
        chapter_title = tidy_heading(text_of(heading))
        chapters.append([chapter_title, holder])
    if notes is not None and chapters:
        _notes_to_chapters(chapters, notes)
    for chapter_title, holder in chapters:
        trace.add(BODY, chapter_title)
        trace_text(holder, trace)
    subtitle = text_of(subtitle_element) if subtitle_element is not None else ""
    title = title or path.stem.replace("-", " ").replace("_", " ").title()
    trace.add(FRONT, title)
    trace.add(FRONT, " ".join(authors))
    metadata = Metadata(title=title, subtitle=subtitle, identifier="", authors=authors,
                        language=language_tag(core.get("language", "")) or "en",
                        subjects=tuple(k.strip() for k in core.get("keywords", "").split(",") if k.strip()))
    drafts = tuple(ChapterDraft(Prose(tidy(holder, where, warn), Place(where), "html"), chapter_title)
                   for chapter_title, holder in chapters)
    return BookDraft(metadata=apply(metadata, overrides), chapters=drafts, root=path.parent, place=Place(where),
                     slug=path.stem, packaged=images, trace=trace)


def _core(package: zipfile.ZipFile) -> dict[str, str]:
    """Title, creator, subject, keywords and language from docProps/core.xml."""
    try:
        root = etree.fromstring(package.read("docProps/core.xml"))
    except (KeyError, etree.XMLSyntaxError):
        return {}
    found = {}
    for name in ("title", "creator", "subject", "language"):
        element = root.find(f"dc:{name}", CORE)
        if element is not None and (element.text or "").strip():
            found[name] = element.text.strip()
    keywords = root.find("cp:keywords", CORE)
    if keywords is not None and (keywords.text or "").strip():
        found["keywords"] = keywords.text.strip()
    return found


def _say_what_is_not_content(package: zipfile.ZipFile, document_xml: bytes, where: str, warn: Warnings) -> None:
    """Tracked changes are accepted and comments left out: the author should know."""
    root = etree.fromstring(document_xml)
    inserted = len(root.findall(f".//{WORD}ins"))
    deleted = len(root.findall(f".//{WORD}del"))
    try:
        comments = len(etree.fromstring(package.read("word/comments.xml")).findall(f"{WORD}comment"))
    except KeyError:
        comments = 0
    if inserted or deleted:
        warn(f"{inserted + deleted} tracked change(s) taken as accepted: {inserted} insertion(s) kept, "
             f"{deleted} deletion(s) dropped", where)
    if comments:
        warn(f"{comments} comment(s) left out: comments are not part of the book", where)


def _bold_headings(body: etree._Element) -> None:
    """Paragraphs that are one bold run reading like a heading ("Chapter 1") → h1, when the
    document has no headings of its own (a Google Docs export)."""
    if body.find(".//h1") is not None or body.find(".//h2") is not None:
        return
    for paragraph in list(body.iter("p")):
        if len(paragraph) == 1 and paragraph[0].tag in ("strong", "b") and not (paragraph.text or "").strip() \
                and not (paragraph[0].tail or "").strip() and heading_of([text_of(paragraph)], 0):
            paragraph.tag = "h1"
            paragraph.text = text_of(paragraph)
            paragraph.remove(paragraph[0])


def _notes_to_chapters(chapters: list, notes: etree._Element) -> None:
    """Each note back into the chapter that calls it, numbered there from 1."""
    items = {item.get("id"): item for item in notes.iter("li")}
    for chapter in chapters:
        holder = chapter[1]
        called = [sup for sup in holder.iter("sup") if (sup.get("id") or "").startswith("fnref:")]
        if not called:
            continue
        block = lxml_html.Element("div", {"class": "footnote"})
        etree.SubElement(block, "hr")
        listing = etree.SubElement(block, "ol")
        for number, sup in enumerate(called, 1):
            old = sup.get("id")[6:]
            item = items.get(f"fn:{old}")
            sup.set("id", f"fnref:{number}")
            sup[0].set("href", f"#fn:{number}")
            sup[0].text = str(number)
            if item is None:
                continue
            item.set("id", f"fn:{number}")
            for back in item.iter("a"):
                back.set("href", f"#fnref:{number}")
            listing.append(item)
        holder.append(block)
