"""No reading outside the book: every image reference resolves inside the book folder or fails."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import main


def book_with(tmp_path: Path, chapter: str) -> Path:
    folder = tmp_path / "book"
    (folder / "chapters").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "book.toml").write_text('title = "Safe"\n')
    (folder / "chapters" / "1.md").write_text(chapter)
    return folder


def build(folder: Path, out: Path):
    return CliRunner().invoke(main, ["build", str(folder), "-o", str(out)])


@pytest.mark.parametrize("reference, message", [
    ("../secret.png", "image '../secret.png' points outside the book folder"),
    ("images/../../secret.png", "image 'images/../../secret.png' points outside the book folder"),
    ("/etc/hostname.png", "image '/etc/hostname.png' is an absolute path; use a path inside the book folder"),
    ("file:///etc/passwd", "image 'file:///etc/passwd': file: references are not allowed; use a path inside the book"),
    ("https://example.com/x.png",
     "image 'https://example.com/x.png' is on the web; publisher never downloads: save it in images/"),
    ("http://127.0.0.1:9/x.png",
     "image 'http://127.0.0.1:9/x.png' is on the web; publisher never downloads: save it in images/"),
])
def test_references_that_leave_the_book_are_refused(tmp_path, reference, message):
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    folder = book_with(tmp_path, f"Text.\n\n![A picture]({reference})\n")
    result = build(folder, tmp_path / "out")
    assert result.exit_code == 1
    assert result.output == f"error: {folder}/chapters/1.md:3: {message}\n"
    assert not (tmp_path / "out").exists()


def test_a_symlink_that_leaves_the_book_is_refused(tmp_path):
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n")
    folder = book_with(tmp_path, "![A picture](images/link.png)\n")
    os.symlink(outside, folder / "images" / "link.png")
    result = build(folder, tmp_path / "out")
    assert result.exit_code == 1
    assert result.output == f"error: {folder}/chapters/1.md:1: image 'images/link.png' is a link that leaves the book folder\n"


def test_the_cover_is_held_to_the_same_rule(tmp_path):
    folder = book_with(tmp_path, "Text.\n")
    (folder / "book.toml").write_text('title = "Safe"\ncover = "../cover.png"\n')
    result = build(folder, tmp_path / "out")
    assert result.output == f"error: {folder}/book.toml:2: cover: image '../cover.png' points outside the book folder\n"


def test_the_pdf_writer_fetches_only_the_manuscript(tmp_path):
    """Even raw HTML that slipped an outside URL into the document gets nothing from WeasyPrint."""
    from publisher.writers.pdf.weasy import BASE_URL, manuscript_fetcher

    fetcher = manuscript_fetcher(_empty_manuscript().resources)
    for url in ("file:///etc/passwd", "https://example.com/", BASE_URL + "../etc/passwd", BASE_URL + "images/x.png"):
        with pytest.raises(ValueError, match="is not part of the book"):
            fetcher.fetch(url)


def _empty_manuscript():
    from publisher.manuscript import FrontMatter, Manuscript, Metadata

    return Manuscript(Metadata("T", "urn:x"), FrontMatter(), ())
