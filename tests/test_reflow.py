"""A polish trial is laid out again only from the pages it changes (writers/pdf/reflow.py and
weasy.lay_out's `previous` and `again`): the pages it takes as they were are the pages a whole layout
gives, and a book set so is the book set with every trial laid out whole."""
from __future__ import annotations

from dataclasses import replace

import pytest

from conftest import SAMPLE, chapter_jobs
from publisher import BuildOptions, read
from publisher.writers.pdf import polish, reflow, setter, weasy

PAGE = "@page { size: 3in 3.5in; margin: 0.5in; @top-center { content: string(head); } }"
FONT = "html { font-family: 'DejaVu Serif'; font-size: 10pt; } h1 { string-set: head content(); }"
TIGHT = 'style="letter-spacing: -0.04em; word-spacing: -0.15em"'  # a paragraph set in fewer lines
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
            if page._page_box.children[0].children and before._page_box.children[0].children  # not blank
            and page._page_box.children[0].children[-1] is before._page_box.children[0].children[-1]]


def test_a_trial_takes_the_pages_before_its_change_and_after_where_they_fall_as_before():
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    assert len(base.pages) >= 8
    key = next(line.key for line in polish.lines(base)[0] if line.page == 4 and line.start == 0)
    changed = _document(int(key.split(":")[1]))  # a colour: the same lines, the same pages
    again = reflow.pages_to_set_again(base, _document(), changed)
    assert again and min(again) >= 2 and max(again) <= 5

    trial = weasy.lay_out(changed, (PAGE, FONT), (), previous=base, again=again)
    whole = weasy.lay_out(changed, (PAGE, FONT), ())
    assert _lines(trial) == _lines(whole)
    assert _bottoms(trial) == _bottoms(whole)
    assert _taken(trial, base) == [n for n in range(len(base.pages)) if n not in again]
    # A page taken as it was keeps its margin boxes (its running head), nothing they show having changed.
    assert all(_margins(trial, number) == _margins(base, number) for number in _taken(trial, base))
    assert weasy.write_pdf(trial) == weasy.write_pdf(whole)


def _count_taken(monkeypatch) -> list[list[int]]:
    """The pages each layout from a previous one takes as they were, as it happens."""
    taken: list[list[int]] = []
    lay_out = weasy.lay_out

    def counting(document, css, resources, previous=None, again=frozenset(), provisional=False):
        laid = lay_out(document, css, resources, previous, again, provisional)
        if previous is not None:
            taken.append(_taken(laid, previous))
        return laid

    monkeypatch.setattr(weasy, "lay_out", counting)
    return taken


def _margins(document, number: int) -> list[int]:
    return [id(box) for box in document.pages[number]._page_box.children if type(box).__name__ == "MarginBox"]


def test_a_page_taken_as_it_was_gets_new_margin_boxes_when_its_running_head_changes():
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    changed = _document(heading="The Hold")  # as wide: the same lines
    again = reflow.pages_to_set_again(base, _document(), changed)
    assert again == frozenset({0})
    trial = weasy.lay_out(changed, (PAGE, FONT), (), previous=base, again=again)
    assert _taken(trial, base) == list(range(1, len(base.pages)))
    assert _margins(trial, 3) and not set(_margins(trial, 3)) & set(_margins(base, 3))
    assert weasy.write_pdf(trial) == weasy.write_pdf(weasy.lay_out(changed, (PAGE, FONT), ()))


def test_a_trial_that_moves_lines_is_set_from_its_change_to_the_end():
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    key = next(line.key for line in polish.lines(base)[0] if line.page == 3 and line.start == 0)
    changed = _document(int(key.split(":")[1]), 'style="line-height: 2.5"')  # lines pushed on
    trial = weasy.lay_out(changed, (PAGE, FONT), (), previous=base,
                          again=reflow.pages_to_set_again(base, _document(), changed))
    whole = weasy.lay_out(changed, (PAGE, FONT), ())
    assert _lines(trial) != _lines(base)
    assert _lines(trial) == _lines(whole)
    assert _taken(trial, base) == list(range(2))  # the pages before it; none after: its lines moved on
    assert weasy.write_pdf(trial) == weasy.write_pdf(whole)


