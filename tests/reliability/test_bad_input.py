"""Bad or strange input: one line naming the file (and line) with exit 1, or success with a warning."""
from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import assert_epubcheck_clean
from publisher.cli import main


def folder_book(tmp_path: Path, chapters: dict[str, str | bytes], toml: str = 'title = "Odd"\n') -> Path:
    folder = tmp_path / "book"
    (folder / "chapters").mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    (folder / "book.toml").write_text(toml)
    for name, text in chapters.items():
        path = folder / "chapters" / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("toml, message", [
    ('title = "Odd\nauthor = "x"\n', "book.toml:1: invalid TOML, column 13: Illegal character '\\n'"),
    ('title = "Odd"\n[story\n', "book.toml:2: invalid TOML, column 7: Expected ']' at the end of a table declaration"),
    ('title = "Odd"\ndedicaton = "x"\n', "book.toml:2: unknown key 'dedicaton' (did you mean 'dedication'?)"),
    ('subtitle = "No title"\n', 'book.toml: the book has no title: add  title = "..."'),
])
def test_book_toml_problems(tmp_path, toml, message):
    folder = folder_book(tmp_path, {"1.md": "Text.\n"}, toml)
    result = run("build", folder, "-o", tmp_path / "out")
    assert (result.exit_code, result.output) == (1, f"error: {folder}/{message}\n")


def test_empty_book(tmp_path):
    folder = folder_book(tmp_path, {})
    result = run("build", folder, "-o", tmp_path / "out")
    assert (result.exit_code, result.output) == (
        1, f"error: {folder}/book.toml: the book has no chapters: add Markdown files to chapters/\n")


@pytest.mark.parametrize("name, data, message", [
    ("a.png", b"\x89PNG\r\n\x1a\nthis is not a png at all", "image 'images/a.png' is corrupt or cut short: open it and save it again"),
    ("a.png", b"GIF89a not a png", "image 'images/a.png' is not a valid PNG file"),
    ("a.jpg", png_bytes(), "image 'images/a.jpg' is not a valid JPEG file"),
    ("a.bmp", b"BM....", "image 'images/a.bmp' has an unsupported type; use gif, jpeg, jpg, png, svg, webp"),
    ("a.png", None, "image 'images/a.png' not found"),
])
def test_image_problems(tmp_path, name, data, message):
    folder = folder_book(tmp_path, {"1.md": f"Text.\n\n![An image](images/{name})\n"})
    if data is not None:
        (folder / "images" / name).write_bytes(data)
    result = run("build", folder, "-o", tmp_path / "out")
    assert (result.exit_code, result.output) == (1, f"error: {folder}/chapters/1.md:3: {message}\n")


def test_every_problem_at_once(tmp_path):
    """A Latin-1 chapter is read (with a warning), and a binary chapter, a missing image and a bad
    front-matter field are all reported in the same run."""
    folder = folder_book(tmp_path, {"1.md": "![](images/x.png)\n", "2.md": "Caf\u00e9 cr\u00e8me.\n".encode("latin-1"),
                                    "3.md": png_bytes(), "4.md": "---\ntitel: Four\n---\nFine.\n"})
    result = run("check", folder)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"warning: {folder}/chapters/2.md:1: not UTF-8: read as Windows-1252 (Latin-1); save the file as UTF-8 "
        "to be sure",
        f"error: {folder}/chapters/3.md: this is a binary file, not text",
        f"error: {folder}/chapters/4.md:2: unknown chapter field 'titel' (did you mean 'title'?)",
        f"error: {folder}/chapters/1.md:1: image 'images/x.png' has no alt text: describe it in ![...]",
        f"error: {folder}/chapters/1.md:1: image 'images/x.png' not found"]
    (folder / "chapters" / "3.md").unlink()
    (folder / "chapters" / "4.md").unlink()
    (folder / "images" / "x.png").write_bytes(png_bytes())
    (folder / "chapters" / "1.md").write_text("![A red square](images/x.png)\n")
    result = run("build", folder, "-o", tmp_path / "out", "-f", "epub")
    assert result.exit_code == 0, result.output
    assert "Café crème" in zipfile.ZipFile(tmp_path / "out" / "book.epub").read("EPUB/text/chapter-002.xhtml").decode()


def test_control_and_invalid_xml_characters_are_removed_with_a_warning(tmp_path):
    folder = folder_book(tmp_path, {"1.md": "Bell\x07 and form\x0c feed and \ufffe non-character.\n"})
    result = run("build", folder, "-o", tmp_path / "out", "-f", "epub")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == (
        f"warning: {folder}/chapters/1.md:1: removed 3 control character(s) that cannot appear in a book")
    assert_epubcheck_clean(tmp_path / "out" / "book.epub")


def test_binary_file_given_as_a_story(tmp_path):
    story = tmp_path / "story.txt"
    story.write_bytes(png_bytes())
    result = run("build", story, "-o", tmp_path / "out")
    assert (result.exit_code, result.output) == (1, f"error: {story}: this is a binary file, not a text story\n")


def test_unknown_source_kind(tmp_path):
    source = tmp_path / "story.odt"
    source.write_bytes(b"PK")
    result = run("build", source)
    assert (result.exit_code, result.output) == (
        1, f"error: {source}: not a book folder, .txt story, .md file, .html download, .epub or .docx\n")


