"""Nothing lost: atomic outputs, interrupted and failed builds, builds at the same time, import."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import CORPUS, SAMPLE, assert_epubcheck_clean
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


def test_an_interrupted_build_leaves_no_partial_file(tmp_path):
    out = tmp_path / "out"
    book = CORPUS / "pride-and-prejudice"
    if not book.exists():
        book = SAMPLE
    process = subprocess.Popen([sys.executable, "-m", "publisher", "build", str(book), "-o", str(out), "-q"])
    time.sleep(2.5)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    leftovers = [p.name for p in out.iterdir()] if out.exists() else []
    assert all(not name.endswith(".part") and not name.startswith(".") for name in leftovers), leftovers


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
