"""Glyph warnings check the theme's own book face, read from its print style sheet."""
from __future__ import annotations

import pytest

from publisher import BuildOptions, read, render, themes
from publisher.errors import Warnings
from publisher.fonts import missing_glyphs


def test_each_theme_names_its_book_face():
    assert themes.load("classic").book_face == "EB Garamond 12"
    assert themes.load("modern").book_face == "DejaVu Serif"  # its --serif comes first


@pytest.mark.parametrize("theme, warned", [("classic", True), ("modern", False)])
def test_a_character_only_dejavu_has_is_a_fallback_in_garamond_alone(theme, warned, tmp_path):
    story = tmp_path / "arrows.txt"
    story.write_text("Title: Arrows\nAuthor: Test\n\nChapter One\n\nThe sign pointed ↚ and then ↛.\n")
    manuscript = read(story)
    fallback, nowhere = missing_glyphs(manuscript, themes.load(theme).book_face)
    assert ("↚" in fallback) is warned and not nowhere
    warn = Warnings()
    render(manuscript, BuildOptions(formats=("pdf",), theme=theme, jobs=1), warn)
    assert any("fallback font" in message and "↚" in message for message in warn.messages) is warned, warn.messages
