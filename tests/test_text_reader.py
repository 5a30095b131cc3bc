"""The plain-text reader: conventions one by one, encodings, and nothing lost (a property)."""
from __future__ import annotations

import codecs
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import assert_epubcheck_clean
from publisher import BuildOptions, build
from publisher.words import epub_text, in_order, missing, pdf_text, words
from publisher.readers.decode import read_text as decode
from publisher.readers.text import BODY, DROPPED, FRONT, LABEL, heading_of, is_scene_break, parse_story


@pytest.mark.parametrize("line, title", [
    ("Chapter One", "Chapter One"), ("Chapter 1", "Chapter 1"), ("Chapter 12: The Title", "Chapter 12: The Title"),
    ("CHAPTER XIV.", "Chapter XIV"), ("Chapter Twenty-Three", "Chapter Twenty-Three"), ("Part Two", "Part Two"),
    ("Prologue", "Prologue"), ("Epilogue", "Epilogue"), ("Interlude", "Interlude"),
    ("~ Chapter 3 ~", "Chapter 3"), ("-Chapter 3-", "Chapter 3"), ("Chapter 4 - Home", "Chapter 4: Home"),
    ("chapter five", "Chapter Five"), ("CHAPTER 7: THE LONG ROAD", "Chapter 7: The Long Road"),
])
def test_headings(line, title):
    assert heading_of(["", line, "", "Text."], 1) == (title, 1)


def test_heading_with_title_on_next_line():
    assert heading_of(["CHAPTER II.", "THE KEY", "", "A key."], 0) == ("Chapter II: The Key", 2)


@pytest.mark.parametrize("line", [
    "Chapter and verse, she could recite them all.", "Chapter 1 was the hardest to learn.",
    "Chapters are hard.", "Part of me wanted to stay.", "Prologue to a disaster, she thought, and went on.",
    "Chapter 3 ended, and she closed the book, sighing heavily, and then she slept again.",
])
def test_sentences_that_start_like_headings_are_prose(line):
    assert heading_of(["", line, ""], 1) is None


def test_heading_glued_to_a_paragraph_is_prose():
    assert heading_of(["", "Chapter One", "the rest of a sentence that", "goes on."], 1) is None


@pytest.mark.parametrize("line", ["* * *", "***", "~~~", "---", "###", "o0o", "xXx", "-x-", "+", "~*~*~", "=====",
                                  "  *  *  *  ", "-o0o-"])
def test_scene_breaks(line):
    assert is_scene_break(line)


@pytest.mark.parametrize("line", ["...", "x", "I", "A.", "—Hello", "…", "2 + 2"])
def test_not_scene_breaks(line):
    assert not is_scene_break(line)


def story(text: str):
    return parse_story(text)


def test_summary_first_then_heading_then_disclaimer_and_notes():
    parsed = story("Summary: A short one.\n\nChapter One\n\nDisclaimer: Not mine.\n\nA/N: Hello!\n\nProse.\n\n"
                   "A/N: Bye!\n\nChapter Two\n\nDisclaimer: Not mine.\n\nMore prose.\n")
    assert parsed.header == {"summary": "A short one.", "disclaimer": "Not mine."}
    one, two = parsed.chapters
    assert (one.title, one.notes, one.end_notes, one.blocks) == ("Chapter One", ["Hello!"], ["Bye!"], ["Prose."])
    assert (two.title, two.blocks) == ("Chapter Two", ["More prose."])


def test_different_disclaimers_are_all_kept():
    parsed = story("Chapter 1\n\nDisclaimer: One.\n\nText.\n\nChapter 2\n\nDisclaimer: Two.\n\nText.\n")
    assert parsed.header["disclaimer"] == "One.\n\nTwo."


def test_full_header_block_with_run_on_values_and_unknown_labels():
    parsed = story("Title: The Bridge\nAuthor: Jo Doe\nFandom: Starfall Academy\nRated: T\nPairing: A/B, C/D\n"
                   "Characters: A, B\nWarnings: None\nCategory: Gen\nGenre: Drama\nStatus: Complete\nWords: 900\n"
                   "Summary: Two friends\nand a bridge.\nDisclaimer: Mine.\nSpoilers: none\nFeedback: yes please\n"
                   "Archive: ask\nDedication: For Sam.\nBeta: Thanks, Kim!\n\nChapter 1\n\nText.\n")
    header = parsed.header
    assert header["title"] == "The Bridge" and header["author"] == "Jo Doe"
    assert header["summary"] == "Two friends and a bridge."
    assert header["note:Beta"] == "Thanks, Kim!" and header["note:Spoilers"] == "none"
    assert header["tags"] == "Gen\n\nDrama" and header["rating"] == "T"
    assert "words" not in header


