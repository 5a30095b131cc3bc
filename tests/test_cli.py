"""The command line, in-process: exact messages, exit codes, and outputs never clobbered."""
from __future__ import annotations

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
        (lambda b: (b / "chapters" / "2.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
         "error: {b}/chapters/2.md: this is a binary file, not text"),
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
        f"error: {book}/chapters/2.md:5: image 'images/none.png' has no alt text: describe it in ![...]",
        f"error: {book}/chapters/2.md:5: image 'images/none.png' not found",
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


def test_no_partial_files_left_after_a_failed_build(run, book, tmp_path):
    (book / "chapters" / "2.md").write_text("![x](images/missing.png)\n")
    out = tmp_path / "out"
    result = run("build", book, "-o", out)  # an unexpected exception is raised here, not turned into exit 1
    assert result.exit_code == 1
    assert result.output == f"error: {book}/chapters/2.md:1: image 'images/missing.png' not found\n"
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir()), "a failed build left files"
    assert set(tmp_path.iterdir()) <= {book, out}, "a failed build left files beside the output folder"


def test_every_command_has_help_with_an_example(run):
    for command in main.commands:
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.output and f"publisher {command}" in result.output


def test_readme_documents_every_command():
    readme = (SAMPLE.parent.parent / "README.md").read_text()
    for command in main.commands:
        assert f"publisher {command}" in readme, command


def test_import_writes_an_editable_book_folder_that_builds_the_same(run, tmp_path):
    from conftest import STORIES
    from publisher import read

    story = next(p for p in STORIES if "lantern" in p.name)
    folder = tmp_path / "lanterns"
    result = run("import", story, "-o", folder)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"imported {story} → {folder} (2 chapters)"
    assert sorted(p.name for p in (folder / "chapters").iterdir()) == ["01-chapter-1.md", "02-chapter-2.md"]
    toml = (folder / "book.toml").read_text()
    assert 'title = "The Lantern Keepers of Starfall"' in toml and "[story]" in toml and "[notes]" in toml
    direct, imported = read(story), read(folder)
    assert [c.body_html for c in direct.chapters] == [c.body_html for c in imported.chapters]
    assert direct.front_matter == imported.front_matter and direct.metadata == imported.metadata
    # Never over an existing folder without --force.
    (folder / "chapters" / "01-chapter-1.md").write_text("# Mine\n\nMy edits.\n")
    again = CliRunner().invoke(main, ["import", str(story), "-o", str(folder)])
    assert again.exit_code == 1
    assert again.output == f"error: {folder}: already exists; use --force to replace it\n"
    assert (folder / "chapters" / "01-chapter-1.md").read_text() == "# Mine\n\nMy edits.\n"
    forced = run("import", story, "-o", folder, "--force", "--title", "Lanterns", "--author", "W. A.")
    assert forced.exit_code == 0
    assert read(folder).metadata.title == "Lanterns" and read(folder).metadata.authors == ("W. A.",)


def test_build_a_story_with_title_override(run, tmp_path):
    from conftest import STORIES

    story = next(p for p in STORIES if "bridge" in p.name)
    result = run("build", story, "-o", tmp_path, "--title", "The Midnight Bridge", "--author", "P. M.",
                 "-f", "epub")
    assert result.exit_code == 0
    assert "no Title: line" not in result.output
    import zipfile

    opf = zipfile.ZipFile(tmp_path / "the-bridge-at-midnight.epub").read("EPUB/content.opf").decode()
    assert "<dc:title>The Midnight Bridge</dc:title>" in opf and "<dc:creator id=\"creator\">P. M.</dc:creator>" in opf


def test_single_markdown_file(run, tmp_path):
    story = tmp_path / "story.md"
    story.write_text("---\ntitle: One File\nauthor: Jo\nsummary: A story in *one* file.\n---\n\n"
                     "# The First\n\nText one.[^a]\n\n[^a]: A note.\n\n# The Second\n\nText two.\n")
    result = run("build", story, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    from publisher import read

    manuscript = read(story)
    assert [c.title for c in manuscript.chapters] == ["The First", "The Second"]
    assert manuscript.metadata.authors == ("Jo",)
    assert manuscript.front_matter.summary_html == "<p>A story in <em>one</em> file.</p>"


def test_every_command_is_a_library_function():
    import publisher

    for name in ("build", "check", "build_cover", "import_book", "new_book", "proof", "start_preview", "stats"):
        assert name in publisher.__all__ and callable(getattr(publisher, name)) and getattr(publisher, name).__doc__


def test_options_come_from_the_one_table(run):
    import dataclasses

    from publisher import BuildOptions

    help_text = " ".join(run("build", "--help").output.split())
    for field in dataclasses.fields(BuildOptions):
        flag = "--format" if field.name == "formats" else "--" + field.name.replace("_", "-")
        assert flag in help_text, flag
        assert " ".join(field.metadata["help"].split())[:40] in help_text, field.name


def test_cover_paper_is_now_stock_and_the_old_name_warns(tmp_path):
    new = CliRunner().invoke(main, ["cover", str(SAMPLE), "--stock", "cream", "-o", str(tmp_path / "a")])
    old = CliRunner().invoke(main, ["cover", str(SAMPLE), "--paper", "cream", "-o", str(tmp_path / "b")])
    assert new.exit_code == old.exit_code == 0, (new.output, old.output)
    assert "warning: --paper is now --stock" in old.output and "warning" not in new.output
    assert (tmp_path / "a" / "the-lamplighters-daughter.cover.pdf").read_bytes() == \
        (tmp_path / "b" / "the-lamplighters-daughter.cover.pdf").read_bytes()


def test_the_command_line_freezes_what_it_loads_to_set_type_and_a_library_call_does_not(tmp_path):
    """`publisher build` runs in a process of its own: WeasyPrint's modules, loaded for good, are
    frozen out of the collections the polish pass makes. A program calling build() keeps its
    collector as it was."""
    import subprocess
    import sys

    story = tmp_path / "story.txt"
    story.write_text("Title: The Lamp Room\nAuthor: Ada Quill\n\nThe keeper lit the lamp at dusk.\n")
    command_line = ("import gc, sys; from publisher.cli import main; "
                    "main(['build', sys.argv[1], '-o', sys.argv[2], '-f', 'pdf', '-q', '--no-cache'], "
                    "standalone_mode=False); print(gc.get_freeze_count())")
    library = ("import gc, sys; from pathlib import Path; from publisher import BuildOptions, build; "
               "build(Path(sys.argv[1]), Path(sys.argv[2]), BuildOptions(formats=('pdf',), cache=False)); "
               "print(gc.get_freeze_count())")
    frozen = [int(subprocess.run([sys.executable, "-c", code, str(story), str(tmp_path / out)], capture_output=True,
                                 text=True, check=True).stdout.split()[-1])
              for code, out in ((command_line, "cli"), (library, "library"))]
    assert frozen[0] > 10_000 and frozen[1] == 0
    assert list((tmp_path / "cli").glob("*.pdf")) and list((tmp_path / "library").glob("*.pdf"))
