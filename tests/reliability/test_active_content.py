"""No active content: raw HTML is cut down to what an ebook may hold, and the author is told."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import assert_epubcheck_clean
from publisher.cli import main

HOSTILE = """Before.

<script>alert('x')</script>
<iframe src="https://example.com"></iframe>
<object data="x.swf"></object>
<form action="https://example.com"><input name="q"/><button>Go</button></form>
<p onclick="steal()" onmouseover="steal()">Hover <a href="javascript:steal()">here</a>.</p>
<style>body { background: url(https://example.com/track.png) }</style>

After.
"""


@pytest.fixture
def book(tmp_path: Path) -> Path:
    folder = tmp_path / "book"
    (folder / "chapters").mkdir(parents=True)
    (folder / "book.toml").write_text('title = "Hostile"\n')
    (folder / "chapters" / "1.md").write_text(HOSTILE)
    return folder


def test_active_content_is_removed_and_reported(book, tmp_path):
    result = CliRunner().invoke(main, ["build", str(book), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"warning: {book}/chapters/1.md:3: removed what an ebook may not contain: <button>, <form>, <iframe>, "
        "<input>, <object>, <script>, <style>, javascript: link, onclick=, onmouseover=")
    epub = tmp_path / "out" / "book.epub"
    chapter = zipfile.ZipFile(epub).read("EPUB/text/chapter-001.xhtml").decode()
    for word in ("script", "iframe", "object", "<form", "<input", "onclick", "onmouseover", "javascript:",
                 "steal", "example.com", "<style"):
        assert word not in chapter, word
    assert "Before." in chapter and "After." in chapter and "Hover" in chapter
    assert_epubcheck_clean(epub)


@pytest.mark.parametrize("svg, message", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "image 'images/a.svg' contains <script>, which ebooks may not run; remove it"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
     "image 'images/a.svg' has an event handler (onload); remove it"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     '<image xlink:href="https://example.com/x.png"/></svg>',
     "image 'images/a.svg' refers to 'https://example.com/x.png'; an SVG must be self-contained"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect', "image 'images/a.svg' is not valid SVG: "),
])
def test_svg_images_without_scripts(book, tmp_path, svg, message):
    (book / "images").mkdir()
    (book / "images" / "a.svg").write_text(svg)
    (book / "chapters" / "1.md").write_text("![A drawing](images/a.svg)\n")
    result = CliRunner().invoke(main, ["build", str(book), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {book}/chapters/1.md:1: {message}")
    assert len(result.output.splitlines()) == 1
