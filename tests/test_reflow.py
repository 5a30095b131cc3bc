"""A polish trial is laid out again only from the pages it changes (writers/pdf/reflow.py and
weasy.lay_out's `after` and `again`): the pages it takes as they were are the pages a whole layout
gives, and a book set so is the book set with every trial laid out whole."""
from __future__ import annotations

from dataclasses import replace

import pytest

from conftest import SAMPLE, chapter_jobs
from publisher import BuildOptions, read
from publisher.writers.pdf import polish, reflow, setter, weasy

PAGE = "@page { size: 3in 3.5in; margin: 0.5in; @top-center { content: string(head); } }"
FONT = "html { font-family: 'DejaVu Serif'; font-size: 10pt; } h1 { string-set: head content(); }"
WORDS = "the lamp was lit by her father every evening before the harbour bells rang".split()


def _document(marked: int | None = None, mark: str = 'style="color: #222"', head: str = "") -> bytes:
    paragraphs = "".join(
        f'<p data-block="s:{number}"{" " + mark if number == marked else ""}>'
        + " ".join(WORDS[(number + i) % len(WORDS)] for i in range(40 + number % 5 * 9)) + "</p>"
        for number in range(1, 40))
    return (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>{head}</head><body>'
            f'<section data-block="s:0"><h1>The Head</h1>{paragraphs}</section></body></html>').encode()


def _pages(document) -> list:
    """Each page's body text and line bottoms, and its running head's text."""
    return [(weasy.page_bodies(document)[number], weasy.line_bottoms(document)[number],
             [box.text for box in page._page_box.descendants() if hasattr(box, "text") and box.text == "The Head"])
            for number, page in enumerate(document.pages)]


def _lines(document) -> list:
    return [[(kind, key, text) for kind, key, _, _, text in page] for page in weasy.page_bodies(document)]


def _taken(trial, base) -> list[int]:
    """The pages of `trial` whose content is the very boxes `base` laid out."""
    return [number for number, (page, before) in enumerate(zip(trial.pages, base.pages))
            if page._page_box.children[0].children[-1] is before._page_box.children[0].children[-1]]


def test_a_trial_takes_the_pages_before_its_change_and_after_where_they_fall_as_before():
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    assert len(base.pages) >= 8
    key = next(line.key for line in polish.lines(base)[0] if line.page == 4 and line.start == 0)
    changed = _document(int(key.split(":")[1]))  # a colour: the same lines, the same pages
    again = reflow.pages_to_set_again(base, _document(), changed)
    assert again and min(again) >= 2 and max(again) <= 5

    trial = weasy.lay_out(changed, (PAGE, FONT), (), after=base, again=again)
    whole = weasy.lay_out(changed, (PAGE, FONT), ())
    assert _lines(trial) == _lines(whole)
    assert [weasy.line_bottoms(trial)[n] == weasy.line_bottoms(whole)[n] for n in range(len(whole.pages))]
    assert _taken(trial, base) == [n for n in range(len(base.pages)) if n not in again]
    # Each page taken as it was has its margin boxes made again: its running head is there.
    assert weasy.write_pdf(trial) == weasy.write_pdf(whole)


def test_a_trial_that_moves_lines_is_set_from_its_change_to_the_end():
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    key = next(line.key for line in polish.lines(base)[0] if line.page == 3 and line.start == 0)
    changed = _document(int(key.split(":")[1]), 'style="line-height: 2.5"')  # lines pushed on
    trial = weasy.lay_out(changed, (PAGE, FONT), (), after=base,
                          again=reflow.pages_to_set_again(base, _document(), changed))
    whole = weasy.lay_out(changed, (PAGE, FONT), ())
    assert _lines(trial) != _lines(base)
    assert _lines(trial) == _lines(whole)
    assert weasy.write_pdf(trial) == weasy.write_pdf(whole)


def test_a_change_outside_the_blocks_is_laid_out_whole():
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    assert reflow.pages_to_set_again(base, _document(), _document(head='<meta name="x" content="y"/>')) is None
    assert reflow.pages_to_set_again(base, _document(), _document()) == frozenset()


def test_a_shortened_page_is_set_again():
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    shortened = (f'<style {polish.SHORTENED}="5:20" {polish.TURNED}="">@page :nth(6) {{ padding-bottom: 20px; }}'
                 f'</style>')
    assert reflow.pages_to_set_again(base, _document(), _document(head=shortened)) == frozenset({5})


@pytest.mark.parametrize("source", ["sample", "prose"])
def test_a_book_polished_with_trials_set_from_their_changes_is_the_book_set_with_whole_trials(
        source, tmp_path, monkeypatch):
    """Every chapter's PDF, byte for byte, with each trial laid out from its changed pages and with
    each laid out whole; and the first did take pages as they were (the sample has footnotes, which
    a layout carries from page to page: its chapters with notes are laid out whole)."""
    from test_polish import _prose_book

    book = read(SAMPLE if source == "sample" else _prose_book(tmp_path / "prose", 11, 4))
    jobs = [replace(job, polish=True) for job in chapter_jobs(book, BuildOptions(cache=False, polish=False))]
    taken = []
    lay_out = weasy.lay_out

    def counting(document, css, resources, after=None, again=frozenset()):
        laid = lay_out(document, css, resources, after, again)
        if after is not None:
            taken.append(len(_taken(laid, after)))
        return laid

    monkeypatch.setattr(weasy, "lay_out", counting)
    reflowed = [setter.set_document(job) for job in jobs]
    monkeypatch.setattr(setter, "REFLOW", False)
    whole = [setter.set_document(job) for job in jobs]
    assert [(done.pdf, done.firsts) for done in reflowed] == [(done.pdf, done.firsts) for done in whole]
    assert sum(taken) >= (0 if source == "sample" else 20)  # the sample's chapters are short: trials span them
