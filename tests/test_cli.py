"""The command line, in-process: exact messages, exit codes, and outputs never clobbered."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLE
from publisher.cli import main


@pytest.fixture
def run():
    def invoke(*args: str):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return invoke


@pytest.fixture
def book(tmp_path) -> Path:
    folder = tmp_path / "book"
    (folder / "chapters").mkdir(parents=True)
    (folder / "book.toml").write_text('title = "Small"\nauthor = "A. Writer"\n')
    (folder / "chapters" / "1.md").write_text("# One\n\nThe first chapter.\n")
    (folder / "chapters" / "2.md").write_text("# Two\n\nThe second chapter.\n")
    return folder


def test_build_writes_both_formats(run, book, tmp_path):
    result = run("build", book, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "book.epub").stat().st_size > 1000
    assert (tmp_path / "out" / "book.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["book.epub", "book.pdf"]


def test_build_one_format(run, book, tmp_path):
    result = run("build", book, "-o", tmp_path / "out", "--format", "epub")
    assert result.exit_code == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["book.epub"]


def test_python_dash_m_works(book, tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "publisher", "build", str(book), "-o", str(tmp_path / "o"),
                           "-f", "epub"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "o" / "book.epub").exists()


@pytest.mark.parametrize("change, message", [
    (lambda b: (b / "book.toml").unlink(),
     "error: {b}/book.toml: no book.toml here: is this a book folder? (publisher new DIR makes one)"),
    (lambda b: (b / "book.toml").write_text('title = "Small"\nauthor = \n'),
     "error: {b}/book.toml:2: invalid TOML, column 10: Invalid value"),
    (lambda b: (b / "book.toml").write_text('author = "Me"\n'),
     'error: {b}/book.toml: the book has no title: add  title = "..."'),
    (lambda b: (b / "book.toml").write_text('title = "T"\nsumary = "x"\n'),
     "error: {b}/book.toml:2: unknown key 'sumary' (did you mean 'summary'?)"),
    (lambda b: [p.unlink() for p in (b / "chapters").iterdir()],
     "error: {b}/book.toml: the book has no chapters: add Markdown files to chapters/"),
    (lambda b: (b / "chapters" / "2.md").write_text("Text\n\n![A lamp](images/missing.png)\n"),
     "error: {b}/chapters/2.md:3: image 'images/missing.png' not found"),
    (lambda b: (b / "chapters" / "2.md").write_bytes("caf\u00e9 au lait\nna\u00efve".encode("cp1252")),
     "error: {b}/chapters/2.md:1: not UTF-8 text: save the file as UTF-8"),
    (lambda b: (b / "chapters" / "2.md").write_text("![](../../etc/passwd.png)\n"),
     "error: {b}/chapters/2.md:1: image '../../etc/passwd.png' has no alt text: describe it in ![...]"),
])
def test_bad_input_one_line_exit_1_outputs_untouched(run, book, tmp_path, change, message):
    out = tmp_path / "out"
    assert run("build", book, "-o", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    change(book)
    result = CliRunner().invoke(main, ["build", str(book), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == message.format(b=book)
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, "an earlier good output was changed"


def test_check_reports_every_problem_at_once(run, book):
    (book / "book.toml").write_text('title = "T"\ncolour = "red"\nlanguage = "english!"\n')
    (book / "chapters" / "2.md").write_text("---\ntitel: Two\n---\n\n![](images/none.png)\n")
    result = CliRunner().invoke(main, ["check", str(book)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"error: {book}/book.toml:2: unknown key 'colour'; known keys: " + ", ".join(
            __import__("publisher.metadata", fromlist=["BOOK_KEYS"]).BOOK_KEYS),
        f"error: {book}/book.toml:3: language 'english!' is not a BCP 47 tag such as 'en' or 'en-GB'",
        f"error: {book}/chapters/2.md:2: unknown chapter field 'titel' (did you mean 'title'?)",
    ]


def test_check_ok(run):
    result = run("check", SAMPLE)
    assert result.exit_code == 0
    assert result.output.startswith(f"{SAMPLE}: ok: 4 chapters, ")


def test_unknown_trim_and_theme(run, book, tmp_path):
    result = CliRunner().invoke(main, ["build", str(book), "--trim", "7x99x"])
    assert result.exit_code == 1
    assert result.output.startswith("error: unknown trim size '7x99x': use one of 5x8, 5.25x8")
    result = CliRunner().invoke(main, ["build", str(book), "--theme", "nope"])
    assert result.exit_code == 1
    assert result.output.startswith("error: unknown theme 'nope': use one of classic, modern")


def test_new_scaffolds_a_book_that_builds(run, tmp_path):
    folder = tmp_path / "my-novel"
    result = run("new", folder, "--title", "My Novel", "--author", "A. Writer")
    assert result.exit_code == 0
    assert (folder / "book.toml").read_text().startswith('title = "My Novel"')
    built = run("build", folder, "-o", tmp_path / "out")
    assert built.exit_code == 0, built.output
    assert (tmp_path / "out" / "my-novel.pdf").exists()
    again = CliRunner().invoke(main, ["new", str(folder), "--title", "X"])
    assert again.exit_code == 1 and "already exists" in again.output


def test_no_partial_files_left_after_a_failed_build(book, tmp_path):
    (book / "chapters" / "2.md").write_text("![x](images/missing.png)\n")
    out = tmp_path / "out"
    CliRunner().invoke(main, ["build", str(book), "-o", str(out)])
    assert not out.exists() or not list(out.iterdir())


def test_every_command_has_help_with_an_example(run):
    for command in main.commands:
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.output and f"publisher {command}" in result.output


def test_readme_documents_every_command():
    readme = (SAMPLE.parent.parent / "README.md").read_text()
    for command in main.commands:
        assert f"publisher {command}" in readme, command