def test_first_line_of_prose_is_not_a_label():
    parsed = story("Morning: the sun rose over the hills.\n\nShe woke.\n")
    assert parsed.header == {}
    assert parsed.chapters[0].blocks[0].startswith("Morning: the sun")


def test_by_line_is_the_author():
    assert story("Title: X\nBy Jo Doe\n\nText.\n").header["author"] == "Jo Doe"


@pytest.mark.parametrize("data, encoding", [
    ("Title: Café\n\ndon’t “stop” — now…\n".encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + "Title: Café\n\ndon’t “stop” — now…\n".encode("utf-8"), "utf-8-sig"),
    (codecs.BOM_UTF16_LE + "Title: Café\n\ndon’t “stop” — now…\n".encode("utf-16-le"), "utf-16"),
    ("Title: Café\r\n\r\ndon’t “stop” — now…\r\n".encode("cp1252"), "cp1252"),
    ("Title: Café\r\rdon’t “stop” — now…\r".encode("cp1252"), "cp1252 CR"),
    ("Title: Café\n\nna\u00efve \u00e0 la mode\n".encode("latin-1"), "latin-1"),
])
def test_encodings_and_line_endings(tmp_path, data, encoding):
    path = tmp_path / "s.txt"
    path.write_bytes(data)
    text = decode(path)
    assert "\r" not in text and text.startswith("Title: Café\n\n")
    assert "â€" not in text and "Ã" not in text


def test_binary_file_is_refused(tmp_path):
    from publisher.errors import PublisherError

    path = tmp_path / "s.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(PublisherError, match="binary file"):
        decode(path)


def test_hard_wrapped_text_is_unwrapped_and_verse_kept():
    prose = ("It was the kind of morning when the whole town seemed to hold its breath, and\n"
             "the river ran slow and brown under the old stone bridge that nobody crossed.\n")
    text = "Chapter 1\n\n" + (prose + "\n") * 6 + "Roses are red,\nViolets are blue,\nSugar is sweet.\n\n" + prose
    parsed = story(text)
    blocks = parsed.chapters[0].blocks
    assert blocks[0] == " ".join(prose.split())
    assert blocks[6] == "Roses are red,  \nViolets are blue,  \nSugar is sweet.\n{: .verse }"


def test_indented_paragraphs_in_wrapped_text():
    line = "word " * 14
    text = "\n".join(["    " + line] + [line] * 3 + ["    " + line] + [line] * 3) + "\n"
    assert len(story(text).chapters[0].blocks) == 2


# -------------------------------------------------------------- nothing lost, as a property

WORD = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x2FFF),
               min_size=1, max_size=9)
PUNCT = st.sampled_from(["", ",", ".", "!", "?", "…", ";", " &", " <", " >", " *", " _", " #", " [", "]", " --",
                         '"', "'"])
SENTENCE = st.lists(st.tuples(WORD, PUNCT).map("".join), min_size=1, max_size=14).map(" ".join)
PARAGRAPH = st.one_of(SENTENCE, SENTENCE.map(lambda s: f"*{s}*"), SENTENCE.map(lambda s: f"<i>{s}</i>"),
                      st.sampled_from(["* * *", "o0o", "~~~"]), SENTENCE.map(lambda s: f"A/N: {s}"))
CHAPTER = st.tuples(st.sampled_from(["Chapter One", "Chapter 2", "CHAPTER III.", "~ Chapter 4 ~", "Prologue", ""]),
                    st.lists(PARAGRAPH, min_size=1, max_size=6))
STORY = st.tuples(st.one_of(st.just(""), SENTENCE.map(lambda s: f"Summary: {s}\n\n")),
                  st.one_of(st.just(""), SENTENCE.map(lambda s: f"Disclaimer: {s}\n\n")),
                  st.lists(CHAPTER, min_size=1, max_size=3))


def render_story(parts) -> str:
    summary, disclaimer, chapters = parts
    out = [summary]
    for number, (heading, paragraphs) in enumerate(chapters):
        if heading:
            out.append(heading + "\n\n")
        if number == 0:
            out.append(disclaimer)
        out += [p + "\n\n" for p in paragraphs]
    return "".join(out)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(STORY)
