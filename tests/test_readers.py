"""Readers hand over typed drafts: overrides apply to every kind, languages are read, drafts round-trip."""
from __future__ import annotations

import shutil
import zipfile

import pytest
from click.testing import CliRunner

from conftest import SAMPLE, STORIES, assert_epubcheck_clean
from publisher import BookDraft, Overrides, assemble, draft, read
from publisher.cli import main
from publisher.readers import folder_files, source_kind
from publisher.readers.text import language_tag


def test_every_reader_returns_a_draft_and_takes_overrides(tmp_path):
    story = tmp_path / "story.md"
    story.write_text("Title: Own\n\n# One\n\nText.\n")
    for source in (SAMPLE, STORIES[0], story):
        made = draft(source, Overrides(title="Given", author="A. N. Other", language="de"))
        assert isinstance(made, BookDraft)
        assert (made.metadata.title, made.metadata.authors, made.metadata.language) == \
            ("Given", ("A. N. Other",), "de")
        assert assemble(made).metadata.title == "Given"


def test_build_folder_with_title_override_titles_the_book(tmp_path):
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(tmp_path), "-f", "epub", "--title", "X"])
    assert result.exit_code == 0, result.output
    opf = zipfile.ZipFile(tmp_path / "the-lamplighters-daughter.epub").read("EPUB/content.opf").decode()
    assert "<dc:title>X</dc:title>" in opf


def test_book_toml_stands_for_its_folder(tmp_path):
    assert source_kind(SAMPLE / "book.toml") == "folder"
    assert read(SAMPLE / "book.toml").metadata == read(SAMPLE).metadata


@pytest.mark.parametrize("value, tag", [("French", "fr"), ("Français", "fr"), ("Deutsch", "de"),
                                        ("Español", "es"), ("pt-BR", "pt-BR"), ("en", "en"), ("Klingon", None),
                                        ("The", None)])
def test_language_names_and_tags(value, tag):
    assert language_tag(value) == tag


def test_a_french_story_gets_french_quotes_and_its_language(tmp_path):
    story = tmp_path / "histoire.txt"
    story.write_text('Title: La Lampe\nLanguage: Français\n\nChapter 1\n\n"Bonjour," dit-elle. "Vraiment ?"\n',
                     encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(story), "-o", str(tmp_path / "out"), "-f", "epub"])
    assert result.exit_code == 0, result.output
    epub = tmp_path / "out" / "histoire.epub"
    chapter = zipfile.ZipFile(epub).read("EPUB/text/chapter-001.xhtml").decode()
    assert 'xml:lang="fr"' in chapter
    assert "«\u202fBonjour,\u202f» dit-elle. «\u202fVraiment\u202f?\u202f»" in chapter
    assert_epubcheck_clean(epub)


def test_a_story_without_a_language_line_says_so_in_its_trace_and_is_english():
    made = draft(STORIES[0])
    assert made.metadata.language == "en"
    assert "no Language: line" in made.trace.text("note")


def test_an_unknown_language_name_warns_and_falls_back(tmp_path):
    from publisher.errors import Warnings

    story = tmp_path / "s.txt"
    story.write_text("Title: T\nLanguage: Elvish\n\nChapter 1\n\nText.\n")
    warn = Warnings()
    assert draft(story, warn=warn).metadata.language == "en"
    assert warn.messages == [f"{story}: language 'Elvish' not recognised; setting the book in English "
                             f"(set it with --language)"]


@pytest.mark.parametrize("source", [SAMPLE, *STORIES], ids=lambda p: p.name)
def test_a_draft_written_as_a_folder_reads_back_as_the_same_book(source, tmp_path):
    made = draft(source)
    for name, data in folder_files(made).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    if source.is_dir() and (source / "images").is_dir():
        shutil.copytree(source / "images", tmp_path / "images")
    direct, again = assemble(made), read(tmp_path)
    assert again.metadata == direct.metadata and again.front_matter == direct.front_matter
    assert [(c.title, c.body_html, c.summary_html, c.notes_html, c.end_notes_html) for c in again.chapters] == \
        [(c.title, c.body_html, c.summary_html, c.notes_html, c.end_notes_html) for c in direct.chapters]


def test_a_single_markdown_file_reports_real_line_numbers(tmp_path):
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: T\n---\n\n# One\n\nText.\n\n# Two\n\nMore.\n\n![](missing.png)\n")
    result = CliRunner().invoke(main, ["check", str(story)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == f"error: {story}:13: image 'missing.png' not found"


def test_markdown_from_other_tools(tmp_path):
    """pandoc's habits: a title block, heading attributes, nested fences, site-relative links, a
    repeated id, footnotes defined out of order."""
    story = tmp_path / "manual.md"
    story.write_text(
        "% The Manual\n% Ann Ode; Ben Ode\n% 2024\n\n"
        "# Chapter 1 {#one .recto}\n\n"
        "See [the site](/url) and [the web](https://example.org).\n\n"
        "````markdown\n```\n![img](myimage.png)\n<script>alert(1)</script>\n```\n````\n\n"
        '<p id="x">One</p>\n\n<p id="x">Two</p>\n\n'
        "A reference,[^b] and another.[^a]\n\n[^a]: Defined first.\n[^b]: Defined second.\n\n"
        "# Chapter 2 {.unnumbered}\n\nMore.\n")
    result = CliRunner().invoke(main, ["build", str(story), "-o", str(tmp_path / "out"), "-f", "epub"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"warning: {story}:7: link '/url' points to nothing in the book: kept as text"
    manuscript = read(story)
    assert (manuscript.metadata.title, manuscript.metadata.authors) == ("The Manual", ("Ann Ode", "Ben Ode"))
    assert [c.title for c in manuscript.chapters] == ["Chapter 1", "Chapter 2"]
    body = manuscript.chapters[0].body_html
    assert "&lt;script&gt;" in body and "<pre>" in body and 'href="/url"' not in body
    assert 'id="x"' in body and 'id="x-2"' in body
    assert body.index("Defined second.") < body.index("Defined first.")  # numbered as the reader meets them
    assert ">1</a></sup> and another" in body
    assert_epubcheck_clean(tmp_path / "out" / "manual.epub")
