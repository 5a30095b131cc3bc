"""A source and its built books → their words, and whether every word of the source made it into them.

Words are compared as letters and digits only, case-folded, so typography (curly quotes,
dashes) and hyphenation at line ends do not count as changes.
"""
from __future__ import annotations

import re
import subprocess
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

from .manuscript import Manuscript
from .output import slugify
from .readers import draft
from .readers.draft import ASIDE, BODY, FRONT


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    return [w.casefold() for w in re.findall(r"[^\W_]+", text)]


def epub_text(path: Path) -> str:
    """The text of an EPUB's documents in spine order."""
    with zipfile.ZipFile(path) as book:
        opf_name = next(n for n in book.namelist() if n.endswith(".opf"))
        opf = etree.fromstring(book.read(opf_name))
        ns = {"opf": "http://www.idpf.org/2007/opf"}
        items = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:manifest/opf:item", ns)}
        base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
        parts = []
        for ref in opf.iterfind(".//opf:spine/opf:itemref", ns):
            doc = etree.fromstring(book.read(base + items[ref.get("idref")]))
            body = doc.find("{http://www.w3.org/1999/xhtml}body")
            parts.append(" ".join(body.itertext()))
        return "\n".join(parts)


def pdf_text(path: Path) -> str:
    """The PDF's text (pdftotext), with words hyphenated at line ends joined again, also across a
    page turn (past the next page's running head, to the first line that goes on in lower case)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    pages = text.split("\f")
    for number in range(len(pages) - 1):
        end = re.search(r"(\w+)[\u2010\u00ad]\s*(?:\n[0-9ivxlcdm]{1,6}\s*)?$", pages[number])  # then the folio
        if not end:
            continue
        lines = pages[number + 1].split("\n")
        for index, line in enumerate(lines[:4]):
            if line[:1].islower():
                pages[number] = pages[number][:end.start()]
                lines[index] = end[1] + line
                pages[number + 1] = "\n".join(lines)
                break
    return re.sub(r"(\w)[\u2010\u00ad]\s*\n\s*(\w)", r"\1\2", "\f".join(pages))


def missing(expected: list[str], found: list[str]) -> list[str]:
    """Words of `expected` that `found` has fewer of."""
    have = Counter(found)
    lost = Counter(expected) - have
    return sorted(lost.elements())


def in_order(expected: list[str], found: list[str]) -> bool:
    """Is `expected` a subsequence of `found`?"""
    position = iter(found)
    return all(word in position for word in expected)


def source_words(book: Path) -> tuple[list[str], list[str]]:
    """(words kept in order, words kept elsewhere: the front matter, footnotes) of a source its reader traced."""
    trace = draft(book).trace
    return words(trace.text(BODY)), words(trace.text(FRONT, ASIDE))


def word_check(book: Path, manuscript: Manuscript, outputs: Path) -> list[tuple[str, bool]]:
    """One line per built file: words in, words out, and any word lost."""
    body, front = source_words(book)
    if not body:
        return [("word check: only for sources publisher did not write (a .txt story, a download, an EPUB)", True)]
    lines = []
    for suffix, extract in ((".epub", epub_text), (".pdf", pdf_text)):
        path = outputs / f"{slugify(manuscript.slug)}{suffix}"
        if not path.exists():
            lines.append((f"{path}: not built", False))
            continue
        found = words(extract(path))
        lost = missing(body + front, found)
        ordered = in_order(body, found)
        ok = not lost and ordered
        detail = "" if ok else f"; lost: {' '.join(lost[:20])}" if lost else "; words out of order"
        lines.append((f"{path}: words in {len(body) + len(front):,}, words out {len(found):,}"
                      f"{', all present in order' if ok else detail}", ok))
    return lines