def test_a_paragraph_of_100000_words_builds(tmp_path):
    words = " ".join(["lamp", "river", "stone", "night", "quiet"] * 20_000)
    story = tmp_path / "long.txt"
    story.write_text(f"Title: Long\n\n{words}\n")
    done = subprocess.run([sys.executable, "-m", "publisher", "build", str(story), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    text = subprocess.run(["pdftotext", str(tmp_path / "out" / "long.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert len(re.findall(r"\b(?:lamp|river|stone|night|quiet)\b", text)) >= 99_000  # hyphenation splits a few


def test_10000_chapters(tmp_path):
    story = tmp_path / "many.txt"
    story.write_text("Title: Many\n\n" + "".join(f"Chapter {n}\n\nText of chapter {n}.\n\n" for n in range(1, 10_001)))
    done = subprocess.run([sys.executable, "-m", "publisher", "build", str(story), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr == ("error: many: 10,000 chapters are more than one printed volume holds (at most 2,000): "
                           "build the EPUB with --format epub, or split the book\n")
    done = subprocess.run([sys.executable, "-m", "publisher", "build", str(story), "-o", str(tmp_path / "out"),
                           "-f", "epub", "-q"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    names = zipfile.ZipFile(tmp_path / "out" / "many.epub").namelist()
    assert "EPUB/text/chapter-10000.xhtml" in names


def test_a_word_longer_than_the_line_wraps_inside_the_page(tmp_path):
    url = "https://example.com/" + "a" * 200 + "/" + "b" * 120
    folder = folder_book(tmp_path, {"1.md": f"See {url} for more.\n"})
    result = run("build", folder, "-o", tmp_path / "out", "-f", "pdf")
    assert result.exit_code == 0
    xml = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "out" / "book.pdf"), "-"], capture_output=True,
                         text=True).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', xml)[1])
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', xml)]
    assert max(right_edges) <= page_width - 0.4 * 72  # inside the outside margin
    squeezed = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(tmp_path / "out" / "book.pdf"), "-"],
                                                 capture_output=True, text=True).stdout)
    assert "a" * 200 in squeezed.replace("\u2010", "")


def test_characters_the_book_face_lacks_are_listed(tmp_path):
    folder = folder_book(tmp_path, {"1.md": "Greek αβγ, Hebrew שלום, CJK 漢字, and a rune ᚠ.\n"})
    result = run("build", folder, "-o", tmp_path / "out", "-f", "pdf")
    assert result.exit_code == 0
    warning = next(line for line in result.output.splitlines() if "fallback font" in line)
    for char in "שלום漢字":
        assert char in warning
    fonts = subprocess.run(["pdffonts", str(tmp_path / "out" / "book.pdf")], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts or "Micro-Hei" in fonts or "MicroHei" in fonts


def test_right_to_left_book(tmp_path):
    folder = folder_book(tmp_path, {"1.md": "# פרק ראשון\n\nשלום עולם. זה ספר קטן.\n"},
                         'title = "ספר"\nlanguage = "he"\n')
    result = run("build", folder, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    epub = zipfile.ZipFile(tmp_path / "out" / "book.epub")
    assert b'page-progression-direction="rtl"' in epub.read("EPUB/content.opf")
    assert b'dir="rtl"' in epub.read("EPUB/text/chapter-001.xhtml")
    assert_epubcheck_clean(tmp_path / "out" / "book.epub")
    text = subprocess.run(["pdftotext", str(tmp_path / "out" / "book.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert "שלום" in text


def test_a_missing_image_after_a_footnote_names_its_own_line(tmp_path):
    folder = folder_book(tmp_path, {"a.md": "# Title\n\nText.[^1]\n\n[^1]: The note\n\n![A lamp](images/missing.png)\n"})
    result = run("check", folder)
    assert result.output == f"error: {folder}/chapters/a.md:7: image 'images/missing.png' not found\n"


from hypothesis import given, settings, strategies as st  # noqa: E402

CONTROL = st.text(alphabet=st.sampled_from(list("\x01\x07\x0b\x1f\ufffe") + list("abc ")), min_size=1, max_size=12)
TOML_TEXT_KEYS = ("title", "subtitle", "author", "summary", "disclaimer", "dedication", "publisher", "rights",
                  "series")


@settings(max_examples=25, deadline=None)
@given(key=st.sampled_from(TOML_TEXT_KEYS + ("story.rating", "story.tags", "notes.Beta", "chapter.title",
                                            "chapter.summary", "chapter.notes", "heading")),
       value=CONTROL)
def test_control_characters_in_any_text_field_are_cleaned_never_a_traceback(tmp_path_factory, key, value):
    """book.toml strings (escaped in TOML), chapter front matter and headings: cleaned with a warning."""
    import json

    folder = tmp_path_factory.mktemp("ctl") / "book"
    (folder / "chapters").mkdir(parents=True)
    escaped = json.dumps("T" + value)  # TOML basic strings take JSON's \\u escapes
    toml = 'title = "T"\n'
    if key in TOML_TEXT_KEYS:
        toml = f"{key} = {escaped}\n" + ("" if key == "title" else toml)
    elif key.startswith("story."):
        field = key.split(".")[1]
        toml += f"[story]\n{field} = " + (f"[{escaped}]" if field == "tags" else escaped) + "\n"
    elif key.startswith("notes."):
        toml += f"[notes]\nBeta = {escaped}\n"
    (folder / "book.toml").write_text(toml)
    chapter = "Text.\n"
    if key.startswith("chapter."):
        chapter = f"---\n{key.split('.')[1]}: T{value}\n---\n\nText.\n"
    elif key == "heading":
        chapter = f"# One{value}\n\nText.\n"
    (folder / "chapters" / "1.md").write_text(chapter, encoding="utf-8")
    result = run("build", folder, "-o", folder / "out", "-f", "epub")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if any(c in value for c in "\x01\x07\x0b\x1f\ufffe"):
        assert "control character(s)" in result.output
