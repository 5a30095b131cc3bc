"""Book structure found in one file (parts, a foreword, an afterword) and written out by import."""
from __future__ import annotations

import tomllib
from collections import Counter

import pytest

from publisher.readers import assemble, draft
from publisher.readers.draft import BODY, DROPPED, FRONT, LABEL
from publisher.readers.text import parse_story
from publisher.words import words

QUAY = "She walked the length of the quay and counted the boats, as she did every evening."
ROPE = "The ferryman coiled his rope twice and said nothing about the weather."


def story_file(tmp_path, text: str, name: str = "story.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return draft(path)


def outline(made) -> list:
    """A draft's body as nested lists: loose chapter titles, then (part title, subtitle, [chapters], [parts])."""
    def part(p):
        return (p.title, p.subtitle, [c.title for c in p.chapters], [part(q) for q in p.parts])
    return [c.title for c in made.chapters] + [part(p) for p in made.parts]


def chapters(*titles: str) -> str:
    return "".join(f"{title}\n\n{QUAY}\n\n" for title in titles)


def traced_all(text: str) -> None:
    """Every word of the source is in the trace once: kept, moved, a label or dropped."""
    trace = parse_story(text).trace
    assert Counter(words(trace.text(BODY, FRONT, LABEL, DROPPED))) == Counter(words(text))


# ---------------------------------------------------------------- plain text


def test_chapters_that_start_again_in_each_part_make_parts_numbered_by_part(tmp_path):
    text = "Title: The Salt Road\n\nPART ONE\n\n" + chapters("Chapter 1", "Chapter 2", "Chapter 3") + \
        "PART TWO\n\n" + chapters("Chapter 1", "Chapter 2")
    made = story_file(tmp_path, text)
    assert outline(made) == [("Part One", "", ["Chapter 1", "Chapter 2", "Chapter 3"], []),
                             ("Part Two", "", ["Chapter 1", "Chapter 2"], [])]
    assert made.numbering == "part"
    assert len(made.all_chapters()) == 5 and all(QUAY in c.body.text for c in made.all_chapters())
    traced_all(text)
    book = assemble(made)
    assert [c.number for c in book.chapters] == [1, 2, 3, 1, 2]
    assert [p.title for p in book.parts] == ["Part One", "Part Two"]


def test_chapters_numbered_through_the_book_keep_book_numbering(tmp_path):
    made = story_file(tmp_path, "PART ONE\n\n" + chapters("Chapter 1", "Chapter 2") + "PART TWO\n\n" +
                      chapters("Chapter 3", "Chapter 4"))
    assert [p.title for p in made.parts] == ["Part One", "Part Two"] and made.numbering == "book"


@pytest.mark.parametrize("heads, titles, subtitles", [
    (["Part I: The Harbour", "Part II: The Island"], ["Part I", "Part II"], ["The Harbour", "The Island"]),
    (["PART ONE — THE HARBOUR", "PART TWO — THE ISLAND"], ["Part One", "Part Two"], ["The Harbour", "The Island"]),
    (["Première partie", "Deuxième partie"], ["Première Partie", "Deuxième Partie"], ["", ""]),
    (["Erster Teil", "Zweiter Teil"], ["Erster Teil", "Zweiter Teil"], ["", ""]),
    (["BOOK THE FIRST", "BOOK THE SECOND"], ["Book the First", "Book the Second"], ["", ""]),
    (["Epoch the First", "Epoch the Second"], ["Epoch the First", "Epoch the Second"], ["", ""]),
    (["Volume 1", "Volume 2"], ["Volume 1", "Volume 2"], ["", ""]),
    (["PART II", "PART III"], ["Part II", "Part III"], ["", ""]),
])
def test_part_heading_forms(tmp_path, heads, titles, subtitles):
    made = story_file(tmp_path, "".join(f"{head}\n\n" + chapters("Chapter 1", "Chapter 2") for head in heads))
    assert [(p.title, p.subtitle) for p in made.parts] == list(zip(titles, subtitles))
    assert all([c.title for c in p.chapters] == ["Chapter 1", "Chapter 2"] for p in made.parts)
    assert not made.chapters


def test_german_and_french_chapters_inside_parts():
    story = parse_story("Erster Teil\n\n" + chapters("Erstes Kapitel", "Zweites Kapitel") + "Zweiter Teil\n\n" +
                        chapters("Erstes Kapitel"))
    assert [[c.title for c in p.chapters] for p in story.parts] == [["Erstes Kapitel", "Zweites Kapitel"],
                                                                   ["Erstes Kapitel"]]
    assert story.numbering == "part"


def test_text_between_a_part_heading_and_its_first_chapter_is_the_parts_intro(tmp_path):
    made = story_file(tmp_path, f"PART ONE\n\n*The sea keeps what it takes.*\n\n{ROPE}\n\n" + chapters("Chapter 1") +
                      "PART TWO\n\n" + chapters("Chapter 2"))
    first, second = made.parts
    assert first.intro.text == f"*The sea keeps what it takes.*\n\n{ROPE}\n" and second.intro is None
    assert [c.title for c in first.chapters] == ["Chapter 1"]


def test_books_with_chapters_inside_are_parts_and_numbered_epilogues_too(tmp_path):
    text = "BOOK ONE: 1805\n\n" + chapters("CHAPTER I", "CHAPTER II") + "BOOK TWO: 1806\n\n" + chapters("CHAPTER I") + \
        "FIRST EPILOGUE: 1813\n\n" + chapters("CHAPTER I")
    made = story_file(tmp_path, text)
    assert outline(made) == [("Book One", "1805", ["Chapter I", "Chapter II"], []),
                             ("Book Two", "1806", ["Chapter I"], []), ("First Epilogue", "1813", ["Chapter I"], [])]
    assert made.numbering == "part"


def test_volumes_of_books_nest_one_level(tmp_path):
    text = "VOLUME I\n\nBOOK THE FIRST\n\n" + chapters("CHAPTER I", "CHAPTER II") + "BOOK THE SECOND\n\n" + \
        chapters("CHAPTER III") + "VOLUME II\n\nBOOK THE THIRD\n\n" + chapters("CHAPTER IV")
    made = story_file(tmp_path, text)
    assert outline(made) == [
        ("Volume I", "", [], [("Book the First", "", ["Chapter I", "Chapter II"], []),
                              ("Book the Second", "", ["Chapter III"], [])]),
        ("Volume II", "", [], [("Book the Third", "", ["Chapter IV"], [])])]


def test_a_text_headed_only_by_books_is_a_text_of_chapters(tmp_path):
    made = story_file(tmp_path, chapters("Book 1", "Book 2", "Book 3"))
    assert outline(made) == ["Book 1", "Book 2", "Book 3"] and made.numbering == "book"


def test_acts_of_a_play_stay_chapters_with_their_scenes(tmp_path):
    made = story_file(tmp_path, f"ACT I\n\nSCENE I. A quay.\n\n{QUAY}\n\nSCENE II. A boat.\n\n{ROPE}\n\n"
                                f"THE SECOND ACT\n\nSCENE I.\n\n{QUAY}\n")
    assert outline(made) == ["Act I", "The Second Act"]
    assert "### SCENE II. A boat." in made.chapters[0].body.text


def test_foreword_and_afterword_are_front_and_back_matter_prologue_and_epilogue_chapters(tmp_path):
    text = "Foreword\n\n" + ROPE + "\n\n" + chapters("Prologue") + "PART ONE\n\n" + chapters("Chapter 1", "Chapter 2") + \
        "PART TWO\n\n" + chapters("Chapter 3") + chapters("Epilogue") + "Afterword\n\n" + ROPE + "\n\n" + \
        "Acknowledgements\n\nMy thanks to the harbour master.\n\nAbout the Author\n\nShe lives by the sea.\n"
    made = story_file(tmp_path, text)
    assert [(m.kind, m.title, m.body.text.strip()) for m in made.front_sections] == [("foreword", "Foreword", ROPE)]
    assert [(m.kind, m.title) for m in made.back_matter] == [
        ("afterword", "Afterword"), ("acknowledgements", "Acknowledgements"), ("about-the-author", "About the Author")]
    # The epilogue closes the book, not Part Two: an unnamed run of chapters after the parts.
    assert outline(made) == ["Prologue", ("Part One", "", ["Chapter 1", "Chapter 2"], []),
                             ("Part Two", "", ["Chapter 3"], []), ("", "", ["Epilogue"], [])]
    traced_all(text)


def test_an_afterword_before_the_last_chapter_stays_a_chapter():
    story = parse_story(chapters("Chapter 1", "Afterword", "Chapter 2"))
    assert [c.title for c in story.chapters] == ["Chapter 1", "Afterword", "Chapter 2"] and not story.back


GUTENBERG = """The Project Gutenberg eBook of The Salt Road

Title: The Salt Road
Author: Mara Fen
Language: English

*** START OF THE PROJECT GUTENBERG EBOOK THE SALT ROAD ***

THE SALT ROAD

by Mara Fen

{contents}

{body}
*** END OF THE PROJECT GUTENBERG EBOOK THE SALT ROAD ***

The licence would stand here.
"""


@pytest.mark.parametrize("contents", [
    "CONTENTS\n\nPART ONE\nChapter 1\nChapter 2\nPART TWO\nChapter 1\nChapter 2",
    "CONTENTS\n\n  PART ONE\n     Chapter 1\n     Chapter 2\n  PART TWO\n     Chapter 1\n     Chapter 2",
    "CONTENTS\n\nPART ONE\n\nChapter 1\n\nChapter 2\n\nPART TWO\n\nChapter 1\n\nChapter 2",
], ids=["one-block", "indented", "one-line-each"])
def test_a_contents_list_naming_parts_and_chapters_is_dropped(tmp_path, contents):
    body = "PART ONE\n\n" + chapters("Chapter 1", "Chapter 2") + "PART TWO\n\n" + chapters("Chapter 1", "Chapter 2")
    text = GUTENBERG.format(contents=contents, body=body)
    made = story_file(tmp_path, text)
    assert outline(made) == [("Part One", "", ["Chapter 1", "Chapter 2"], []),
                             ("Part Two", "", ["Chapter 1", "Chapter 2"], [])]
    assert all(c.body.text.strip() == QUAY for c in made.all_chapters())
    dropped = words(made.trace.text(DROPPED))
    assert Counter(dropped) >= Counter(words(contents))
    traced_all(text)


# ---------------------------------------------------------------- one Markdown file


TIDE = f"""# Part One: Low Water

*What the tide leaves.*

## The Quay

{QUAY}

### Evening

{ROPE}

## The Boats

{ROPE}

# Part Two

## The Island {{.recto}}

{QUAY}
"""


def test_markdown_parts_are_found_when_every_top_section_holds_chapters(tmp_path):
    made = story_file(tmp_path, "---\ntitle: The Tide Book\n---\n\n" + TIDE, "tide.md")
    assert outline(made) == [("Part One: Low Water", "", ["The Quay", "The Boats"], []),
                             ("Part Two", "", ["The Island"], [])]
    first = made.parts[0]
    assert first.intro.text == "*What the tide leaves.*\n" and first.intro.place.line == 7
    quay = first.chapters[0]
    assert quay.body.text == f"{QUAY}\n\n### Evening\n\n{ROPE}\n" and quay.body.place.line == 11
    assert made.parts[1].intro is None and made.parts[1].chapters[0].body.place.line == 25


def test_markdown_chapter_level_2_in_front_matter_makes_parts_of_sections_without_chapters(tmp_path):
    text = "---\ntitle: Two Shores\nchapter_level: 2\n---\n\n# Prelude\n\nA part with only an intro.\n\n" \
           f"# The Crossing\n\n## Out\n\n{QUAY}\n\n## Back\n\n{ROPE}\n"
    made = story_file(tmp_path, text, "shores.md")
    assert outline(made) == [("Prelude", "", [], []), ("The Crossing", "", ["Out", "Back"], [])]
    assert made.parts[0].intro.text == "A part with only an intro.\n"
    assert not [label for label, _ in made.notes]  # chapter_level is read, not kept as a note


def test_markdown_chapters_before_the_first_part(tmp_path):
    made = story_file(tmp_path, f"Title: Landfall\nChapter level: 2\n\n## Before\n\n{QUAY}\n\n" + TIDE, "landfall.md")
    assert outline(made)[0] == "Before" and [p.title for p in made.parts] == ["Part One: Low Water", "Part Two"]


@pytest.mark.parametrize("text", [
    f"---\ntitle: T\n---\n\n# One\n\n{QUAY}\n\n## A scene\n\n{ROPE}\n\n# Two\n\n{ROPE}\n",  # not every # holds a ##
    f"---\ntitle: T\nchapter_level: 1\n---\n\n# One\n\n## A scene\n\n{ROPE}\n\n# Two\n\n## Another\n\n{ROPE}\n",
    f"---\ntitle: T\n---\n\n# One\n\n{QUAY}\n\n# Two\n\n{ROPE}\n",
])
def test_markdown_without_a_part_level_reads_as_before(tmp_path, text):
    made = story_file(tmp_path, text, "plain.md")
    assert outline(made) == ["One", "Two"] and not made.parts
    body = made.chapters[0].body
    assert body.place.line == text.split("\n").index(body.text.split("\n")[0]) + 1


def test_markdown_chapter_level_must_be_1_or_2(tmp_path):
    from publisher.errors import ManuscriptError

    with pytest.raises(ManuscriptError, match="chapter_level '3'"):
        story_file(tmp_path, "---\ntitle: T\nchapter_level: 3\n---\n\n# One\n\nText.\n", "odd.md")


# ---------------------------------------------------------------- import: a draft with parts as a book folder


def test_folder_files_writes_parts_as_numbered_folders_and_matter_as_front_and_back(tmp_path):
    from dataclasses import replace

    from publisher.readers import folder_files
    from publisher.readers.draft import Place, Prose
    from publisher.readers.frontmatter import split

    text = "Title: The Salt Road\n\nForeword\n\n" + ROPE + "\n\n" + chapters("Prologue") + \
        "PART ONE: LOW WATER\n\n*The sea keeps what it takes.*\n\n" + chapters("Chapter 1", "Chapter 2") + \
        "PART TWO\n\n" + chapters("Chapter 1") + chapters("Epilogue") + "Afterword\n\n" + ROPE + "\n"
    made = story_file(tmp_path, text)
    made = replace(made, epigraph=Prose("Salt in the wind,\nsalt in the bread.", Place("x")),
                   epigraph_source="A harbour song")
    files = folder_files(made)
    assert sorted(files) == [
        "back/01-afterword.md", "book.toml",
        "chapters/01-prologue.md",
        "chapters/02-part-one/01-chapter-1.md", "chapters/02-part-one/02-chapter-2.md", "chapters/02-part-one/_part.md",
        "chapters/03-part-two/01-chapter-1.md", "chapters/03-part-two/_part.md",
        "chapters/04-epilogue.md",
        "front/01-foreword.md"]
    part = split(files["chapters/02-part-one/_part.md"].decode(), "_part.md")
    assert part.fields == {"title": "Part One", "subtitle": "Low Water"}
    assert part.body.strip() == "*The sea keeps what it takes.*"
    assert split(files["chapters/03-part-two/_part.md"].decode(), "_part.md").fields == {"title": "Part Two"}
    chapter = split(files["chapters/02-part-one/02-chapter-2.md"].decode(), "02-chapter-2.md")
    assert chapter.fields == {"title": "Chapter 2"} and chapter.body.strip() == QUAY
    foreword = split(files["front/01-foreword.md"].decode(), "01-foreword.md")
    assert foreword.fields == {"kind": "foreword", "title": "Foreword"} and foreword.body.strip() == ROPE
    assert split(files["back/01-afterword.md"].decode(), "x").fields == {"kind": "afterword", "title": "Afterword"}
    toml = tomllib.loads(files["book.toml"].decode())
    assert (toml["title"], toml["numbering"]) == ("The Salt Road", "part")
    assert (toml["epigraph"], toml["epigraph_source"]) == ("Salt in the wind,\nsalt in the bread.", "A harbour song")
    assert 'epigraph = """' in files["book.toml"].decode()


def test_folder_files_nests_a_part_inside_its_part_after_its_chapters(tmp_path):
    from publisher.readers import folder_files

    text = "VOLUME I\n\nBOOK THE FIRST\n\n" + chapters("CHAPTER I", "CHAPTER II") + "BOOK THE SECOND\n\n" + \
        chapters("CHAPTER III") + "VOLUME II\n\n" + chapters("CHAPTER IV") + "BOOK THE THIRD\n\n" + chapters("CHAPTER V")
    files = folder_files(story_file(tmp_path, text))
    assert sorted(name for name in files if name.startswith("chapters/")) == [
        "chapters/01-volume-i/01-book-the-first/01-chapter-i.md",
        "chapters/01-volume-i/01-book-the-first/02-chapter-ii.md",
        "chapters/01-volume-i/01-book-the-first/_part.md",
        "chapters/01-volume-i/02-book-the-second/01-chapter-iii.md",
        "chapters/01-volume-i/02-book-the-second/_part.md",
        "chapters/01-volume-i/_part.md",
        "chapters/02-volume-ii/01-chapter-iv.md",
        "chapters/02-volume-ii/02-book-the-third/01-chapter-v.md",
        "chapters/02-volume-ii/02-book-the-third/_part.md",
        "chapters/02-volume-ii/_part.md"]
    assert "numbering" not in tomllib.loads(files["book.toml"].decode())


def test_import_counts_the_chapters_inside_parts(tmp_path):
    from publisher.commands.import_ import import_book

    source = tmp_path / "salt.txt"
    source.write_text("Title: Salt\n\nPART ONE\n\n" + chapters("Chapter 1", "Chapter 2") + "PART TWO\n\n" +
                      chapters("Chapter 1"), encoding="utf-8")
    made = import_book(source, tmp_path / "salt")
    assert made.chapters == 3
    assert (tmp_path / "salt" / "chapters" / "02-part-two" / "01-chapter-1.md").is_file()


def test_a_preface_after_opening_prose_stays_in_its_place():
    story = parse_story(f"{ROPE}\n\n" + chapters("Preface", "Chapter 1"))
    assert [c.title for c in story.chapters] == ["Chapter 1", "Preface", "Chapter 1"] and not story.front
    story = parse_story("Title: Salt\n\nSALT\n\n" + chapters("Preface", "Chapter 1"))  # the title again: no prose
    assert [k for k, _ in story.front] == ["preface"]


def test_a_text_that_is_only_a_preface_is_its_one_chapter(tmp_path):
    made = story_file(tmp_path, f"Title: Only a Preface\n\nPreface\n\n{QUAY}\n")
    assert outline(made) == ["Preface"] and not made.front_sections
    assert QUAY in made.chapters[0].body.text
