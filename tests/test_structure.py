"""Book structure, built for real: parts, front and back matter, an epigraph, an anthology of works.

The fixtures in tests/fixtures/structure are our own writing: a book in two parts (chapter numbers
restarting in each) with a preface, an epigraph and three back-matter sections, and an anthology
of three works of three kinds (a book folder, a .txt story, a .md file).
"""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import SAMPLE, assert_epubcheck_clean, corpus_book, page_texts, pdftotext
from publisher import BuildOptions, read, themes
from publisher.errors import ManuscriptError
from publisher.words import words as words_of
from publisher.writers import pdf
from test_accessibility import ace_command, run_ace
from test_parallel import _assert_same_book

HERE = Path(__file__).parent / "fixtures" / "structure"
PARTS_BOOK, ANTHOLOGY, VOLUMES = HERE / "parts-book", HERE / "anthology", HERE / "volumes"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def _xml(epub: Path, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(epub).read(f"EPUB/{name}"))


def _nav_tree(ol: etree._Element) -> list:
    """The nav's contents as [title, or (title, [children])]."""
    tree = []
    for li in ol.findall("x:li", NS):
        title = "".join(li.find("x:a", NS).itertext())
        inner = li.find("x:ol", NS)
        tree.append((title, _nav_tree(inner)) if inner is not None else title)
    return tree


def _ncx_tree(parent: etree._Element) -> list:
    tree = []
    for point in parent.findall("ncx:navPoint", NS):
        title = point.find("ncx:navLabel/ncx:text", NS).text
        inner = _ncx_tree(point)
        tree.append((title, inner) if inner else title)
    return tree


def _outline_tree(reader: PdfReader, items: list) -> list:
    tree = []
    for item in items:
        if isinstance(item, list):
            tree[-1] = (tree[-1], _outline_tree(reader, item))
        else:
            tree.append(item.title)
    return tree


def _openings(reader: PdfReader, items: list) -> dict[str, int]:
    """Outline title → the index of the page it opens (every level)."""
    found = {}
    for item in items:
        if isinstance(item, list):
            found.update(_openings(reader, item))
        else:
            found[item.title] = reader.get_destination_page_number(item)
    return found


PARTS_CONTENTS = [
    "Preface", "Prologue", ("Part One", ["Chapter 1", "Chapter 2"]), ("Part Two", ["Chapter 1", "Accounts"]),
    "Afterword", "Acknowledgements", "About the Author",
]


def test_a_book_in_parts_has_nested_contents_in_the_nav_and_the_ncx(built):
    epub = built(PARTS_BOOK)["epub"]
    assert_epubcheck_clean(epub)
    nav = _xml(epub, "text/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']/x:ol", NS)
    assert _nav_tree(toc) == PARTS_CONTENTS  # chapter numbers restart in each part (numbering = "part")
    assert _ncx_tree(_xml(epub, "toc.ncx").find("ncx:navMap", NS)) == PARTS_CONTENTS
    start = nav.find(".//x:nav[@epub:type='landmarks']//x:a[@epub:type='bodymatter']", NS)
    assert start.get("href") == "chapter-001.xhtml"  # the prologue comes before the first part


@pytest.mark.parametrize("name, kind, role", [
    ("part-01", "part", "doc-part"), ("part-02", "part", "doc-part"), ("preface", "preface", "doc-preface"),
    ("afterword", "afterword", "doc-afterword"), ("acknowledgements", "acknowledgments", "doc-acknowledgments"),
    ("about-the-author", "contributors", None), ("epigraph", "epigraph", None),
])
def test_parts_and_matter_carry_their_epub_type_and_role(built, name, kind, role):
    section = _xml(built(PARTS_BOOK)["epub"], f"text/{name}.xhtml").find(".//x:section", NS)
    assert (section.get(EPUB_TYPE), section.get("role")) == (kind, role)


