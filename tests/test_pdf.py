"""The PDF is a real book: trim, recto chapter openings, contents numbers, bookmarks, fonts."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import SAMPLE, corpus_book, page_texts
from publisher.cli import main


@pytest.fixture(scope="module")
def sample_pdf(built):
    return built(SAMPLE)["pdf"]


@pytest.fixture(scope="module")
def reader(sample_pdf):
    return PdfReader(sample_pdf)


def chapter_pages(reader: PdfReader) -> list[tuple[str, int]]:
    """(bookmark title, 0-based page index) for every outline entry."""
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def test_page_size_is_the_trim(reader):
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (432, 648)


def test_other_trims(built):
    pdf = built(SAMPLE, formats=("pdf",), trim="5.5x8.5")["pdf"]
    box = PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (396, 612)
    a5 = PdfReader(built(SAMPLE, formats=("pdf",), trim="a5")["pdf"]).pages[0].mediabox
    assert (round(float(a5.width) / 72 * 25.4), round(float(a5.height) / 72 * 25.4)) == (148, 210)


def test_bookmarks_are_the_chapters_and_the_back_matter(reader):
    # chapters/: a front-matter title, a "# " heading, no title at all (numbered), front matter again;
    # back/: kinds from front matter, titles from the kinds.
    titles = [title for title, _ in chapter_pages(reader)]
    assert titles == ["The Last Lamp", "The Lamp Schedule", "Chapter 3", "Epilogue", "Afterword", "Acknowledgements",
                      "About the Author"]


def test_chapters_open_on_recto_pages(reader):
    for title, index in chapter_pages(reader):
        assert index % 2 == 0, f"{title} starts on page index {index}, a verso"


def test_contents_page_numbers_match_chapter_starts(reader, sample_pdf):
    texts = page_texts(sample_pdf)
    contents = next(t for t in texts if "Contents" in t or "CONTENTS" in t)
    listed = [int(n) for n in re.findall(r"(\d+)\s*$", contents, re.MULTILINE)]
    labels = reader.page_labels
    starts = [int(labels[index]) for _, index in chapter_pages(reader)]
    assert listed[-len(starts):] == starts
    assert starts[0] == 1


def test_page_labels_match_folios(reader, sample_pdf):
    labels = reader.page_labels
    first_chapter = chapter_pages(reader)[0][1]
    assert labels[first_chapter] == "1"
    assert all(re.fullmatch(r"[ivxlc]+", label) for label in labels[:first_chapter])
    texts = page_texts(sample_pdf)
    # A folio printed at the foot of a page is its label.
    for index in range(first_chapter, len(texts)):
        lines = [line for line in texts[index].strip().splitlines() if line.strip()]
        if lines:
            assert lines[-1].strip() == labels[index], (index, lines[-3:])


def test_blank_pages_are_truly_blank(reader, sample_pdf):
    """A page with nothing on it but a folio or a running head must not exist: it is empty instead."""
    texts = page_texts(sample_pdf)
    labels = reader.page_labels
    heads = {"THELAMPLIGHTER’SDAUGHTER"} | {title.replace(" ", "") for title, _ in chapter_pages(reader)}
    empty = 0
    for index, text in enumerate(texts):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines and lines[-1] == labels[index]:
            lines = lines[:-1]
        if lines and lines[0].replace(" ", "") in heads and len(lines) == 1:
            lines = []
        if not lines:
            assert not text.strip(), (index, text)
            empty += 1
    assert empty >= 3, "chapters on rectos leave blank versos in this book"


@pytest.mark.parametrize("book", [pytest.param(SAMPLE, id=SAMPLE.name), corpus_book("pride-and-prejudice")])
def test_scene_break_ornaments_never_open_or_close_a_page(built, book):
    texts = page_texts(built(book)["pdf"])
    ornaments = 0
    for index, text in enumerate(texts):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for position, line in enumerate(lines):
            if line == "⁂":
                ornaments += 1
                assert 1 < position < len(lines) - 2, (book.name, index, lines[max(0, position - 2):position + 3])
    assert ornaments, book


def test_front_matter_order_half_title_then_title_then_copyright_verso(reader, sample_pdf):
    texts = page_texts(sample_pdf)
    assert texts[0].split() == "The Lamplighter’s Daughter".split()
    assert not texts[1].strip()
    assert texts[2].splitlines()[0] == "The Lamplighter’s Daughter"
    assert "© 2026 Mara Quill" in texts[3] and "Publisher Sample Press" in texts[3]


def test_summary_and_disclaimer_come_before_chapter_one(reader, sample_pdf):
    texts = page_texts(sample_pdf)
    first_chapter = chapter_pages(reader)[0][1]
    front = " ".join(texts[:first_chapter])
    squeezed = re.sub(r"\s+", "", front).lower()  # headings are letter-spaced
    assert "summary" in squeezed and "disclaimer" in squeezed
    assert squeezed.index("summary") < squeezed.index("disclaimer")
    assert "decidewhatbecomesoftheonething" in squeezed and "thisisaworkoffiction" in squeezed


def test_running_heads(reader, sample_pdf):
    texts = page_texts(sample_pdf)
    chapters = chapter_pages(reader)
    title = "THELAMPLIGHTER’SDAUGHTER"
    for (name, start), nxt in zip(chapters, chapters[1:] + [("", len(texts))]):
        first_line = texts[start].strip().splitlines()[0]
        assert first_line.strip() == name, "a chapter opening has no running head"
        for index in range(start + 1, nxt[1]):
            if not texts[index].strip():
                continue
            head = texts[index].strip().splitlines()[0].strip()
            expected = title if index % 2 else name
            assert head.replace(" ", "") == expected.replace(" ", ""), (index, head)


def test_fonts_are_embedded(sample_pdf):
    fonts = subprocess.run(["pdffonts", str(sample_pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.strip().splitlines()[2:]
    assert rows, "no fonts"
    for row in rows:
        emb = row.split()[-5]
        assert emb == "yes", row
    assert any("Garamond" in row for row in rows)


def test_pdf_metadata(reader):
    info = reader.metadata
    assert info.title == "The Lamplighter’s Daughter"
    assert info.author == "Mara Quill"
    root = reader.trailer["/Root"]
    assert root.get("/Lang") == "en"


@pytest.mark.parametrize("lead", [10, 11, 27, 28])
def test_a_stranded_ornament_is_moved_after_layout(lead, tmp_path):
    """With the style sheet's break-avoid rules switched off, these stories strand the ornament at
    the foot or the head of a page; the check after layout moves the paragraph before it."""
    from publisher import BuildOptions, read, themes
    from publisher.profiles import margins_for, profile
    from publisher.writers.pdf import documents, setter
    from publisher.writers.pdf.jobs import Job

    lines = [f"Line {i} of the evening, when the lamps were lit one after another along the quay."
             for i in range(lead)]
    after = [f"After {i}, the harbour was quiet again and the boats knocked softly at their moorings."
             for i in range(30)]
    story = tmp_path / "scenes.txt"
    story.write_text("Title: Scenes\nAuthor: Test\n\nChapter One\n\n" + "\n\n".join(lines) + "\n\n* * *\n\n"
                     + "\n\n".join(after) + "\n")
    options = BuildOptions()
    book = documents.print_documents(read(story), 2026)
    no_avoid = "hr.scene-break { break-before: auto !important; break-after: auto !important; }"
    job = Job(book.chapters[0], (themes.load("classic").print_css,
                                 documents.page_css(options, margins_for(options.trim_size, profile("home"))),
                                 book.chapter_css, no_avoid))
    assert setter.stranded_scene_breaks(setter.load(job)), "the case no longer strands an ornament"
    path = tmp_path / "chapter.pdf"
    path.write_bytes(setter.set_document(job).pdf)
    ornaments = 0
    for index, text in enumerate(page_texts(path)):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if "⁂" in lines:
            ornaments += lines.count("⁂")
            assert 1 < lines.index("⁂") < len(lines) - 2, (index, lines)
    assert ornaments == 1, "the story's one scene break must be printed once"


def test_a_short_work_gets_compact_front_matter_and_a_longer_one_can_ask(tmp_path):
    """A one-shot: title page, copyright verso, its summary and notes on one page, no half-title,
    no contents for its one chapter; book.toml's front_matter = "full" gives the whole set."""
    from publisher import read

    story = Path(__file__).parent / "fixtures" / "sources" / "ao3" / "ao3-oneshot-two-authors.html"
    assert read(story).front_matter.compact
    result = CliRunner().invoke(main, ["build", str(story), "-o", str(tmp_path / "short"), "-f", "pdf"])
    assert result.exit_code == 0, result.output
    pages = page_texts(tmp_path / "short" / "ao3-oneshot-two-authors.pdf")
    assert "A Language of Taps" in pages[0] and "General Audiences" in pages[0]  # the title page comes first
    assert "First published at" in pages[1]
    assert "apprentices" in pages[2] and "video call" in pages[2]  # summary and notes share a page
    assert not any("CONTENTS" in page.upper() for page in pages)
    assert len(pages) == 5
    folder = tmp_path / "book"
    CliRunner().invoke(main, ["import", str(story), "-o", str(folder)])
    (folder / "book.toml").write_text('front_matter = "full"\n' + (folder / "book.toml").read_text())
    assert not read(folder).front_matter.compact
    full = CliRunner().invoke(main, ["build", str(folder), "-o", str(tmp_path / "full"), "-f", "pdf"])
    assert full.exit_code == 0, full.output
    pages = page_texts(tmp_path / "full" / "book.pdf")
    assert pages[0].split() == ["A", "Language", "of", "Taps"]  # the half-title
    assert any("CONTENTS" in page.upper() for page in pages)


def test_the_copyright_page_sits_at_the_foot_of_the_verso_with_a_year(sample_pdf):
    import subprocess

    boxes = subprocess.run(["pdftotext", "-f", "4", "-l", "4", "-bbox", str(sample_pdf), "-"], capture_output=True,
                           text=True).stdout
    tops = [float(m) for m in re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)"', boxes)]
    height = float(PdfReader(sample_pdf).pages[3].mediabox.height)
    assert tops and min(tops) > height * 0.6  # the block stands in the lower part of the page
    text = " ".join(page_texts(sample_pdf)[3].split())
    assert "Identifier:" not in text and "urn:uuid" not in text