def test_a_page_set_again_keeps_the_margin_boxes_its_number_had_where_they_show_the_same():
    """Lines pulled back on page 3 move every line after it: the pages after it are set again, and
    each keeps the running head and folio its number had (the same strings and counters)."""
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    key = next(line.key for line in polish.lines(base)[0] if line.page == 3 and line.start == 0)
    changed = _document(int(key.split(":")[1]), TIGHT)
    trial = weasy.lay_out(changed, (PAGE, FONT), (), previous=base,
                          again=reflow.pages_to_set_again(base, _document(), changed))
    set_again = [number for number in range(len(trial.pages)) if number not in _taken(trial, base)]
    assert len(trial.pages) == len(base.pages) and len(set_again) >= 2
    assert all(_margins(trial, number) and _margins(trial, number) == _margins(base, number) for number in set_again)
    assert weasy.write_pdf(trial) == weasy.write_pdf(weasy.lay_out(changed, (PAGE, FONT), ()))


NOTES = "span.note { float: footnote; font-size: 8pt } ::footnote-call { content: counter(footnote) }"


def _with_notes(marked: int | None = None, mark: str = "", long_notes: bool = False) -> bytes:
    """Paragraphs, every third with a footnote (a long one, `long_notes`, may run on to the next page)."""
    note = " ".join(WORDS * (6 if long_notes else 1))
    paragraphs = "".join(
        f'<p data-block="s:{number}"{" " + mark if number == marked else ""}>'
        + " ".join(WORDS[(number + i) % len(WORDS)] for i in range(30 + number % 4 * 9))
        + (f'<span class="note">{note} {number}</span>' if number % 3 == 0 else "") + " and on.</p>"
        for number in range(1, 40))
    return (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>'
            f'<section data-block="s:0"><h1 data-block="s:h">The Head</h1>{paragraphs}</section></body></html>').encode()


@pytest.mark.parametrize("long_notes", [False, True])
def test_a_trial_with_footnotes_is_the_whole_layout_wherever_it_changes(long_notes):
    """Footnotes at the pages' feet: a trial that pulls lines back or pushes them on, anywhere,
    gives the pages a whole layout gives, and takes pages before its change (the notes' waitlist
    is WeasyPrint's own: its repagination takes pages the same way); where a note runs on to the
    next page, the page after it is set again."""
    css = (PAGE, FONT, NOTES)
    base = weasy.lay_out(_with_notes(long_notes=long_notes), css, ())
    assert len(base.pages) >= 6
    took = 0
    for marked in range(4, 40, 5):
        for mark in (TIGHT, 'style="line-height: 2"'):
            changed = _with_notes(marked, mark, long_notes)
            trial = weasy.lay_out(changed, css, (), previous=base,
                                  again=reflow.pages_to_set_again(base, _with_notes(long_notes=long_notes), changed))
            assert weasy.write_pdf(trial) == weasy.write_pdf(weasy.lay_out(changed, css, ())), (marked, mark)
            took += len(_taken(trial, base))
    assert took


def test_a_block_below_a_place_its_page_may_break_leaves_the_page_before_as_it_was():
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    body = polish.lines(base)[0]
    lines_of = {key: sum(line.key == key for line in body) for key in {line.key for line in body}}
    # A paragraph begun on page 4 below one of four lines or more wholly on that page.
    key = next(line.key for number, line in enumerate(body) if line.page == 4 and line.start == 0
               and body[number - 1].page == 4 and lines_of[body[number - 1].key] >= 4
               and all(other.page == 4 for other in body if other.key == body[number - 1].key))
    changed = _document(int(key.split(":")[1]), TIGHT)  # its lines pulled back
    again = reflow.pages_to_set_again(base, _document(), changed)
    assert min(again) == 4
    trial = weasy.lay_out(changed, (PAGE, FONT), (), previous=base, again=again)
    assert weasy.write_pdf(trial) == weasy.write_pdf(weasy.lay_out(changed, (PAGE, FONT), ()))


def test_a_block_kept_with_a_heading_at_its_pages_top_sets_the_page_before_again():
    """A heading of three lines (kept with what follows: WeasyPrint's `break-after: avoid`) and a
    paragraph of two at the top of a page; the paragraph set in one line now fits, with its
    heading, at the foot of the page before, where a whole layout puts them."""
    css = (PAGE, FONT, "p { margin: 0 } h2 { margin: 0; font-size: 10pt }")

    def document(filler: int, tight: bool) -> bytes:
        tracked = " " + TIGHT if tight else ""
        return _document(head="", marked=None).replace(b"</section>", (
            f'<p data-block="s:f">{" ".join(WORDS[i % len(WORDS)] for i in range(filler))}</p>'
            f'<h2 data-block="s:k">A heading long enough that it wraps onto three lines here</h2>'
            f'<p data-block="s:b"{tracked}>the harbour bells all rang on</p>'
            + "".join(f'<p data-block="s:a{n}">{" ".join(WORDS * 3)}</p>' for n in range(4))
            + "</section>").encode())

    def pages(document, key: str) -> list[int]:
        return [line.page for line in polish.lines(document)[0] if line.key == key]

    cases = 0
    for filler in range(1, 160, 8):
        old, new = document(filler, False), document(filler, True)
        base, whole = weasy.lay_out(old, css, ()), weasy.lay_out(new, css, ())
        heading, paragraph = pages(base, "s:k"), pages(base, "s:b")
        if len(heading) != 3 or len(paragraph) != 2 or len(pages(whole, "s:b")) != 1 \
                or heading[0] != paragraph[0] or pages(whole, "s:b")[0] == paragraph[0]:
            continue  # not the case: the heading and its paragraph together at a page's top, then not
        cases += 1
        again = reflow.pages_to_set_again(base, old, new)
        assert paragraph[0] - 1 in again
        trial = weasy.lay_out(new, css, (), previous=base, again=again)
        assert weasy.write_pdf(trial) == weasy.write_pdf(whole)
    assert cases