def test_the_epigraph_and_a_parts_intro_are_kept_with_their_source(built):
    epub = built(PARTS_BOOK)["epub"]
    epigraph = _xml(epub, "text/epigraph.xhtml").find(".//x:div[@role='doc-epigraph']", NS)
    text = " ".join(" ".join(epigraph.itertext()).split())
    assert text == "A ledger is a diary that only counts what can be carried. — Hanne Voss, The Farm Accounts"
    part = _xml(epub, "text/part-01.xhtml")
    assert "".join(part.find(".//x:p[@class='part-subtitle']", NS).itertext()) == "The First Winter"
    assert "Snow is only rain" in "".join(part.find(".//x:div[@class='part-intro']", NS).itertext())


def test_part_pages_open_on_rectos_without_a_folio_and_the_outline_nests(built):
    path = built(PARTS_BOOK)["pdf"]
    reader = PdfReader(path)
    assert _outline_tree(reader, reader.outline) == PARTS_CONTENTS
    openings = _openings(reader, reader.outline)
    pages, labels = page_texts(path), reader.page_labels
    for title in ("Part One", "Part Two"):
        index = openings[title]
        assert index % 2 == 0, f"{title} opens on a verso"
        printed = [line.strip() for line in pages[index].splitlines() if line.strip()]
        assert printed[0] == title and labels[index] not in printed, printed  # no folio on a part's page
        assert not pages[index + 1].strip(), f"the verso after {title} is not blank"
    for title in ("Prologue", "Afterword", "Acknowledgements", "About the Author", "Preface"):
        assert openings[title] % 2 == 0, f"{title} opens on a verso"
    assert labels[openings["Prologue"]] == "1" and re.fullmatch("[ivxlc]+", labels[openings["Preface"]])
    assert labels[openings["Afterword"]].isdigit()  # the back matter's folios continue the body's


def test_the_printed_contents_gives_the_page_where_each_part_and_chapter_starts(built):
    path = built(PARTS_BOOK)["pdf"]
    reader = PdfReader(path)
    labels, pages = reader.page_labels, page_texts(path)
    contents = next(i for i, text in enumerate(pages) if text.strip().startswith("CONTENTS"))
    entries = re.findall(r"^\s*(\S.*?)[ .]{3,}([ivxlc]+|\d+)\s*$", pdftotext(path, contents + 1, contents + 1,
                                                                              layout=True), re.MULTILINE)
    flat = [entry for item in PARTS_CONTENTS for entry in ([item[0], *item[1]] if isinstance(item, tuple) else [item])]
    assert [title for title, _ in entries] == flat
    for title, folio in entries:
        opening = pages[labels.index(folio)]
        assert opening.strip().startswith(title), (title, folio, opening[:80])
    # The parts are the headings; their chapters are set indented beneath them.
    layout = pdftotext(path, contents + 1, contents + 1, layout=True)
    indent = {line.strip().split(" .")[0].rstrip(". "): len(line) - len(line.lstrip())
              for line in layout.splitlines() if line.strip()}
    assert indent["The Lamp Schedule" if "The Lamp Schedule" in indent else "Accounts"] > indent["Part Two"]


def test_parts_set_in_parallel_equal_a_whole_book_render(tmp_path, monkeypatch, parallel_path):
    monkeypatch.setattr(pdf, "FURNITURE_PAGES", 3)
    for source in (PARTS_BOOK, ANTHOLOGY, VOLUMES):
        manuscript = read(source)
        options = BuildOptions(jobs=2, cache=False)
        theme = themes.load(options.theme)
        whole, parts = pdf.lay_out_whole(manuscript, theme, options), pdf.lay_out(manuscript, theme, options)
        folder = tmp_path / source.name
        folder.mkdir()
        _assert_same_book(whole, parts, options, folder)
        assert _outline_of(whole.pdf) == _outline_of(parts.pdf)


def _outline_of(data: bytes) -> list:
    reader = PdfReader(io.BytesIO(data))
    return _outline_tree(reader, reader.outline)


# ---------------------------------------------------------------- an anthology


