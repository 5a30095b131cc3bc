"""Fuzzing: random Unicode stories and Markdown through import and build: no crash, a valid EPUB,
every word present."""
from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from conftest import assert_epubcheck_clean
from publisher import BuildOptions, build
from publisher.words import epub_text, in_order, missing, words
from publisher.errors import Warnings
from publisher.errors import ManuscriptError
from publisher.readers.decode import clean, looks_binary
from publisher.readers.text import BODY, FRONT, LABEL, parse_story

SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))

# Any Unicode but surrogates (a file cannot hold them); control characters included.
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=400)
LINES = st.lists(st.one_of(ANY_TEXT, st.sampled_from(["", "", "Chapter 2", "* * *", "A/N: note", "Summary: s",
                                                      "Disclaimer: d", "<i>x</i>", "Title: T"])),
                 min_size=1, max_size=25).map("\n".join)


@SETTINGS
@given(LINES)
@example("\x00")
@example("A story with a stray \x00 NUL in it, and enough words around it to be plainly text.")
def test_random_unicode_stories(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("fuzz")
    story = folder / "story.txt"
    story.write_text(text, encoding="utf-8")
    cleaned = clean(text, "story.txt", Warnings())
    parsed = parse_story(cleaned)
    assert Counter(words(parsed.trace.text(BODY, FRONT, LABEL))) == Counter(words(cleaned.lstrip("\ufeff")))
    if looks_binary(text.encode("utf-8")):  # mostly control characters: refused as a binary file
        with pytest.raises(ManuscriptError, match="this is a binary file, not a text story"):
            build(story, folder / "out", BuildOptions(formats=("epub",)), Warnings())
        return
    out = build(story, folder / "out", BuildOptions(formats=("epub",)), Warnings())[0].path
    assert_epubcheck_clean(out)
    found = words(epub_text(out))
    body, front = words(parsed.trace.text(BODY)), words(parsed.trace.text(FRONT))
    assert not missing(body + front, found)
    assert in_order(body, found)


WORD = st.text(alphabet=st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=10)
SENTENCE = st.lists(WORD, min_size=1, max_size=12).map(" ".join)
BLOCK = st.one_of(
    SENTENCE, SENTENCE.map(lambda s: f"*{s}*"), SENTENCE.map(lambda s: f"**{s}**"),
    SENTENCE.map(lambda s: f"> {s}"), st.lists(SENTENCE, min_size=1, max_size=4).map(
        lambda items: "\n".join(f"- {item}" for item in items)),
    st.just("* * *"), SENTENCE.map(lambda s: f"## {s}"), SENTENCE.map(lambda s: f"{s}[^n]\n\n[^n]: {s}"),
)
MARKDOWN = st.lists(st.tuples(SENTENCE, st.lists(BLOCK, min_size=1, max_size=6)), min_size=1, max_size=3)


@SETTINGS
@given(MARKDOWN)
def test_random_markdown_books(tmp_path_factory, chapters):
    folder = tmp_path_factory.mktemp("md")
    (folder / "chapters").mkdir()
    (folder / "book.toml").write_text('title = "Fuzz"\n')
    expected = []
    for number, (title, blocks) in enumerate(chapters, 1):
        body = "\n\n".join(block.replace("[^n]", f"[^n{i}]") for i, block in enumerate(blocks))
        (folder / "chapters" / f"{number}.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
        expected += words(title) + words(re.sub(r"\[\^n\d+\]:?", " ", body))
    out = build(folder, folder / "out", BuildOptions(formats=("epub",)))[0].path
    assert_epubcheck_clean(out)
    found = words(epub_text(out))
    assert not missing(expected, found)


# HTML as archives and word processors write it: nested inline and block markup, entities, runs of
# <br/>, spacer paragraphs, centred dividers, <font> and <center>, inline styles, Word's classes.
INLINE = st.recursive(
    SENTENCE.map(lambda s: s.replace("&", "&amp;")),
    lambda inner: st.one_of(
        inner.map(lambda s: f"<em>{s}</em>"), inner.map(lambda s: f"<b>{s}</b>"),
        inner.map(lambda s: f'<span style="font-style: italic">{s}</span>'),
        inner.map(lambda s: f'<font face="Arial" size="3">{s}</font>'), inner.map(lambda s: f"{s} &amp; {s}"),
        st.tuples(inner, inner).map(lambda pair: f"{pair[0]}<br/><br/><br/>{pair[1]}"),
        inner.map(lambda s: f'<span class="MsoNormal">{s}&nbsp;&#8212;&nbsp;{s}</span>')),
    max_leaves=6)
HTML_BLOCK = st.one_of(
    INLINE.map(lambda s: f"<p>{s}</p>"), INLINE.map(lambda s: f'<p align="center">{s}</p>'),
    INLINE.map(lambda s: f"<div><div><p>{s}</p></div></div>"), INLINE.map(lambda s: f"<center>{s}</center>"),
    INLINE.map(lambda s: f"<blockquote><p>{s}</p></blockquote>"), st.just("<p>&nbsp;</p>"),
    st.just('<p align="center">~*~</p>'), st.just("<hr/>"),
    st.tuples(INLINE, INLINE).map(lambda pair: f"<table><tr><td>{pair[0]}</td><td>{pair[1]}</td></tr></table>"),
)


@SETTINGS
@given(st.lists(st.tuples(SENTENCE, st.lists(HTML_BLOCK, min_size=0, max_size=5).flatmap(
    lambda blocks: INLINE.map(lambda first: [f"<p>{first}</p>", *blocks]))), min_size=1, max_size=3))
def test_random_html_loses_no_word(tmp_path_factory, chapters):
    from lxml import html as lxml_html

    folder = tmp_path_factory.mktemp("html")
    page = "".join(f"<h1>{title}</h1>" + "".join(blocks) for title, blocks in chapters)
    source = folder / "story.html"
    source.write_text(f"<html><head><title>Fuzz</title></head><body>{page}</body></html>", encoding="utf-8")
    expected = words(" ".join(lxml_html.fromstring(f"<div>{page}</div>").itertext()))
    out = build(source, folder / "out", BuildOptions(formats=("epub",)))[0].path
    assert_epubcheck_clean(out)
    found = words(epub_text(out))
    assert not missing(expected, found)
    assert in_order(expected, found)