def test_the_layout_a_trial_takes_pages_from_is_written_as_before():
    base = weasy.lay_out(_document(), (PAGE, FONT), ())
    written = weasy.write_pdf(base)
    key = next(line.key for line in polish.lines(base)[0] if line.page == 3 and line.start == 0)
    for mark in ('style="color: #222"', 'style="line-height: 2.5"'):
        changed = _document(int(key.split(":")[1]), mark)
        weasy.lay_out(changed, (PAGE, FONT), (), previous=base,
                      again=reflow.pages_to_set_again(base, _document(), changed))
    assert weasy.write_pdf(base) == written


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
    each laid out whole; and, in the prose, the first did take pages as they were (the sample's
    chapters are short, its trials span them, and its notes, which a layout carries from page to
    page, have its chapters with notes laid out whole)."""
    from test_polish import _prose_book

    book = read(SAMPLE if source == "sample" else _prose_book(tmp_path / "prose", 11, 4))
    jobs = [replace(job, polish=True) for job in chapter_jobs(book, BuildOptions(cache=False, polish=False))]
    taken = _count_taken(monkeypatch)
    reflowed = [setter.set_document(job) for job in jobs]
    whole = [setter.set_document(job, reflowed=False) for job in jobs]
    assert [(done.pdf, done.firsts) for done in reflowed] == [(done.pdf, done.firsts) for done in whole]
    if source == "prose":
        assert sum(map(len, taken)) >= 20


def test_lines_kept_from_earlier_layouts_give_the_pages_of_lines_broken_anew(tmp_path, monkeypatch):
    """A trial's paragraphs are mostly as they were: their lines come from the layouts before it
    (weasy._LINES), and every chapter's PDF is the one set with each line broken anew. The lines
    are let go once a document's last layout is made."""
    from test_polish import _prose_book
    from weasyprint.text.line_break import split_first_line

    class Counted(dict):
        hits = 0

        def get(self, key, default=None):
            found = super().get(key, default)
            Counted.hits += found is not None
            return found

    book = read(_prose_book(tmp_path / "prose", 5, 3))
    jobs = [replace(job, polish=True) for job in chapter_jobs(book, BuildOptions(cache=False, polish=False))]
    monkeypatch.setattr(weasy, "_LINES", weasy._Lines(found=Counted()))
    kept = [setter.set_document(job) for job in jobs]
    assert Counted.hits >= 100 and not weasy._LINES.found
    monkeypatch.setattr(weasy, "_split_first_line", split_first_line)  # installed at each layout
    anew = [setter.set_document(job) for job in jobs]
    assert [(done.pdf, done.firsts) for done in kept] == [(done.pdf, done.firsts) for done in anew]


def _with_contents(marked: int | None = None, mark: str = "") -> bytes:
    """A contents page giving the page of each of three sections (target-counter), then the sections."""
    contents = "".join(f'<p><a href="#part-{n}">Part {n}</a></p>' for n in range(3))
    sections = "".join(
        f'<section id="part-{n}" data-block="p{n}:0">' + "".join(
            f'<p data-block="p{n}:{i}"{" " + mark if (n, i) == (1, marked) else ""}>'
            + " ".join(WORDS[(i + k) % len(WORDS)] for k in range(45)) + "</p>" for i in range(1, 12))
        + "</section>" for n in range(3))
    return (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>'
            f'<nav>{contents}</nav>{sections}</body></html>').encode()


CONTENTS = "a::after { content: ' ' target-counter(attr(href), page); } nav, section { break-after: page; }"


