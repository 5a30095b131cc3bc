"""The page audit finds each typographic fault on real pages: small books built to have it, the
sample book's pages (checked by eye), and a book built to have none. Every finding is checked
against poppler's plain text of the page, which the audit does not read."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from conftest import SAMPLE, chapter_jobs, pdftotext
from publisher.page_audit import Line, audit_pages, read_pages

# The faults are the unpolished layout's: the polish pass is off here (tests/test_polish.py has it on).
OPTIONS = {"formats": ("pdf",), "polish": False}
LONG_WORDS = ["unquestionably", "characteristically", "incomprehensible", "representatives", "responsibilities",
              "misunderstanding", "extraordinarily", "notwithstanding", "disproportionate", "circumnavigation"]
ONE_LINE = "A lamp is lit by one man for all."  # short words: never hyphenated, one line, no widow to keep


@pytest.fixture(scope="module")
def make_book(build_book_pdf):
    """make_book(name, {chapter title: [paragraph, …]}, **options) → the built PDF's path, unpolished."""
    return lambda name, chapters, **options: build_book_pdf(name, chapters, **{**OPTIONS, **options})


def text_lines(pdf: Path, page: int) -> list[str]:
    """The page's lines as poppler's plain text gives them, running head and folio included."""
    # -layout: a loose justified line stays one line (plain mode splits it at its wide gaps)
    return [" ".join(line.split()) for line in pdftotext(pdf, page, page, layout=True).split("\n") if line.strip()]


@pytest.fixture(scope="module")
def long_words(make_book) -> Path:
    words = itertools.cycle(LONG_WORDS)
    paragraphs = ["The " + " ".join(next(words) for _ in range(12 + (i + 3) % 5)) + "." for i in range(60)]
    return make_book("long-words", {"Long Words": paragraphs}, trim="4x6")


def test_a_page_ending_in_a_hyphenated_word_is_found_on_rectos_and_versos(long_words):
    audit = audit_pages(long_words)
    assert {end.recto for end in audit.hyphenated_page_ends} == {True, False}
    for end in audit.hyphenated_page_ends:
        assert end.recto == (end.page % 2 == 1)
        assert end.word.endswith("\u2010") and end.continued[:1].islower()
        assert end.word[:-1] + end.continued.rstrip(".") in LONG_WORDS
        lines = text_lines(long_words, end.page)
        assert lines[-1].isdigit() and lines[-2].endswith(end.word)  # the folio, then the broken word
        assert text_lines(long_words, end.page + 1)[1].startswith(end.continued)  # past the running head
    assert audit.counts()["hyphenated_page_ends"] == len(audit.hyphenated_page_ends)


def test_runs_of_three_or_more_hyphenated_lines_are_ladders(long_words):
    audit = audit_pages(long_words)
    assert audit.ladders and all(ladder.lines >= 3 for ladder in audit.ladders)
    book = read_pages(long_words)
    for ladder in audit.ladders:
        page_lines = book.page(ladder.page).lines
        if ladder.line + ladder.lines - 1 > len(page_lines):
            continue  # it runs on over the page turn
        lines = text_lines(long_words, ladder.page)[1 if book.page(ladder.page).running_head else 0:]
        run = lines[ladder.line - 1:ladder.line - 1 + ladder.lines]
        assert all(line.endswith("\u2010") for line in run), run
        after = lines[ladder.line - 1 + ladder.lines]
        assert not after.endswith("\u2010")  # the run is as long as it says


def test_a_compound_broken_at_its_hyphen_and_a_dash_are_not_hyphenation():
    def line(text):
        return Line(text, 0, 100, 0, 11)

    assert line("the un\u2010").hyphenated and line("the un\u00ad").hyphenated
    assert not any(line(text).hyphenated for text in ("the lamp-", "the lamp\u2014", "the lamp\u2013", "the lamp"))


def test_facing_pages_that_end_on_different_baselines_are_unbalanced(make_book):
    paragraphs = [" ".join(["the lamp is lit"] * (4 + (i * 7) % 11)) + "." for i in range(240)]
    pdf = make_book("widows", {"Widows": paragraphs})
    audit = audit_pages(pdf)
    assert audit.unbalanced_spreads and audit.text_spreads > len(audit.unbalanced_spreads)
    for spread in audit.unbalanced_spreads:
        assert spread.verso % 2 == 0 and spread.recto == spread.verso + 1
        # these pages are all body lines at one pitch: the baselines differ by the line counts
        verso, recto = (len(text_lines(pdf, page)) for page in (spread.verso, spread.recto))
        assert recto - verso == spread.lines != 0
    balanced = [verso for verso in range(4, audit.pages, 2)
                if verso not in {spread.verso for spread in audit.unbalanced_spreads}]
    assert any(len(text_lines(pdf, verso)) == len(text_lines(pdf, verso + 1)) for verso in balanced)