def test_every_word_of_a_story_is_in_the_trace_and_the_epub(tmp_path_factory, parts):
    text = render_story(parts)
    parsed = parse_story(text)
    # The trace accounts for every word of the source, once.
    traced = words(parsed.trace.text(BODY, FRONT, LABEL))
    assert Counter(traced) == Counter(words(text))
    folder = tmp_path_factory.mktemp("story")
    source = folder / "story.txt"
    source.write_text(text, encoding="utf-8")
    out = build(source, folder / "out", BuildOptions(formats=("epub",)))[0].path
    found = words(epub_text(out))
    body, front = words(parsed.trace.text(BODY)), words(parsed.trace.text(FRONT))
    assert not missing(body + front, found)
    assert in_order(body, found)


def test_samples_lose_no_word_in_epub_or_pdf(built):
    from conftest import STORIES

    assert len(STORIES) >= 3
    for path in STORIES:
        outputs = built(path)
        assert_epubcheck_clean(outputs["epub"])
        parsed = parse_story(decode(path))
        body, front = words(parsed.trace.text(BODY)), words(parsed.trace.text(FRONT))
        for extract in (epub_text(outputs["epub"]), pdf_text(outputs["pdf"])):
            found = words(extract)
            assert not missing(body + front, found), path
            assert in_order(body, found), path


def test_a_gutenberg_file_is_read_between_its_markers(tmp_path):
    from publisher import draft, read

    source = Path(__file__).parent / "fixtures" / "gutenberg-style.txt"
    made = draft(source)
    meta = made.metadata
    assert (meta.title, meta.authors, meta.language, meta.source) == (
        "The Glass Orchard", ("Wren Hollis",), "en", "Project Gutenberg eBook #64123")
    assert [label for label, _ in made.notes] == ["Translator", "Credits"]
    manuscript = read(source)
    assert [c.title for c in manuscript.chapters] == ["Chapter I", "Chapter II"]
    text = " ".join(c.body_html for c in manuscript.chapters)
    assert "LICENSE" not in text and "START OF" not in text and "use of anyone anywhere" not in text
    assert "small green coins" in text and "being thirsty" in text
    dropped = made.trace.text("dropped")
    assert "THE FULL PROJECT GUTENBERG LICENSE" in dropped and "*** START OF THE PROJECT" in dropped
    assert "no cost and with almost no restrictions" in dropped


# ---------------------------------------------------------------- every common heading form


def chapter_titles(text: str) -> list[str]:
    return [chapter.title for chapter in parse_story(text).chapters]


PARAGRAPH = "She walked the length of the quay and counted the boats, as she did every evening."


@pytest.mark.parametrize("heads, titles", [
    (["I", "II", "III"], ["I", "II", "III"]),
    (["I.", "II.", "III."], ["I", "II", "III"]),
    (["      I", "      II"], ["I", "II"]),  # centred by leading spaces
    (["1.", "2.", "3."], ["1", "2", "3"]),
    (["CHAPTER I", "CHAPTER II"], ["Chapter I", "Chapter II"]),
    (["Chapter 1, Xenos on Cinnabar", "Chapter 2, The Long Orbit"],
     ["Chapter 1: Xenos on Cinnabar", "Chapter 2: The Long Orbit"]),
    (["CHAPITRE PREMIER", "CHAPITRE DEUXIÈME"], ["Chapitre Premier", "Chapitre Deuxième"]),
    (["Erstes Kapitel", "Zweites Kapitel"], ["Erstes Kapitel", "Zweites Kapitel"]),
    (["Capítulo primero", "Capítulo 2"], ["Capítulo Primero", "Capítulo 2"]),
    (["Kapitel 1", "Kapitel 2"], ["Kapitel 1", "Kapitel 2"]),
    (["THE FIRST ACT", "THE SECOND ACT"], ["The First Act", "The Second Act"]),
    (["ACT I", "ACT II"], ["Act I", "Act II"]),
    (["CHAP. I.", "CHAP. II."], ["Chap. I", "Chap. II"]),
])
def test_heading_forms_make_chapters(heads, titles):
    text = "\n\n".join(f"{head}\n\n{PARAGRAPH}" for head in heads) + "\n"
    assert chapter_titles(text) == titles


def test_roman_numeral_with_a_title_in_capitals_on_the_next_line():
    text = "I\nUN ÉCUEIL FUYANT\n\nL'année 1866 fut marquée.\n\nII\nLE POUR ET LE CONTRE\n\nÀ l'époque.\n"
    assert chapter_titles(text) == ["I: Un Écueil Fuyant", "II: Le Pour et le Contre"]


def test_a_title_in_capitals_after_a_blank_line():
    text = f"CHAPTER I\n\nDICKENS AS A MUSICIAN\n\n{PARAGRAPH}\n\nCHAPTER II\n\nTHE LAST SONG\n\n{PARAGRAPH}\n"
    assert chapter_titles(text) == ["Chapter I: Dickens as a Musician", "Chapter II: The Last Song"]