@pytest.mark.parametrize("mark", ['style="color: #222"', 'style="line-height: 3"'])
def test_a_contents_page_is_taken_only_where_every_section_stays_on_its_page(mark):
    """A colour moves no line: the contents page is taken as it was. A line height that pushes the
    sections after it on moves their page numbers: the document is laid out whole, and the contents
    show the new numbers."""
    css = (PAGE, FONT, CONTENTS)
    base = weasy.lay_out(_with_contents(), css, ())
    changed = _with_contents(3, mark)
    again = reflow.pages_to_set_again(base, _with_contents(), changed)
    assert 0 not in again
    trial = weasy.lay_out(changed, css, (), previous=base, again=again)
    whole = weasy.lay_out(changed, css, ())
    assert weasy.write_pdf(trial) == weasy.write_pdf(whole)
    moved = weasy._anchor_pages(whole, weasy._PAGINATIONS[whole]) != weasy._anchor_pages(base, weasy._PAGINATIONS[base])
    assert moved == (mark != 'style="color: #222"')
    assert (0 in _taken(trial, base)) == (not moved)


def test_a_provisional_trial_that_moves_a_section_keeps_the_contents_page_it_took():
    """Judged, not written: a trial that moves the sections' pages may keep the contents page as it
    was (stale), its other pages those of a whole layout; a trial taken from it that puts the
    sections back where the contents page says is exact again."""
    css = (PAGE, FONT, CONTENTS)
    base = weasy.lay_out(_with_contents(), css, ())
    changed = _with_contents(3, 'style="line-height: 3"')
    trial = weasy.lay_out(changed, css, (), previous=base,
                          again=reflow.pages_to_set_again(base, _with_contents(), changed), provisional=True)
    whole = weasy.lay_out(changed, css, ())
    assert weasy.stale(trial) and not weasy.stale(whole) and not weasy.stale(base)
    assert 0 in _taken(trial, base)
    assert polish.lines(trial)[0] == polish.lines(whole)[0] and len(trial.pages) == len(whole.pages)
    with pytest.raises(ValueError):
        weasy.write_pdf(trial)
    back = weasy.lay_out(_with_contents(), css, (), previous=trial,
                         again=reflow.pages_to_set_again(trial, changed, _with_contents()), provisional=True)
    assert not weasy.stale(back)
    assert weasy.write_pdf(back) == weasy.write_pdf(base)


def test_a_book_set_as_one_document_with_its_contents_is_polished_as_with_whole_trials(tmp_path, monkeypatch):
    """A short work is set as one document, its contents page giving each chapter's page: each
    trial taken from its changed pages gives what the trial laid out whole gives."""
    from test_polish import _prose_book

    from publisher import themes
    from publisher.profiles import margins_for, profile
    from publisher.writers.pdf import documents
    from publisher.writers.pdf.jobs import Job

    options = BuildOptions(cache=False)
    book = read(_prose_book(tmp_path / "prose", 5, 2))
    page_css = documents.page_css(options, margins_for(options.trim_size, profile(options.profile), 0, False))
    whole_book = documents.book_document(book, 2026, None)
    job = Job(whole_book.xhtml, (themes.load(options.theme).print_css, page_css), whole_book.images, polish=True)
    assert b"target-counter" not in job.document and "target-counter" in job.css[0]
    taken = _count_taken(monkeypatch)
    reflowed = setter.set_document(job)
    whole = setter.set_document(job, reflowed=False)
    assert (reflowed.pdf, reflowed.firsts) == (whole.pdf, whole.firsts)
    assert any(0 in pages for pages in taken)  # the title page, at least, taken as it was


def test_a_trial_that_moves_a_chapter_of_a_book_set_as_one_document_is_judged_provisionally(tmp_path, monkeypatch):
    """Two chapters set as one document, the first (22 paragraphs) ending a line or two onto a last
    page: mending that moves the second chapter, whose page the contents page gives. That trial is
    judged by its pages with the contents page as it was (stale) and the book is the book polished
    with whole trials."""
    import random

    from test_polish import WORDS as PROSE

    from publisher import themes
    from publisher.profiles import margins_for, profile
    from publisher.writers.pdf import documents
    from publisher.writers.pdf.jobs import Job

    rng = random.Random(7)
    folder = tmp_path / "two"
    (folder / "chapters").mkdir(parents=True)
    (folder / "book.toml").write_text('title = "Prose"\nauthor = "A. Setter"\n')
    for number, count in ((1, 22), (2, 12)):
        paragraphs = [" ".join(rng.choice(PROSE) for _ in range(rng.choice((20, 40, 60, 90)))) for _ in range(count)]
        (folder / "chapters" / f"{number}.md").write_text(f"# Chapter {number}\n\n" + "\n\n".join(paragraphs) + "\n")
    options = BuildOptions(cache=False)
    page_css = documents.page_css(options, margins_for(options.trim_size, profile(options.profile), 0, False))
    whole_book = documents.book_document(read(folder), 2026, None)
    job = Job(whole_book.xhtml, (themes.load(options.theme).print_css, page_css), whole_book.images, polish=True)
    stale, lay_out = [], weasy.lay_out

    def noting(*args, **kwargs):
        laid = lay_out(*args, **kwargs)
        stale.append(weasy.stale(laid))
        return laid

    monkeypatch.setattr(weasy, "lay_out", noting)
    reflowed = setter.set_document(job)
    assert any(stale)
    whole = setter.set_document(job, reflowed=False)
    assert (reflowed.pdf, reflowed.firsts) == (whole.pdf, whole.firsts)


