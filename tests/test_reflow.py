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


def _document(marked: int | None = None, mark: str = 'style="color: #222"', head: str = "",
              heading: str = "The Head") -> bytes:
    paragraphs = "".join(
        f'<p data-block="s:{number}"{" " + mark if number == marked else ""}>'
        + " ".join(WORDS[(number + i) % len(WORDS)] for i in range(40 + number % 5 * 9)) + "</p>"
        for number in range(1, 40))
    return (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title>{head}</head><body>'
            f'<section data-block="s:0"><h1 data-block="s:h">{heading}</h1>{paragraphs}</section></body></html>').encode()


def _bottoms(document) -> list[list[float]]:
    return [sorted(page.values()) for page in weasy.line_bottoms(document)]


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
    assert _bottoms(trial) == _bottoms(whole)
    assert _taken(trial, base) == [n for n in range(len(base.pages)) if n not in again]
    # A page taken as it was keeps its margin boxes (its running head), nothing they show having changed.
    assert all(_margins(trial, number) == _margins(base, number) for number in _taken(trial, base))
    assert weasy.write_pdf(trial) == weasy.write_pdf(whole)


def _margins(document, number: int) -> list[int]:
    return [id(box) for box in document.pages[number]._page_box.children if type(box).__name__ == "MarginBox"]


def test_a_page_taken_as_it_was_gets_new_margin_boxes_when_its_running_head_changes():
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    changed = _document(heading="The Hold")  # as wide: the same lines
    again = reflow.pages_to_set_again(base, _document(), changed)
    assert again == frozenset({0})
    trial = weasy.lay_out(changed, (PAGE, FONT), (), after=base, again=again)
    assert _taken(trial, base) == list(range(1, len(base.pages)))
    assert not set(_margins(trial, 3)) & set(_margins(base, 3))
    assert weasy.write_pdf(trial) == weasy.write_pdf(weasy.lay_out(changed, (PAGE, FONT), ()))


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