def test_an_anthology_of_three_kinds_of_work_has_one_contents_and_a_title_page_per_work(built):
    outputs = built(ANTHOLOGY)
    epub = outputs["epub"]
    assert_epubcheck_clean(epub)
    nav = _xml(epub, "text/nav.xhtml")
    assert _nav_tree(nav.find(".//x:nav[@epub:type='toc']/x:ol", NS)) == [
        ("The Lamp Count", ["Dusk", "The Tenth Lamp"]),
        ("The Wall Walker", ["Chapter 1", "Chapter 2"]),  # numbered within its work
        ("Small Hours", ["The Clock", "The Morning"]),
    ]
    title_pages = {}
    for number in (1, 2, 3):
        section = _xml(epub, f"text/part-{number:02d}.xhtml").find(".//x:section", NS)
        details = dict(zip(section.xpath(".//x:dt/text()", namespaces=NS), section.xpath(".//x:dd/text()", namespaces=NS)))
        title_pages[section.findtext("x:h1", namespaces=NS)] = (section.findtext("x:p[@class='author']", namespaces=NS),
                                                                details)
    assert title_pages["The Lamp Count"][1]["Rating"] == "General Audiences"
    chapters = [_xml(epub, f"text/chapter-00{n}.xhtml").find(".//x:div[@class='chapter-body']", NS) for n in (3, 4)]
    words = sum(len(words_of(" ".join(body.itertext()))) for body in chapters)
    assert title_pages["The Wall Walker"] == ("Tomas Reyes", {"Fandom": "Original Work",
                                                              "Rating": "Teen And Up Audiences", "Words": str(words),
                                                              "Chapters": "2"})
    assert title_pages["Small Hours"][0] == "Iris Calloway"
    volume = _xml(epub, "text/titlepage.xhtml")
    assert volume.xpath("//x:ul[@class='works']/x:li/text()", namespaces=NS) == [
        "The Lamp Count — Iris Calloway", "The Wall Walker — Tomas Reyes", "Small Hours — Iris Calloway"]
    # One page list for the whole volume, every entry a page of the one PDF.
    reader = PdfReader(outputs["pdf"])
    page_list = nav.xpath("//x:nav[@epub:type='page-list']//x:a/text()", namespaces=NS)
    assert page_list and len(page_list) == len(set(page_list)) and set(page_list) <= set(reader.page_labels)
    assert _outline_tree(reader, reader.outline) == _nav_tree(nav.find(".//x:nav[@epub:type='toc']/x:ol", NS))


def test_an_anthologys_running_heads_carry_each_works_title(tmp_path):
    book = tmp_path / "anthology"
    shutil.copytree(ANTHOLOGY, book)
    long = book / "works" / "first-story" / "chapters" / "01.md"
    long.write_text(long.read_text() + "\n" + "\n\n".join([long.read_text().split("\n", 2)[2]] * 12))
    story = book / "second.txt"
    paragraph = "He left in March, always in March, always with a loaf he had not been given.\n\n"
    story.write_text(story.read_text().replace("Chapter 2\n", "Chapter 2\n\n" + paragraph * 40))
    from publisher import build

    outputs = {o.format: o.path for o in build(book, tmp_path / "out", BuildOptions(formats=("pdf",)))}
    pages, labels = page_texts(outputs["pdf"]), PdfReader(outputs["pdf"]).page_labels
    # The heads are letter-spaced: pdftotext reads "T H E WA L L" at times.
    heads = {pages[i].split("\n")[0].replace(" ", "") for i, label in enumerate(labels)
             if label.isdigit() and int(label) % 2 == 0 and pages[i].strip()}
    assert {"THELAMPCOUNT", "THEWALLWALKER"} <= heads, heads
    assert "LANTERNSONTHEHILL" not in heads


@pytest.mark.skipif(ace_command() is None, reason="node, chromium or Ace (scripts/install-ace.sh) not installed")
@pytest.mark.parametrize("source", [PARTS_BOOK, ANTHOLOGY, SAMPLE], ids=lambda p: p.name)
def test_ace_finds_nothing_serious_in_structured_books(built, source, tmp_path):
    found = run_ace(built(source)["epub"], tmp_path)
    assert not {key: n for key, n in found.items() if key[0] in ("critical", "serious")}, found


def test_a_work_that_cannot_be_read_is_named_with_the_anthology(tmp_path):
    book = tmp_path / "anthology"
    shutil.copytree(ANTHOLOGY, book)
    (book / "book.toml").write_text((book / "book.toml").read_text().replace('"third.md"', '"missing.md"'))
    with pytest.raises(ManuscriptError) as error:
        read(book)
    assert "missing.md" in str(error.value) and "book.toml" in str(error.value)