def test_scenes_stay_inside_their_act():
    text = f"ACT I\n\nSCENE I. A quay.\n\n{PARAGRAPH}\n\nSCENE II. A boat.\n\n{PARAGRAPH}\n\nACT II\n\nSCENE I.\n\n{PARAGRAPH}\n"
    story = parse_story(text)
    assert [c.title for c in story.chapters] == ["Act I", "Act II"]
    assert story.chapters[0].blocks[0] == "### SCENE I. A quay." and story.chapters[0].blocks[2] == "### SCENE II. A boat."


@pytest.mark.parametrize("prose", [
    "I. was tired, she wrote, and then she crossed it out.",
    "I\n\nwent down to the water.",  # a one-letter line, once: prose
    "1. Take the boat.\n2. Row to the island.",  # a list
])
def test_numerals_in_prose_stay_prose(prose):
    text = f"Chapter 1\n\n{PARAGRAPH}\n\n{prose}\n\n{PARAGRAPH}\n"
    assert chapter_titles(text) == ["Chapter 1"]


def test_a_list_item_named_like_a_heading_inside_a_chapter_stays_prose():
    text = f"Chapter 1\n\n{PARAGRAPH}\n\nI. Introduction\nII. Method\n\n{PARAGRAPH}\n\nChapter 2\n\n{PARAGRAPH}\n"
    assert chapter_titles(text) == ["Chapter 1", "Chapter 2"]


def test_a_contents_list_at_the_top_is_dropped_into_the_trace():
    contents = "CONTENTS\n\nCHAPTER I. The Quay\nCHAPTER II. The Boats\nCHAPTER III. The Island\n\n"
    body = "".join(f"CHAPTER {n}. {t}\n\n{PARAGRAPH}\n\n" for n, t in
                   (("I", "The Quay"), ("II", "The Boats"), ("III", "The Island")))
    story = parse_story(contents + body)
    assert [c.title for c in story.chapters] == ["Chapter I: The Quay", "Chapter II: The Boats",
                                                 "Chapter III: The Island"]
    assert "CHAPTER II. The Boats" in story.trace.text(DROPPED)


def test_a_contents_list_of_separate_headings_is_dropped():
    contents = "TABLE OF CONTENTS\n\nChapter 1, The Quay\n\nChapter 2, The Boats\n\n"
    body = f"Chapter 1, The Quay\n\n{PARAGRAPH}\n\nChapter 2, The Boats\n\n{PARAGRAPH}\n"
    story = parse_story(contents + body)
    assert [c.title for c in story.chapters] == ["Chapter 1: The Quay", "Chapter 2: The Boats"]
    assert all(c.blocks for c in story.chapters)


from hypothesis import given, settings, strategies as st  # noqa: E402

WORDS = st.sampled_from(["quay", "boat", "river", "night", "lamp", "she", "rowed", "the", "and", "slowly"])
SENTENCE = st.lists(WORDS, min_size=4, max_size=14).map(lambda w: " ".join(w).capitalize() + ".")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=5),
       st.integers(2, 6), st.booleans())
def test_numbered_chapters_are_found_and_nothing_else(paragraphs, count, roman):
    """n chapters headed by bare numerals give n chapters, whatever the prose in them."""
    numerals = ["I", "II", "III", "IV", "V", "VI"] if roman else [f"{n}." for n in range(1, 7)]
    text = "\n\n".join(f"{numerals[n]}\n\n" + "\n\n".join(paragraphs) for n in range(count)) + "\n"
    assert len(parse_story(text).chapters) == count


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(SENTENCE, st.sampled_from(["I.", "II.", "IV", "I", "3.", "I. was here."])),
                min_size=1, max_size=12))
def test_numerals_out_of_sequence_never_split_a_story(paragraphs):
    """A story with no heading is one chapter, whatever stray numerals stand in it (never 1, 2, 3…)."""
    text = "\n\n".join(p for p in paragraphs) + "\n"
    values = [p.rstrip(".") for p in paragraphs if p.rstrip(".") in ("I", "II", "IV", "3")]
    if "I" in values and ("II" in values[values.index("I"):]):
        return  # I then II: that is a sequence
    assert len(parse_story(text).chapters) == 1


def test_author_notes_before_the_end_mark_are_end_notes():
    story = parse_story(f"Chapter 1\n\n{PARAGRAPH}\n\nA/N: Thank you for reading!\n\nTHE END\n")
    chapter = story.chapters[0]
    assert chapter.end_notes == ["Thank you for reading!"]
    assert chapter.blocks[-1] == "THE END\n{: .end-mark }"
