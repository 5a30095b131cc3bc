"""A story saved by FanFicFare (EPUB, HTML or TXT) → a BookDraft.

FanFicFare writes the same facts three ways: a title line "Title by Author", then labelled
details (Series, Category, Genre, Characters, Relationships, Status, Published, Updated,
Packaged, Rating, Warnings, Chapters, Words, Publisher, Summary…), its own table of contents,
then the chapters. The EPUB keeps the details on `title_page.xhtml` and each chapter in
`fileNNNN.xhtml` under an `h3.fff_chapter_title`; the HTML in a `table.full` and chapters under
`<a name="sectionNNNN"><h2>`; the TXT as `Label: value` lines and its chapter titles, indented,
as listed under TABLE OF CONTENTS. Its table of contents is dropped (the book gets its own), and
so are the facts about the download itself (Packaged, Chapters, Words), listed in the trace.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree, html as lxml_html

from ..errors import ManuscriptError, Problem, Warnings
from ..manuscript import Metadata, StoryInfo
from .decode import read_text
from .draft import BODY, DROPPED, FRONT, LABEL, BookDraft, ChapterDraft, Overrides, Place, Prose, Trace
from .folder import apply
from .html_tidy import text_of, tidy
from .text import header_draft, header_markdown, parse_header, parse_story

# FanFicFare's labels → StoryInfo fields ("Category" is the fandom there).
FIELDS = {"category": "fandoms", "genre": "tags", "characters": "characters", "relationships": "relationships",
          "rating": "rating", "warnings": "warnings", "status": "status", "published": "published",
          "updated": "updated"}
LISTS = {"fandoms", "tags", "characters", "relationships", "warnings"}
ABOUT_THE_DOWNLOAD = {"packaged", "chapters", "words", "publisher", "story url", "author url", "series url"}


def _facts(pairs: list[tuple[str, str]], trace: Trace) -> tuple[dict, str, float | None, str, str]:
    """(StoryInfo fields, series, series index, summary HTML, story URL) from (label, value) pairs."""
    story: dict = {}
    series, index, summary, url = "", None, "", ""
    for label, value in pairs:
        key = label.strip().rstrip(":").lower()
        trace.add(LABEL, label)
        if key in FIELDS:
            field = FIELDS[key]
            text = " ".join(value.split())
            if field == "status":
                text = {"in-progress": "In progress", "completed": "Complete"}.get(text.lower(), text)
            story[field] = tuple(v.strip() for v in text.split(",") if v.strip()) if field in LISTS else text
            trace.add(FRONT if field not in ("published", "updated", "status") else LABEL, text)
        elif key == "series":
            found = re.match(r"(.+?)\s*\[(\d+)\]\s*$", " ".join(value.split()))
            series, index = (found[1], float(found[2])) if found else (" ".join(value.split()), None)
            trace.add(FRONT, series)
        elif key == "summary":
            summary = value
        elif key == "story url":
            url = value.strip()
            trace.add(LABEL, value)
        else:
            trace.add(LABEL if key in ABOUT_THE_DOWNLOAD else DROPPED, value)
    return story, series, index, summary, url


def _metadata(title: str, authors: tuple[str, ...], pairs: list[tuple[str, str]], trace: Trace,
              language: str = "en") -> tuple[Metadata, str]:
    story, series, index, summary, url = _facts(pairs, trace)
    trace.add(FRONT, title)
    trace.add(FRONT, " ".join(authors))
    metadata = Metadata(title=title, identifier=url, authors=authors, language=language, series=series,
                        series_index=index, story=StoryInfo(**story) if story else None, source=url)
    return metadata, summary


def _labelled(element: etree._Element) -> list[tuple[str, str]]:
    """`<b>Label:</b> value<br/>` runs (the EPUB title page) or table rows (the HTML) → pairs."""
    pairs = []
    for bold in element.iter("b"):
        label = " ".join(bold.text_content().split())
        if not label.endswith(":"):
            continue
        cell = bold.getparent()
        if cell.tag == "td" and cell.getnext() is not None:  # the HTML's table
            value = cell.getnext()
            pairs.append((label, lxml_html.tostring(value, encoding="unicode", method="html")
                          if label.lower() == "summary:" else value.text_content()))
            continue
        parts, node = [bold.tail or ""], bold.getnext()
        while node is not None and node.tag != "br" and node.tag != "b":
            parts.append(lxml_html.tostring(node, encoding="unicode", method="html") if label.lower() == "summary:"
                         else node.text_content() + (node.tail or ""))
            node = node.getnext()
        pairs.append((label, "".join(parts)))
    return pairs


def _byline(heading: etree._Element) -> tuple[str, tuple[str, ...]]:
    links = heading.findall(".//a")
    title = " ".join(links[0].text_content().split()) if links else text_of(heading)
    authors = tuple(" ".join(a.text_content().split()) for a in links[1:])
    return title, authors


def _summary(html: str, where: str, warn: Warnings, trace: Trace) -> Prose | None:
    if not html.strip():
        return None
    element = lxml_html.fragment_fromstring(html, create_parent="div")
    trace.add(FRONT, text_of(element))
    return Prose(tidy(element, where, warn), Place(where), "html")


def read_fanficfare_epub(book: zipfile.ZipFile, package, path: Path, overrides: Overrides,
                         warn: Warnings) -> BookDraft:
    where, trace = str(path), Trace()
    pages = {name: lxml_html.document_fromstring(book.read(name)) for name in package.spine}
    title_page = next((page for name, page in pages.items() if name.endswith("title_page.xhtml")), None)
    title, authors, pairs = path.stem, (), []
    if title_page is not None:
        heading = title_page.find(".//h3")
        if heading is not None:
            title, authors = _byline(heading)
        pairs = _labelled(title_page.find("body"))
    metadata, summary = _metadata(title, authors, pairs, trace,
                                  language=next(iter(package.opf.xpath("//*[local-name()='language']/text()")), "en"))
    chapters = []
    for name, page in pages.items():
        heading = page.find(".//h3[@class='fff_chapter_title']")
        if heading is None:
            trace.add(DROPPED, text_of(page.find("body")) if name.endswith(("toc_page.xhtml",)) else "")
            continue
        chapter_title = text_of(heading)
        trace.add(BODY, chapter_title)
        heading.drop_tree()
        body = page.find("body")
        trace.add(BODY, text_of(body))
        chapters.append(ChapterDraft(Prose(tidy(body, f"{where}: {name}", warn), Place(f"{where}: {name}"), "html"),
                                     chapter_title))
    return BookDraft(metadata=apply(metadata, overrides), chapters=tuple(chapters), root=path.parent,
                     place=Place(where), slug=path.stem, summary=_summary(summary, where, warn, trace), trace=trace)


def is_fanficfare_html(root: etree._Element) -> bool:
    return root.find(".//table[@class='full']") is not None and root.find(".//a[@name='TOCTOP']") is not None


def read_fanficfare_html(root: etree._Element, path: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    where, trace = str(path), Trace()
    heading = root.find(".//h1")
    title, authors = _byline(heading) if heading is not None else (path.stem, ())
    table = root.find(".//table[@class='full']")
    metadata, summary = _metadata(title, authors, _labelled(table), trace)
    chapters = []
    for anchor in root.iterfind(".//a[@name]"):
        if not re.fullmatch(r"section\d+", anchor.get("name")) or anchor.find("h2") is None:
            continue
        chapter_title = text_of(anchor.find("h2"))
        body = anchor.getnext()
        while body is not None and body.tag != "div":
            body = body.getnext()
        if body is None:
            continue
        trace.add(BODY, chapter_title)
        trace.add(BODY, text_of(body))
        chapters.append(ChapterDraft(Prose(tidy(body, where, warn), Place(where), "html"), chapter_title))
    return BookDraft(metadata=apply(metadata, overrides), chapters=tuple(chapters), root=path.parent,
                     place=Place(where), slug=path.stem, summary=_summary(summary, where, warn, trace), trace=trace)


def is_fanficfare_text(lines: list[str]) -> bool:
    """Title, a `by` line, labelled details with FanFicFare's own (Packaged:), then TABLE OF CONTENTS."""
    head = [line.strip() for line in lines[:80]]
    return "TABLE OF CONTENTS" in head and any(line.startswith("by ") for line in head[:12]) \
        and any(line.startswith(("Packaged:", "Story URL:")) for line in head)


