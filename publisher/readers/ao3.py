"""An Archive of Our Own download (its HTML, or the EPUB calibre makes from it) → a BookDraft.

The structure is the Archive's own download templates (otwarchive `app/views/downloads/`):
`#preface` holds the tags (`dl.tags`), the title (`h1`), the byline, the work's summary and
notes; `#chapters` holds, per chapter, a `div.meta.group` (`h2.heading` "Chapter N: Title",
summary, notes) then the text in `div.userstuff` and its end notes in `#endnotesN` (a one-shot
has only an `h2.toc-heading` and the text); `#afterword` holds the work's end notes. The
Archive's own words around them ("Posted originally on…", "See the end of the chapter for more
notes", "Please drop by the Archive and comment…") are dropped and listed in the trace; the
work's address goes on the copyright page.
"""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..errors import Warnings
from ..manuscript import Metadata, StoryInfo
from .draft import BODY, DROPPED, FRONT, LABEL, BookDraft, ChapterDraft, Overrides, Place, Prose, Trace
from .folder import apply
from .html_tidy import text_of, tidy
from .text import language_tag

# The Archive's tag groups (dt text without its colon, singular or plural) → StoryInfo fields.
TAG_GROUPS = {"rating": "rating", "ratings": "rating", "archive warning": "warnings", "archive warnings": "warnings",
              "category": "categories", "categories": "categories", "fandom": "fandoms", "fandoms": "fandoms",
              "relationship": "relationships", "relationships": "relationships", "character": "characters",
              "characters": "characters", "additional tags": "tags", "additional tag": "tags", "freeform": "tags"}


def _has_class(element: etree._Element, name: str) -> bool:
    return name in (element.get("class") or "").split()


def is_ao3(root: etree._Element) -> bool:
    """The Archive's download: a #preface whose message names the Archive of Our Own."""
    return any("Archive of Our Own" in " ".join(e.itertext()) for e in _with_id(root, "preface"))


def _with_id(root: etree._Element, name: str) -> list[etree._Element]:
    """Every element with this id: calibre's EPUB repeats #preface and #chapters in each split file."""
    return [e for e in root.iter() if isinstance(e.tag, str) and e.get("id") == name]


def _inside(element: etree._Element, name: str) -> bool:
    return any(a.get("id") == name for a in element.iterancestors())


def read_ao3_tree(root: etree._Element, path: Path, overrides: Overrides, warn: Warnings) -> BookDraft:
    """The draft of an AO3 download, from its HTML (or the joined documents of its EPUB)."""
    where, trace = str(path), Trace()
    prefaces = _with_id(root, "preface")
    for preface in prefaces:
        for message in preface.iter("p"):
            if _has_class(message, "message"):
                trace.add(DROPPED, text_of(message))
    url = next((a.get("href") for preface in prefaces for a in preface.iter("a")
                if re.search(r"/works/\d+$", a.get("href") or "")), "")
    tags, stats, language, series, series_index = {}, {}, "en", "", None
    dl = next((e for preface in prefaces for e in preface.iter("dl") if _has_class(e, "tags")), None)
    for dt in (dl.iter("dt") if dl is not None else ()):
        dd = dt.getnext()
        label = " ".join(dt.text_content().split()).rstrip(":").strip().lower()
        trace.add(LABEL, dt.text_content())
        if dd is None:
            continue
        if label in TAG_GROUPS:
            values = tuple(" ".join(a.text_content().split()) for a in dd.iter("a")) or \
                tuple(v.strip() for v in dd.text_content().split(",") if v.strip())
            tags[TAG_GROUPS[label]] = values
            trace.add(FRONT, " ".join(values))
        elif label == "language":
            language = language_tag(dd.text_content()) or "en"
            trace.add(LABEL, dd.text_content())
        elif label == "series":
            text = " ".join(dd.text_content().split())
            found = re.match(r"Part (\d+) of (.+)", text)
            if found:
                series_index, series = float(found[1]), found[2].strip()
                trace.add(LABEL, f"Part {found[1]} of")
            trace.add(FRONT, series or text)
        elif label == "stats":
            for line in dd.text_content().split("\n"):
                if ":" in line:
                    key, value = line.split(":", 1)
                    stats[key.strip().lower()] = value.strip()
            trace.add(LABEL, dd.text_content())
    title_element = next((h for preface in prefaces for h in preface.iter("h1")), None)
    title = " ".join(title_element.text_content().split()) if title_element is not None else path.stem
    trace.add(FRONT, title)
    byline = next((e for preface in prefaces for e in preface.iter("div") if _has_class(e, "byline")), None)
    authors = tuple(" ".join(a.text_content().split()) for a in byline.iter("a")) if byline is not None else ()
    if byline is not None and not authors:
        authors = ("Anonymous",) if "Anonymous" in byline.text_content() else ()
    trace.add(FRONT, " ".join(authors))
    summary, notes = None, None
    for preface in prefaces:
        found = _labelled_quotes(preface, where, warn, trace)
        summary, notes = summary or found[0], notes or found[1]
    chapters = _chapters(root, where, warn, trace)
    end_notes = _work_end_notes(root, where, warn, trace)
    if end_notes is not None and chapters:
        # The work's end notes close the book, after the last chapter's own (back matter comes with #16).
        last = chapters[-1]
        joined = (last.end_notes.text + "\n" if last.end_notes else "") + end_notes.text
        chapters[-1] = ChapterDraft(last.body, last.title, last.summary, last.notes,
                                    Prose(joined, end_notes.place, "html"))
    count = stats.get("chapters", "")
    done, _, planned = count.partition("/")
    status = ("Complete" if done and done == planned else "In progress") if count else ""
    story = StoryInfo(**{key: ", ".join(value) if key == "rating" else value for key, value in tags.items()},
                      status=status, published=stats.get("published", ""),
                      updated=stats.get("completed") or stats.get("updated", ""))
    metadata = Metadata(title=title, identifier=url, authors=authors, language=language, series=series,
                        series_index=series_index, story=story, source=url, date=stats.get("published", ""))
    return BookDraft(metadata=apply(metadata, overrides), chapters=tuple(chapters), root=path.parent,
                     place=Place(where), slug=path.stem, summary=summary,
                     notes=(("Notes", notes),) if notes else (), trace=trace)