def _contents_and_parts(sizes: tuple[int, ...], marked: tuple[int, int] | None = None, mark: str = "",
                        back: bool = False) -> bytes:
    """A contents page, then parts of `sizes` paragraphs each (the last ending in a reference back
    to the first paragraph, `back`)."""
    contents = "".join(f'<p><a href="#part-{n}">Part {n}</a></p>' for n in range(len(sizes)))
    parts = "".join(
        f'<section id="part-{n}" data-block="p{n}:0">' + "".join(
            f'<p data-block="p{n}:{i}"{" " + mark if (n, i) == marked else ""}'
            f'{OPENING if (n, i) == (0, 1) else ""}>'
            + " ".join(WORDS[(i + k) % len(WORDS)] for k in range(45)) + "</p>" for i in range(1, size + 1))
        + "</section>" for n, size in enumerate(sizes))
    ending = '<p data-block="end:0">and so <a href="#opening">back</a></p>' if back else ""
    return (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>'
            f'<nav>{contents}</nav>{parts}{ending}</body></html>').encode()


OPENING = ' id="opening"'  # the first paragraph's anchor
REFERENCES = "a::after { content: ' ' target-counter(attr(href), page); } nav { break-after: page; } p { margin: 0 }"


def test_a_part_that_begins_a_page_earlier_and_ends_where_it_did_has_its_new_page_in_the_contents():
    """target-counter shows the first page an anchor is on: a part set over the same last page
    but begun a page earlier is a changed reference, and the contents are set again."""
    css = (PAGE, FONT, REFERENCES)
    old = _contents_and_parts((6, 9, 5))
    new = _contents_and_parts((6, 9, 5), (0, 2), 'style="line-height: 0.8"')
    base, whole = weasy.lay_out(old, css, ()), weasy.lay_out(new, css, ())
    firsts = [next(n for n, page in enumerate(document.pages) if "part-1" in page.anchors) for document in (base, whole)]
    lasts = [max(n for n, page in enumerate(document.pages) if "part-1" in page.anchors) for document in (base, whole)]
    assert firsts[0] != firsts[1] and lasts[0] == lasts[1]  # the case
    trial = weasy.lay_out(new, css, (), previous=base, again=reflow.pages_to_set_again(base, old, new))
    assert weasy.write_pdf(trial) == weasy.write_pdf(whole)


def _with_reference_back(filler: int, marked: int | None = None) -> bytes:
    """_document, its heading an anchor that its last paragraph (`filler` words, then the
    reference) refers back to (target-counter)."""
    ending = " ".join(WORDS[i % len(WORDS)] for i in range(filler))
    return _document(marked, 'style="line-height: 0.8"').replace(
        b'<h1 data-block="s:h">', b'<h1 id="start" data-block="s:h">').replace(
        b"</section>", f'<p data-block="s:z">{ending} <a href="#start">back</a></p></section>'.encode())


def test_a_reference_set_again_on_a_page_the_trial_moved_it_to_points_at_its_anchor():
    """A reference at the end back to the first page: a trial that takes a page off the book sets
    the reference again, on another page, where the anchor's page is known only to a whole layout
    (the first page, taken as it was, is not laid out again)."""
    css = (PAGE, FONT, REFERENCES)
    cases = 0
    for filler in range(0, 120, 15):
        old = _with_reference_back(filler)
        base = weasy.lay_out(old, css, ())
        for marked in (36, 38):
            new = _with_reference_back(filler, marked)
            whole = weasy.lay_out(new, css, ())
            if len(whole.pages) >= len(base.pages):
                continue
            cases += 1
            trial = weasy.lay_out(new, css, (), previous=base, again=reflow.pages_to_set_again(base, old, new))
            assert weasy.write_pdf(trial) == weasy.write_pdf(whole)
    assert cases
