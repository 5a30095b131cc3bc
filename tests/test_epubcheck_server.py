"""The tests' EPUBCheck server: the command line's counts from one JVM, and a clear failure, never a
hang, when that JVM dies or goes silent."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLE, _EPUBCHECK, run_epubcheck
from epubcheck_server import EpubCheckError, EpubCheckServer, epubcheck_cli_command, epubcheck_counts


def broken_copy(good: Path, broken: Path) -> Path:
    """The EPUB with a fatal, errors and a warning EPUBCheck knows by name."""
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "EPUB/text/chapter-004.xhtml":
                continue  # RSC-001: in the manifest, not in the container
            if info.filename == "EPUB/text/chapter-001.xhtml":
                data = data.replace(b"</p>", b"", 1)  # RSC-016: not well-formed
            if info.filename == "EPUB/content.opf":
                data = data.replace(b"<dc:date>2026-11-25</dc:date>", b"<dc:date>25 November 2026</dc:date>")  # OPF-053
            target.writestr(info, data)
    return broken


def test_the_server_reports_what_the_command_line_reports(built, tmp_path):
    good = built(SAMPLE)["epub"]
    broken = broken_copy(good, tmp_path / "broken.epub")
    # EPUBCheck's own command line, a JVM per file, both at once.
    reports = {path: tmp_path / f"{path.stem}.cli.json" for path in (good, broken)}
    processes = [subprocess.Popen(epubcheck_cli_command(path, report), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for path, report in reports.items()]
    assert [process.wait(timeout=300) for process in processes] == [0, 1]
    assert run_epubcheck(good) == epubcheck_counts(reports[good])
    assert run_epubcheck(broken) == epubcheck_counts(reports[broken])
    counts = run_epubcheck(broken)
    assert (counts["fatal"], counts["error"], counts["warning"]) == (1, 2, 1)
    assert [message.split(":")[0] for message in counts["messages"]] == [
        "WARNING OPF-053", "ERROR RSC-001", "ERROR RSC-012", "FATAL RSC-016"]  # RSC-012: a page-list link
    assert (run_epubcheck(good)["fatal"], run_epubcheck(good)["error"], run_epubcheck(good)["warning"]) == (0, 0, 0)


def test_a_file_that_is_not_an_epub_is_reported_not_fatal_to_the_server(tmp_path):
    junk = tmp_path / "junk.epub"
    junk.write_text("not a zip")
    counts = run_epubcheck(junk)
    assert [message.split(":")[0] for message in counts["messages"]] == ["ERROR PKG-003", "FATAL PKG-008"]


def test_several_threads_share_the_one_server(built, tmp_path):
    good = built(SAMPLE)["epub"]
    files = []
    for number in range(3):
        files.append(tmp_path / f"good-{number}.epub")
        files[-1].write_bytes(good.read_bytes())
        files.append(broken_copy(good, tmp_path / f"broken-{number}.epub"))
    found: dict[Path, tuple[int, int, int]] = {}

    def check(path: Path) -> None:
        counts = epubcheck_counts(_EPUBCHECK.check(path))
        found[path] = (counts["fatal"], counts["error"], counts["warning"])

    threads = [threading.Thread(target=check, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert found == {path: (1, 2, 1) if "broken" in path.name else (0, 0, 0) for path in files}


def test_a_jvm_that_dies_fails_the_check_at_once(tmp_path):
    server = EpubCheckServer()
    try:
        server._start()
        server.process.kill()
        started = time.monotonic()
        with pytest.raises(EpubCheckError, match=r"the EPUBCheck server died while checking .*book\.epub \(exit code -9\)"):
            server.check(tmp_path / "book.epub")
        assert time.monotonic() - started < 10
        assert server.process is None  # the next check starts a new JVM
    finally:
        server.close()


# Stand-ins for a JVM that dies in the middle of a check and one that never answers.
DIES = "print('ready', flush=True); import sys; sys.stdin.readline(); sys.exit(3)"
SILENT = "print('ready', flush=True); import sys, time; sys.stdin.readline(); time.sleep(600)"


def test_a_server_that_dies_during_a_check_is_a_clear_failure_and_is_started_again(tmp_path):
    server = EpubCheckServer([sys.executable, "-c", DIES])
    try:
        for _ in range(2):
            with pytest.raises(EpubCheckError, match=r"died while checking .*book\.epub \(exit code 3\)"):
                server.check(tmp_path / "book.epub")
    finally:
        server.close()


def test_a_server_that_goes_silent_is_stopped_after_the_timeout(tmp_path):
    server = EpubCheckServer([sys.executable, "-c", SILENT], timeout=1)
    try:
        server._start()
        process = server.process
        with pytest.raises(EpubCheckError, match=r"gave no answer within 1 s while checking"):
            server.check(tmp_path / "book.epub")
        assert process.poll() is not None, "the silent server was left running"
    finally:
        server.close()
