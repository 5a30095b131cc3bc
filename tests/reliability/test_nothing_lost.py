"""Nothing lost: atomic outputs, interrupted and failed builds, builds at the same time, import."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import SAMPLE, assert_epubcheck_clean
from publisher.cli import main
from publisher.output import write_atomic, write_folder


def test_write_atomic_replaces_whole_or_not_at_all(tmp_path, monkeypatch):
    target = tmp_path / "book.pdf"
    target.write_bytes(b"old and good")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old and good"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"], "no temporary file left behind"


def test_a_failing_writer_leaves_earlier_outputs_untouched(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import publisher.writers as writers

    def failing_pdf(*args):
        raise RuntimeError("the PDF writer broke")

    monkeypatch.setitem(writers.WRITERS, "pdf", failing_pdf)
    with pytest.raises(RuntimeError):
        CliRunner().invoke(main, ["build", str(SAMPLE), "-o", str(out)], catch_exceptions=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@contextlib.contextmanager
def sigint_not_ignored():
    """Children started here take Ctrl-C. A shell runs a background command (`pytest &`) with SIGINT
    ignored, and a child inherits an ignored signal (a handled one starts as the default)."""
    if signal.getsignal(signal.SIGINT) != signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_an_interrupted_build_leaves_no_partial_file(tmp_path):
    """Ctrl-C while the pages are laid out: the build stops, and the folder holds what it held before."""
    story = tmp_path / "story.txt"
    paragraph = "The lamps were lit along the quay one after another while the boats knocked at their moorings. " * 12
    story.write_text("Title: Long Evening\n\n" + "".join(f"Chapter {n}\n\n" + f"{paragraph}\n\n" * 8
                                                          for n in range(1, 61)))
    out = tmp_path / "out"
    earlier = subprocess.run([sys.executable, "-m", "publisher", "build", str(story), "-o", str(out), "-f", "epub",
                              "-q"], capture_output=True, text=True, timeout=300)
    assert earlier.returncode == 0, earlier.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert list(before) == ["story.epub"]
    # -v prints each stage on stderr as it starts; --no-cache: no earlier build's pages let it finish first.
    with sigint_not_ignored():
        process = subprocess.Popen([sys.executable, "-m", "publisher", "build", str(story), "-o", str(out), "-v",
                                    "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(300, process.kill)  # a build that never reaches the stage fails, not hangs
    watchdog.start()
    try:
        seen = []
        for line in process.stderr:
            seen.append(line)
            if line.strip().endswith("laying out pages"):
                break
        else:
            pytest.fail(f"the build never started laying out pages: {''.join(seen)}")
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        watchdog.cancel()
    assert process.returncode == 1, (process.returncode, stderr)
    assert stderr.splitlines()[-1:] == ["Aborted!"], stderr  # click's answer to KeyboardInterrupt
    assert "Traceback" not in stderr and "writing" not in stderr, stderr
    assert stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["story.epub"], "a partial or temporary file was left"
    assert (out / "story.epub").read_bytes() == before["story.epub"], "the earlier good EPUB was changed"


def test_two_builds_of_one_book_at_once(tmp_path):
    out = tmp_path / "out"
    processes = [subprocess.Popen([sys.executable, "-m", "publisher", "build", str(SAMPLE), "-o", str(out), "-q"])
                 for _ in range(2)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    assert sorted(p.name for p in out.iterdir()) == ["the-lamplighters-daughter.epub", "the-lamplighters-daughter.pdf"]
    assert len(PdfReader(out / "the-lamplighters-daughter.pdf").pages) > 10
    assert_epubcheck_clean(out / "the-lamplighters-daughter.epub")


def test_write_folder_never_half_writes(tmp_path, monkeypatch):
    folder = tmp_path / "book"
    write_folder(folder, {"book.toml": b"title = 'A'\n", "chapters/1.md": b"One.\n"})
    real = Path.write_bytes

    def fail_on_second(self, data):
        if self.name == "2.md":
            raise OSError("disk full")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", fail_on_second)
    with pytest.raises(OSError):
        write_folder(folder, {"book.toml": b"title = 'B'\n", "chapters/2.md": b"Two.\n"}, replace=True)
    monkeypatch.undo()
    assert (folder / "book.toml").read_bytes() == b"title = 'A'\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book"]


def _story(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("Title: Paths\n\nChapter 1\n\nA short story about folders.\n")
    return story


def test_an_output_folder_that_is_a_file_is_one_line_and_writes_nothing(tmp_path):
    blocker = tmp_path / "dist"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "sub"):
        result = CliRunner().invoke(main, ["build", str(_story(tmp_path)), "-o", str(out), "-f", "epub"])
        assert (result.exit_code, result.output) == (
            1, f"error: {blocker}: is a file, so {out / 'story.epub'} cannot be written there: choose another -o folder\n")
    assert blocker.read_text() == "not a folder" and sorted(p.name for p in tmp_path.iterdir()) == ["dist", "story.txt"]


def test_a_folder_in_the_way_of_one_output_changes_no_output(tmp_path):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(_story(tmp_path)), "-o", str(out), "-f", "epub"]).exit_code == 0
    before = (out / "story.epub").read_bytes()
    (out / "story.pdf").mkdir()
    (_story(tmp_path)).write_text("Title: Paths\n\nChapter 1\n\nAn edited story about folders.\n")
    result = CliRunner().invoke(main, ["build", str(_story(tmp_path).parent / "story.txt"), "-o", str(out)])
    assert (result.exit_code, result.output) == (
        1, f"error: {out / 'story.pdf'}: a folder is in the way of the file to write: move it or choose another -o\n")
    assert (out / "story.epub").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["story.epub", "story.pdf"]


def test_a_late_failure_puts_back_the_files_already_replaced(tmp_path, monkeypatch):
    """The EPUB is moved into place, then moving the PDF fails (a full disk, a vanished folder):
    the earlier EPUB comes back, so the build changed no output."""
    import os

    from publisher import output

    story, out = _story(tmp_path), tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(story), "-o", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    story.write_text("Title: Paths\n\nChapter 1\n\nA rewritten story about folders.\n")
    real_replace = os.replace

    def failing_replace(source, target):
        if str(target).endswith(".pdf") and str(source).endswith(".part"):
            raise OSError(28, "No space left on device", str(target))
        return real_replace(source, target)

    monkeypatch.setattr(output.os, "replace", failing_replace)
    result = CliRunner().invoke(main, ["build", str(story), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output == f"error: {out / 'story.pdf'}: cannot write: No space left on device; no output was changed\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
