"""Stories from where they live: AO3 downloads (HTML and EPUB), FanFicFare files, any EPUB and Word
documents build into books that lose no word, pass EPUBCheck and import into a book folder.

The fixtures in tests/fixtures/sources/ were made by the real tools (see their README)."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader

from conftest import assert_epubcheck_clean
from publisher import read
from test_accessibility import ace_command, run_ace
from publisher.cli import main
from publisher.errors import Warnings
from publisher.words import word_check, words

SOURCES = Path(__file__).parent / "fixtures" / "sources"
NS = {"x": "http://www.w3.org/1999/xhtml"}

# source → (chapter titles, facts the story's title page must show)
CASES = {
    "ao3/ao3-multichapter.html": (
        ["The Oil Room", "Two Souls at the Light", "Visitors Departed: One"],
        ["Teen And Up Audiences", "Graphic Depictions Of Violence, Major Character Death", "F/F", "Original Work",
         "Marguerite Vance/Ines Okafor", "Slow Burn", "Complete", "2024-01-05", "2024-02-16", "Tides and Ledgers"]),
    "ao3/ao3-multichapter.epub": (
        ["The Oil Room", "Two Souls at the Light", "Visitors Departed: One"],
        ["Teen And Up Audiences", "Complete", "Tides and Ledgers"]),
    "ao3/ao3-oneshot-two-authors.html": (["A Language of Taps"], ["General Audiences", "brassandfiling and quietgears"]),
    "ao3/ao3-in-progress.html": (["No Tickets", "The Boy with the Birdcage"], ["Not Rated", "In progress"]),
    "fanficfare/test1-sid1.epub": (None, ["Tweenie", "Swearing, Violence", "In progress", "The Great Test"]),
    "fanficfare/test1-sid1.html": (None, ["Tweenie", "In progress"]),
    "fanficfare/test1-sid1.txt": (None, ["Tweenie", "Bob Smith, Fred Smythe, George Johnson"]),
    "fanficfare/test1-sid664.txt": (None, ["Test Author aa bare amp(&) quote(') amp(&)"]),  # a title of two lines
    "se-style.epub": (["I: The Almanac", "II: The Forty-Third Lamp", "III: Dusk"], ["Juniper Vale"]),
    "gutenberg-style.epub": (["Chapter I: The Mill Orchard", "Chapter II: The Drought", "Chapter III: The Harvest"],
                             ["Wren Hollis"]),
    "docx/manuscript.docx": (["Chapter One: The Mapmaker’s Shop", "Chapter Two: Low Water", "Chapter Three: Witnessed"],
                             ["A Short Novel in Three Chapters", "Harriet Quill"]),
    "docx/plain.docx": (["Chapter 1", "Chapter 2", "Chapter 3"], []),
}
FANFICFARE_CHAPTERS = ["Prologue tests:[bare amp(&) qt(') amp(&) gt(>) lt(<) ATnT(AT&T) L(£) Onna(女)]",
                       "Chapter 1, Xenos on Cinnabar", "Chapter 2, Sinmay on Kintikin", "Chapter 3, \"Over\" Cinnabar",
                       "Chapter 4 & 4.5", "Chapter 5 < 5.4", "Chapter A & B < C > D", "Chapter 7", "Chapter 8"]


def _typographic(text: str) -> str:
    return text.replace("'", "’").replace('"Over"', "“Over”").replace("qt(’)", "qt(‘)")


@pytest.mark.parametrize("name", CASES)
def test_a_source_becomes_a_book_that_loses_no_word(built, name):
    source = SOURCES / name
    outputs = built(source)
    assert_epubcheck_clean(outputs["epub"])
    for line, ok in word_check(source, read(source), outputs["epub"].parent):
        assert ok, line
    titles, facts = CASES[name]
    manuscript = read(source)
    expected = titles or FANFICFARE_CHAPTERS
    assert [words(c.title) for c in manuscript.chapters] == [words(_typographic(t)) for t in expected]
    page = etree.fromstring(zipfile.ZipFile(outputs["epub"]).read("EPUB/text/titlepage.xhtml"))
    shown = " ".join(" ".join(page.itertext()).split())
    for fact in facts:
        assert fact in shown, (fact, shown)
    # Chapters open on rectos: every bookmark is on an odd page (an even index).
    reader = PdfReader(outputs["pdf"])
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    assert len(starts) == len(manuscript.chapters) and all(index % 2 == 0 for index in starts), starts


def test_ao3_summaries_notes_and_end_notes_are_where_they_belong():
    manuscript = read(SOURCES / "ao3/ao3-multichapter.html")
    front = manuscript.front_matter
    assert "thirty-one years" in front.summary_html
    assert [note.label for note in front.notes] == ["Notes"] and "wick trimmer" in front.notes[0].html
    one, two, three = manuscript.chapters
    assert "keeps the pen" in one.summary_html and "mostly weather" in one.notes_html
    assert "linked, not uploaded" in one.end_notes_html
    assert "four lines in a ledger" in two.summary_html and not two.notes_html and "simplified" in two.end_notes_html
    assert "Thank you for reading" in three.notes_html
    assert "real doodle" in three.end_notes_html  # the work's end notes close the book
    assert three.body_html.count('class="scene-break"') == 1 and two.body_html.count('class="scene-break"') == 1
    assert "<table>" in two.body_html
    for text in (one.body_html, front.summary_html):
        assert "Posted originally" not in text and "See the end" not in text and "drop by the Archive" not in text
    assert manuscript.metadata.source == "https://archiveofourown.org/works/51234567"
    assert (manuscript.metadata.series, manuscript.metadata.series_index) == ("Tides and Ledgers", 2)


def test_a_remote_image_is_never_fetched_it_becomes_its_description(tmp_path):
    source = SOURCES / "ao3/ao3-multichapter.html"
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path), "-f", "epub"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (f"warning: {source}: remote image https://example.org/art.png is not "
                                             "downloaded; its description is printed instead")
    chapter = zipfile.ZipFile(tmp_path / "ao3-multichapter.epub").read("EPUB/text/chapter-001.xhtml").decode()
    assert "example.org" not in chapter and "[A pencil sketch of a gull wearing a small round hat" in chapter


def test_the_copyright_page_says_where_the_work_was_first_published(built):
    from conftest import page_texts

    pages = page_texts(built(SOURCES / "ao3/ao3-multichapter.html")["pdf"])
    assert "First published at https://archiveofourown.org/works/51234567" in " ".join(pages[1].split())


def test_word_footnotes_comments_and_tracked_changes(tmp_path):
    source = SOURCES / "docx/manuscript.docx"
    warn = Warnings()
    manuscript = read(source, warn)
    assert warn.messages == [
        f"{source}: 2 tracked change(s) taken as accepted: 1 insertion(s) kept, 1 deletion(s) dropped",
        f"{source}: 1 comment(s) left out: comments are not part of the book"]
    one, two, _ = manuscript.chapters
    assert "bright as a sheet of tin" in two.body_html and "very, very" not in two.body_html
    assert "Would she really bring the cat" not in " ".join(c.body_html for c in manuscript.chapters)
    assert 'class="footnote-ref"' in one.body_html and "linen-backed paper" in one.body_html
    assert "headland is invented" in two.body_html  # the endnote, in the chapter that calls it
    assert '<span class="small-caps">Surveyed at Low Water' in one.body_html
    assert one.body_html.count('class="scene-break"') == 1 and two.body_html.count('class="scene-break"') == 1
    assert [r.name for r in manuscript.resources] == ["images/image-1.png"]
    assert (manuscript.metadata.title, manuscript.metadata.language) == ("Salt and Paper", "en-GB")


def test_footnotes_of_an_epub_become_footnotes():
    for name in ("se-style.epub", "gutenberg-style.epub"):
        first = read(SOURCES / name).chapters[0].body_html
        assert first.count('class="footnote-ref"') == 1 and 'class="footnote-backref"' in first, name


def test_the_source_epubs_own_pages_are_not_chapters():
    manuscript = read(SOURCES / "gutenberg-style.epub")
    text = " ".join(c.body_html for c in manuscript.chapters)
    assert "Project Gutenberg" not in text and "CONTENTS" not in text
    assert manuscript.front_matter.cover is not None  # its cover picture is this book's cover
    se = read(SOURCES / "se-style.epub")
    assert "Uncopyright" not in " ".join(c.title for c in se.chapters) and len(se.chapters) == 3


@pytest.mark.parametrize("name, message", [
    ("refusals/drm.epub", "this EPUB is DRM-protected (its text is encrypted): publisher cannot read it; use a "
                          "DRM-free copy"),
    ("refusals/corrupt.epub", "not a readable EPUB: the zip is damaged or cut short; download it again"),
    ("docx/empty.docx", "the document is empty"),
    ("docx/old-binary.doc", "not a book folder, .txt story, .md file, .html download, .epub or .docx; save it as "
                            ".docx"),
])
def test_sources_that_cannot_be_read_are_refused_in_one_line(tmp_path, name, message):
    source = SOURCES / name
    result = CliRunner().invoke(main, ["build", str(source), "-o", str(tmp_path / "out")])
    assert (result.exit_code, result.output) == (1, f"error: {source}: {message}\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["ao3/ao3-multichapter.html", "fanficfare/test1-sid1.epub", "docx/manuscript.docx",
                                  "gutenberg-style.epub"])
def test_import_then_build_gives_the_same_words(tmp_path, name):
    source = SOURCES / name
    folder = tmp_path / "book"
    result = CliRunner().invoke(main, ["import", str(source), "-o", str(folder)])
    assert result.exit_code == 0, result.output
    direct, imported = read(source), read(folder)
    def text(chapter) -> list[str]:
        return words(chapter.title + " " + re.sub(r"<[^>]+>", " ", chapter.body_html))

    assert [text(c) for c in direct.chapters] == [text(c) for c in imported.chapters]
    assert direct.metadata == imported.metadata and direct.front_matter == imported.front_matter


@pytest.mark.skipif(ace_command() is None, reason="node, chromium or Ace (scripts/install-ace.sh) not installed")
@pytest.mark.parametrize("name", ["ao3/ao3-multichapter.html", "docx/manuscript.docx", "se-style.epub"])
def test_ace_finds_no_serious_violation_in_books_from_other_sources(built, name, tmp_path):
    found = run_ace(built(SOURCES / name)["epub"], tmp_path)
    assert not {key: n for key, n in found.items() if key[0] in ("critical", "serious")}, found


def test_fanficfare_several_authors_are_several():
    for name in ("fanficfare/test1-sid673.txt", "fanficfare/test1-sid673.epub"):
        authors = read(SOURCES / name).metadata.authors
        assert len(authors) == 20 and authors[:2] == ("Test Author aa", "Author From List 1"), name