# ---------------------------------------------------------------- the sample book's back matter


def test_the_sample_books_epigraph_and_back_matter_each_open_a_recto(built):
    outputs = built(SAMPLE)
    reader = PdfReader(outputs["pdf"])
    openings = _openings(reader, reader.outline)
    assert list(openings)[-3:] == ["Afterword", "Acknowledgements", "About the Author"]
    assert all(openings[title] % 2 == 0 for title in openings)
    pages = page_texts(outputs["pdf"])
    epigraph = next(i for i, text in enumerate(pages) if "for the sake of everyone who passes" in " ".join(text.split()))
    contents = next(i for i, text in enumerate(pages) if text.strip().startswith("CONTENTS"))
    assert epigraph % 2 == 0 and epigraph < contents
    spine = [item.get("idref") for item in etree.fromstring(zipfile.ZipFile(outputs["epub"]).read(
        "EPUB/content.opf")).iter("{http://www.idpf.org/2007/opf}itemref")]
    assert spine[-3:] == ["afterword", "acknowledgements", "about-the-author"]
    assert spine.index("epigraph") < spine.index("nav")


# ---------------------------------------------------------------- a book folder's mistakes


@pytest.mark.parametrize("file, text, message", [
    ("back/01-x.md", "---\nkind: epilogue\n---\n\nText.\n", "a prologue or an epilogue is a chapter"),
    ("back/01-x.md", "---\nkind: afterwrod\n---\n\nText.\n", "kind 'afterwrod': give one of afterword"),
    ("chapters/01-the-first-winter/inner/deeper/01.md", "Text.\n", "parts nest one level deep at most"),
], ids=["epilogue-in-back", "misspelt-kind", "too-deep"])
def test_a_structural_mistake_is_one_line_naming_the_file(tmp_path, file, text, message):
    book = tmp_path / "book"
    shutil.copytree(PARTS_BOOK, book)
    (book / file).parent.mkdir(parents=True, exist_ok=True)
    (book / file).write_text(text)
    with pytest.raises(ManuscriptError) as error:
        read(book)
    assert message in str(error.value)
    assert any(Path(file).parent.name in str(problem) for problem in error.value.problems)


@pytest.mark.parametrize("source", [corpus_book("war-and-peace-parts")])
def test_war_and_peace_in_parts_builds_seventeen_parts_in_both_books(built, source):
    outputs = built(source)
    assert_epubcheck_clean(outputs["epub"])
    toc = _nav_tree(_xml(outputs["epub"], "text/nav.xhtml").find(".//x:nav[@epub:type='toc']/x:ol", NS))
    assert len(toc) == 17 and all(isinstance(entry, tuple) for entry in toc)
    assert [entry[0] for entry in toc[:2]] + [toc[-1][0]] == ["Book One", "Book Two", "Second Epilogue"]
    assert sum(len(chapters) for _, chapters in toc) == 365 and toc[0][1][:2] == ["Chapter I", "Chapter II"]
    reader = PdfReader(outputs["pdf"])
    assert _outline_tree(reader, reader.outline) == toc
    pages = page_texts(outputs["pdf"])
    part_pages = [reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)]
    assert len(part_pages) == 17 and all(index % 2 == 0 for index in part_pages)  # each on a recto
    assert all(pages[index].split()[:2] == title.split() for index, (title, _) in zip(part_pages, toc))
    contents = " ".join(text for text in pages[:part_pages[0]] if "Chapter I" in text)
    assert all(title in contents for title, _ in toc)  # the printed contents shows the parts


# ---------------------------------------------------------------- a .txt story in parts, built and imported

PARTS_STORY = HERE / "parts-story.txt"
STORY_CONTENTS = ["Foreword", ("Part One", ["Chapter 1", "Chapter 2"]), ("Part Two", ["Chapter 1", "Chapter 2"]),
                  "Afterword"]


