"""Accessibility: Ace by DAISY finds no critical or serious violation; the page list matches the PDF."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, SAMPLE, STORIES, corpus_book, page_texts
from publisher.words import words

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf"}


def ace_command() -> list[str] | None:
    local = ROOT / ".cache" / "ace" / "node_modules" / "@daisy" / "ace-cli" / "bin" / "ace.js"
    node, chromium = shutil.which("node"), shutil.which("chromium")
    if not (node and chromium and local.exists()):
        return None
    return [node, str(local)]


def run_ace(epub: Path, out: Path) -> dict[tuple[str, str], int]:
    """Ace's failed assertions as {(impact, rule): count}."""
    command = ace_command()
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=shutil.which("chromium"),
               XDG_STATE_HOME=str(out / "state"), XDG_CONFIG_HOME=str(out / "config"))
    done = subprocess.run(command + ["-f", "-s", "-o", str(out / "report"), str(epub)], env=env,
                          capture_output=True, text=True, timeout=600)
    report = out / "report" / "report.json"
    assert report.exists(), done.stderr[-2000:]
    found: dict[tuple[str, str], int] = {}
    for document in json.loads(report.read_text())["assertions"]:
        for test in document.get("assertions", []):
            if test["earl:result"]["earl:outcome"] == "fail":
                key = (test["earl:test"]["earl:impact"], test["earl:test"]["dct:title"])
                found[key] = found.get(key, 0) + 1
    return found


BOOKS = [*(pytest.param(path, id=path.name) for path in (SAMPLE, *STORIES)), corpus_book("pride-and-prejudice")]


@pytest.mark.skipif(ace_command() is None, reason="node, chromium or Ace (scripts/install-ace.sh) not installed")
@pytest.mark.parametrize("source", BOOKS)
def test_ace_finds_no_critical_or_serious_violation(built, source, tmp_path):
    found = run_ace(built(source)["epub"], tmp_path)
    serious = {key: n for key, n in found.items() if key[0] in ("critical", "serious")}
    assert not serious, found


@pytest.mark.parametrize("source", BOOKS)
def test_epubcheck_reports_nothing_on_every_book(built, source):
    from conftest import assert_epubcheck_clean

    assert_epubcheck_clean(built(source)["epub"])


def test_page_list_follows_the_pdf(built):
    outputs = built(SAMPLE)
    book = zipfile.ZipFile(outputs["epub"])
    nav = etree.fromstring(book.read("EPUB/text/nav.xhtml"))
    links = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    assert nav.xpath("//x:nav[@epub:type='page-list']/@role", namespaces=NS) == ["doc-pagelist"]
    labels = [a.text for a in links]
    assert "1" in labels and labels.index("1") < len(labels) - 1
    texts = page_texts(outputs["pdf"])
    from pypdf import PdfReader

    pdf_labels = PdfReader(outputs["pdf"]).page_labels
    checked = 0
    for link in links:
        document, anchor = link.get("href").split("#")
        doc = etree.fromstring(book.read(f"EPUB/text/{document}"))
        marker = doc.xpath(f"//*[@id='{anchor}']", namespaces=NS)[0]
        assert marker.get(f"{{{NS['epub']}}}type") == "pagebreak" and marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == link.text
        if not link.text.isdigit():
            continue
        # The words right after the marker are the first words of that PDF page's text.
        after = "".join(doc.xpath("//x:body", namespaces=NS)[0].itertext())
        following = _text_after(doc, marker)
        page = texts[pdf_labels.index(link.text)]
        body_lines = [line for line in page.splitlines() if line.strip()]
        if not body_lines:
            continue  # a blank verso: its marker stands with the next page's
        # The page's first words follow its running head (letter-spaced: pdftotext splits it up).
        with_head, without_head = words(" ".join(body_lines)), words(" ".join(body_lines[1:]))
        expected = words(following)[:4]
        assert expected, (link.text, after[:80])
        # A page that begins inside a hyphenated word has its marker before that word (issue #14).
        assert any(expected == first or (expected[0].endswith(first[0]) and expected[1:] == first[1:])
                   for first in (with_head[:4], without_head[:4])), (link.text, expected, with_head[:8])
        checked += 1
    assert checked >= 5


def _text_after(doc, marker) -> str:
    """The book's text from the marker on."""
    seen, parts = False, []
    for node in doc.iter():
        if node is marker:
            seen = True
            parts.append(node.tail or "")
            continue
        if seen:
            parts.append(node.text or "")
            parts.append(node.tail or "")
    return " ".join(parts)


def test_epub_only_build_has_no_page_list_unless_asked(tmp_path):
    from publisher import BuildOptions, build
    from publisher.errors import Warnings

    warn = Warnings()
    epub = build(SAMPLE, tmp_path / "a", BuildOptions(formats=("epub",)), warn)[0].path
    assert (warn.messages, warn.notes) == ([], ["no print page list in the EPUB: build the PDF too, or pass --page-list"])
    assert b"page-list" not in zipfile.ZipFile(epub).read("EPUB/text/nav.xhtml")
    asked = build(SAMPLE, tmp_path / "b", BuildOptions(formats=("epub",), page_list=True))[0].path
    nav = zipfile.ZipFile(asked).read("EPUB/text/nav.xhtml")
    assert b"page-list" in nav
    opf = etree.fromstring(zipfile.ZipFile(asked).read("EPUB/content.opf"))
    assert opf.xpath("//opf:meta[@property='pageBreakSource']/text()", namespaces=NS)[0].startswith("urn:uuid:")
    features = opf.xpath("//opf:meta[@property='schema:accessibilityFeature']/text()", namespaces=NS)
    assert {"pageNavigation", "printPageNumbers"} <= set(features)


def test_a_page_break_marker_never_splits_a_word(built):
    """Where a printed page begins inside a hyphenated word, the EPUB's marker stands before the word."""
    book = zipfile.ZipFile(built(SAMPLE)["epub"])
    split = 0
    for name in book.namelist():
        if name.endswith(".xhtml"):
            text = book.read(name).decode()
            for match in re.finditer(r'(.)<span id="page-[^"]+" role="doc-pagebreak"[^>]*/>(.)', text):
                split += match[1].isalpha() and match[2].isalpha()
    assert split == 0


def test_the_page_list_runs_forward_through_the_book(built):
    """The EPUB's front matter is in the print edition's order, so its page numbers never go back."""
    book = zipfile.ZipFile(built(SAMPLE)["epub"])
    nav = etree.fromstring(book.read("EPUB/text/nav.xhtml"))
    labels = [a.text for a in nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)]
    roman = [label for label in labels if not label.isdigit()]
    values = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv"]
    assert [values.index(label) for label in roman] == sorted(values.index(label) for label in roman)
    digits = [int(label) for label in labels if label.isdigit()]
    assert digits == sorted(digits) and labels.index(str(digits[0])) > labels.index(roman[-1])