def _labelled_quotes(block: etree._Element, where: str, warn: Warnings, trace: Trace) -> tuple[Prose | None, Prose | None]:
    """The Summary and Notes blockquotes of a preface or a chapter's meta block, by their label."""
    found: dict[str, Prose] = {}
    for quote in block.iter("blockquote"):
        label = quote.getprevious()
        name = " ".join(label.text_content().split()).lower() if label is not None else ""
        if name.endswith("summary"):
            key = "summary"
        elif name.endswith("notes"):
            key = "notes"
        else:
            continue
        trace.add(LABEL, label.text_content())
        trace.add(BODY, text_of(quote))
        found[key] = Prose(tidy(quote, where, warn), Place(where), "html")
    for link in block.iter("div"):
        if _has_class(link, "endnote-link"):
            trace.add(DROPPED, text_of(link))
    return found.get("summary"), found.get("notes")


def _chapters(root: etree._Element, where: str, warn: Warnings, trace: Trace) -> list[ChapterDraft]:
    """Each chapter: its heading (an h2 in #chapters: in a meta block, or alone in a one-shot),
    the meta block's summary and notes, the text that follows, and the end notes after that."""
    chapters = []
    headings = [h for container in _with_id(root, "chapters") for h in container.iter("h2")]
    for number, heading in enumerate(headings, 1):
        alone = heading.getparent().get("id") == "chapters"
        group = heading if alone else heading.getparent()
        title = " ".join(heading.text_content().split())
        if not alone:
            label = re.match(r"^Chapter\s+\d+\s*:\s*", title)
            if label and title[label.end():]:
                trace.add(LABEL, label[0])  # "Chapter 2:" — the book numbers its chapters itself
                title = title[label.end():]
        trace.add(BODY, title)
        summary, notes = (None, None) if alone else _labelled_quotes(group, where, warn, trace)
        body = _next_element(group)
        while body is not None and (body.tag != "div" or (body.get("id") or "").startswith("endnotes")):
            body = _next_element(body)
        if body is None:
            continue
        trace.add(BODY, text_of(body))
        end_notes = None
        after = _next_element(body)
        if after is not None and (after.get("id") or "").startswith("endnotes"):
            quote = after.find(".//blockquote")
            if quote is not None:
                trace.add(LABEL, "Chapter End Notes")
                trace.add(BODY, text_of(quote))
                end_notes = Prose(tidy(quote, where, warn), Place(where), "html")
        chapters.append(ChapterDraft(Prose(tidy(body, where, warn), Place(where), "html"), title, summary, notes,
                                     end_notes))
    return chapters


def _next_element(element: etree._Element) -> etree._Element | None:
    """The next sibling that is an element (not the <!--chapter content--> comments)."""
    after = element.getnext()
    while after is not None and not isinstance(after.tag, str):
        after = after.getnext()
    return after


def _work_end_notes(root: etree._Element, where: str, warn: Warnings, trace: Trace) -> Prose | None:
    afterword = next(iter(_with_id(root, "afterword")), None)
    if afterword is None:
        return None
    for message in afterword.iter("p"):
        if _has_class(message, "message"):
            trace.add(DROPPED, text_of(message))
    notes = afterword.find(".//*[@id='endnotes']")
    quote = notes.find(".//blockquote") if notes is not None else None
    if quote is None:
        return None
    trace.add(LABEL, "End Notes")
    trace.add(BODY, text_of(quote))
    return Prose(tidy(quote, where, warn), Place(where), "html")