def test_a_text_story_in_parts_builds_nested_keeps_every_word_and_imports_to_the_same_book(built, tmp_path):
    from publisher import check, import_book

    outputs = built(PARTS_STORY)
    assert_epubcheck_clean(outputs["epub"])
    nav = _xml(outputs["epub"], "text/nav.xhtml").find(".//x:nav[@epub:type='toc']/x:ol", NS)
    assert _nav_tree(nav) == STORY_CONTENTS  # its own contents list is not a chapter
    report = check(PARTS_STORY, outputs=outputs["epub"].parent)
    assert len(report.word_lines) == 2 and report.ok, report.word_lines
    imported = import_book(PARTS_STORY, tmp_path / "salt-road").folder
    assert (imported / "chapters" / "01-part-one" / "_part.md").is_file() and list((imported / "back").glob("*.md"))
    again = built(imported)
    assert _nav_tree(_xml(again["epub"], "text/nav.xhtml").find(".//x:nav[@epub:type='toc']/x:ol", NS)) == \
        STORY_CONTENTS
    assert page_texts(again["pdf"]) == page_texts(outputs["pdf"])


def test_every_kind_of_source_can_be_a_work_and_keeps_its_own_matter_and_images(built, tmp_path):
    sources = Path(__file__).parent / "fixtures" / "sources"
    works = [SAMPLE, sources / "ao3" / "ao3-multichapter.html", sources / "docx" / "manuscript.docx",
             sources / "fanficfare" / "test1-sid1.epub", PARTS_STORY]
    book = tmp_path / "omnibus"
    book.mkdir()
    (book / "book.toml").write_text('title = "Everything at Once"\nworks = [%s]\n' % ", ".join(f'"{w}"' for w in works))
    epub = built(book, formats=("epub",))["epub"]
    assert_epubcheck_clean(epub)
    toc = _nav_tree(_xml(epub, "text/nav.xhtml").find(".//x:nav[@epub:type='toc']/x:ol", NS))
    assert [entry[0] for entry in toc] == ["The Lamplighter’s Daughter", "The Ledger at Gull Point", "Salt and Paper",
                                          "Test Story Title 1", "The Salt Road"]
    assert toc[0][1][-3:] == ["Afterword", "Acknowledgements", "About the Author"]  # the sample's own back matter
    salt_road = toc[-1][1]
    assert salt_road[0] == "Foreword" and salt_road[1] == ("Part One", ["Chapter 1", "Chapter 2"])  # parts nest
    names = zipfile.ZipFile(epub).namelist()
    assert "EPUB/work-01/images/lamp.svg" in names  # each work's images kept apart from the others'


def test_volumes_hold_books_one_level_down_in_the_nav_and_the_outline(built):
    outputs = built(VOLUMES)
    assert_epubcheck_clean(outputs["epub"])
    expected = [("Volume One", ["Chapter 1", ("Book One", ["Chapter 1", "Chapter 2"]),
                                ("Book Two", ["Chapter 1", "Chapter 2"])]),
                ("Volume Two", ["Chapter 1", "Chapter 2"])]
    assert _nav_tree(_xml(outputs["epub"], "text/nav.xhtml").find(".//x:nav[@epub:type='toc']/x:ol", NS)) == expected
    assert _ncx_tree(_xml(outputs["epub"], "toc.ncx").find("ncx:navMap", NS)) == expected
    reader = PdfReader(outputs["pdf"])
    assert _outline_tree(reader, reader.outline) == expected


def test_every_kind_of_section_has_a_title_and_its_semantics():
    from publisher.html import MATTER_SEMANTICS
    from publisher.manuscript import BACK_KINDS, FRONT_KINDS
    from publisher.readers.assemble import MATTER_TITLES

    assert set(FRONT_KINDS + BACK_KINDS) == set(MATTER_TITLES) == set(MATTER_SEMANTICS)


@pytest.mark.parametrize("book", [PARTS_BOOK, ANTHOLOGY, VOLUMES])
def test_a_planned_section_says_what_the_section_made_of_it_is(book):
    """The EPUB lists a cached section in its contents by its plan alone: the plan must agree."""
    from publisher import html

    manuscript = read(book)
    plan = html.body_plan(manuscript)
    made = html.body_sections(manuscript)
    assert [(p.name, p.kind, p.title, p.matter, p.level, p.in_toc) for p in plan] == \
        [(s.name, s.kind, s.title, s.matter, s.level, s.in_toc) for s in made]
    assert {p.kind for p in plan} >= {"part", "chapter"}