@pytest.mark.parametrize("lines", [1, 2])
def test_a_chapter_whose_last_page_has_one_or_two_lines_is_found(make_book, lines):
    # The first chapter's opening page holds 22 one-line paragraphs and the next page 35.
    pdf = make_book(f"short-{lines}", {"One": [ONE_LINE] * (57 + lines), "Two": [ONE_LINE] * 40})
    audit = audit_pages(pdf)
    assert [(short.chapter, short.lines) for short in audit.short_last_pages] == [("One", lines)]
    page = audit.short_last_pages[0].page
    assert text_lines(pdf, page) == ["One"] + [ONE_LINE] * lines + [str(page - 4)]  # head, text, folio


def test_a_paragraph_ending_in_one_short_word_is_found(make_book):
    # "lamp lamp … it.": where the lamps fill whole lines, "it." is left alone on the last line
    pdf = make_book("runts", {"Runts": [" ".join(["lamp"] * count) + " it." for count in range(1, 80)]})
    audit = audit_pages(pdf)
    assert audit.short_last_lines and {short.word for short in audit.short_last_lines} == {"it."}
    alone = sum(text_lines(pdf, page).count("it.") for page in range(1, audit.pages + 1))
    assert len(audit.short_last_lines) == alone  # and "lamp" alone (four letters) is no fault
    book = read_pages(pdf)
    for short in audit.short_last_lines:
        lines = text_lines(pdf, short.page)[1 if book.page(short.page).running_head else 0:]
        assert lines[short.line - 1] == "it."


def test_a_line_broken_early_in_a_going_paragraph_is_a_stray_break(tmp_path):
    """Tracked over the whole chapter, the sample's chapter 3 is set by WeasyPrint with "now,”" alone
    on a line and its paragraph going on below, flush left (tests/test_polish.py has the case)."""
    from dataclasses import replace

    from publisher import BuildOptions, read
    from publisher.writers.pdf import polish, setter, weasy

    [job] = [job for job in chapter_jobs(read(SAMPLE), BuildOptions(polish=False))
             if b'id="chapter-003"' in job.document]
    tracked = replace(job, document=job.document.replace(b'data-block="chapter-003:0"',
                                                         b'data-block="chapter-003:0" data-loosen=""'),
                      css=job.css + (polish.POLISH_CSS,))
    plain, stray = (weasy.write_pdf(setter.load(each)) for each in (job, tracked))
    assert audit_pages(plain).stray_breaks == ()
    [found] = audit_pages(stray).stray_breaks
    pdf = tmp_path / "stray.pdf"
    pdf.write_bytes(stray)
    lines = text_lines(pdf, found.page)[1 if read_pages(stray).page(found.page).running_head else 0:]
    assert found.text == lines[found.line - 1] == "now,”"
    assert lines[found.line][0].islower()  # the same paragraph goes on


def test_a_book_made_without_faults_has_none(make_book):
    # One-line paragraphs of short words: no hyphens, no widows, every page of running text full.
    pdf = make_book("clean", {"One": [ONE_LINE] * 171, "Two": [ONE_LINE] * 40})
    counts = audit_pages(pdf).counts()
    assert counts["text_spreads"] == 2
    assert {name: value for name, value in counts.items() if value} == {
        "pages": counts["pages"], "text_pages": counts["text_pages"], "text_spreads": 2}


def test_the_sample_books_pages(built):
    """What the audit says of the sample book, each fault seen on the rendered pages."""
    pdf = built(SAMPLE, **OPTIONS)["pdf"]
    book = read_pages(pdf)
    assert [(chapter.title, chapter.first_page) for chapter in book.chapters][:2] == [
        ("The Last Lamp", 15), ("The Lamp Schedule", 19)]
    assert book.page(16).folio == "2" and book.page(16).running_head and book.page(15).running_head == ""
    assert book.page(16).lines[0].text.startswith("their books, and Ada")
    audit = audit_pages(pdf)
    assert [(end.page, end.recto, end.word, end.continued) for end in audit.hyphenated_page_ends] == [
        (21, True, "Chand\u2010", "lers\u2019"), (24, False, "any\u2010", "one")]
    # page 20's picture leaves it a line short of its recto
    assert [(spread.verso, spread.lines) for spread in audit.unbalanced_spreads] == [(20, 1)]
    assert [(short.page, short.word) for short in audit.short_last_lines] == [(21, "ten:")]
    assert audit.ladders == () and audit.short_last_pages == ()


def test_without_an_outline_chapters_open_where_an_arabic_folio_has_no_head(built):
    """KDP's PDF has no bookmarks: the chapters are found from the pages."""
    book = read_pages(built(SAMPLE, formats=("pdf",), profile="kdp")["pdf"])
    assert [chapter.title for chapter in book.chapters] == [
        "The Last Lamp", "The Lamp Schedule", "Chapter 3", "Epilogue", "Afterword", "Acknowledgements",
        "About the Author"]