def read_fanficfare_text(text: str, path: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    """The TXT: the details are a story header; the chapters start at the titles its contents lists."""
    lines = text.split("\n")
    contents = lines.index("TABLE OF CONTENTS")
    # The title, then "by" and the authors: each a block of its own, wrapped at 78 columns.
    blocks, index = [], 0
    while len(blocks) < 2 and index < contents:
        while index < contents and not lines[index].strip():
            index += 1
        start = index
        while index < contents and lines[index].strip():
            index += 1
        blocks.append(" ".join(" ".join(lines[start:index]).split()))
    title, byline = blocks[0], blocks[1] if len(blocks) > 1 else ""
    trace = Trace()
    trace.add(FRONT, title)
    trace.add(LABEL, "by")
    trace.add(FRONT, byline[3:])
    details, summary = [], []
    for line in lines[index:contents]:
        label = line.split(":", 1)[0].strip().lower() if ":" in line else ""
        if summary or label == "summary":
            summary.append(line)
        elif label in ABOUT_THE_DOWNLOAD:
            trace.add(LABEL, line)  # facts about the download, not the story
        else:
            details.append(re.sub(r"^Category:", "Fandom:", line))  # FanFicFare's Category is the fandom
    header, _ = parse_header(details, trace)
    header["title"], header["author"] = title, "; ".join(a.strip() for a in byline[3:].split(", ") if a.strip())
    if summary:
        trace.add(LABEL, "Summary:")
        paragraphs = [" ".join(p.split()) for p in "\n".join(summary).split(":", 1)[1].split("\n\n") if p.strip()]
        trace.add(FRONT, "\n".join(paragraphs))
        header["summary"] = "\n\n".join(paragraphs)
    listed = [line.strip() for line in lines[contents + 1:] if line.strip()]
    starts: dict[int, tuple[str, int]] = {}
    index = contents + 1
    for wanted in listed:
        found = _find_title(lines, index, wanted)
        if found is None:
            break
        starts[found[0]] = (" ".join(wanted.split()), found[1])
        index = found[0] + found[1]
    trace.add(DROPPED, "TABLE OF CONTENTS\n" + "\n".join(listed[:len(starts)]))
    story = parse_story(text, headings=starts, body_from=min(starts, default=len(lines)))
    trace.pieces += story.trace.pieces
    header = {key: header_markdown(key, value) for key, value in header.items()}
    chapters = tuple(
        ChapterDraft(Prose("\n\n".join(chapter.blocks) + "\n", Place(f"{path} (chapter {n})")), chapter.title,
                     *(Prose("\n\n".join(p), Place(f"{path} (chapter {n})")) if p else None
                       for p in (chapter.summary, chapter.notes, chapter.end_notes)))
        for n, chapter in enumerate(story.chapters, 1))
    return header_draft(header, path, chapters, overrides, warn, trace)


def _find_title(lines: list[str], start: int, wanted: str) -> tuple[int, int] | None:
    """Where the indented chapter title `wanted` stands (it may be wrapped over two lines)."""
    key = " ".join(wanted.split())
    for index in range(start, len(lines)):
        line = lines[index]
        if not line.startswith("        "):
            continue
        joined = " ".join(line.split())
        if joined == key:
            return index, 1
        if key.startswith(joined) and index + 1 < len(lines) and \
                " ".join((line + " " + lines[index + 1]).split()) == key:
            return index, 2
    return None


def read_fanficfare_file(path: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    try:
        text = read_text(path, str(path), warn, what="a text story", say_encoding=False)
    except Problem as problem:
        raise ManuscriptError([problem]) from None
    return read_fanficfare_text(text, path, overrides, warn)
