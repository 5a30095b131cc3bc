"""The exceptions publisher raises on purpose; anything else is a bug and keeps its traceback.

    PublisherError                 root: the CLI prints it as one line and exits 1
    ├── Problem                    one thing wrong in a manuscript, at a file (and line)
    ├── ManuscriptError            every Problem found in a book, reported at once
    └── OptionError                a bad command-line or API option (trim, theme, format)
"""
from __future__ import annotations


class PublisherError(Exception):
    """An error the user can fix; its text is what the CLI prints."""


class OptionError(PublisherError):
    """An option value we cannot use."""


class Problem(PublisherError):
    """A problem in a source file, printed as ``path:line: message``."""

    def __init__(self, message: str, path: str = "", line: int | None = None):
        super().__init__(message)
        self.message, self.path, self.line = message, str(path), line

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        return f"{where}: {self.message}" if where else self.message

    def __reduce__(self):  # a build in another process (a pool, Dask, Celery) sends it back whole
        return Problem, (self.message, self.path, self.line)


class ManuscriptError(PublisherError):
    """All the problems found while reading a book, so the author can fix them in one go."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)

    def __reduce__(self):
        return ManuscriptError, (self.problems,)


class Warnings:
    """Collects warnings (things we fixed or guessed) for the caller to show, and notes (what a
    build chose, worth knowing but not worth a warning: shown with --verbose)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.notes: list[str] = []
        self.shown = 0  # messages a caller has already printed

    def __call__(self, message: str, path: str = "", line: int | None = None) -> None:
        self.messages.append(str(Problem(message, path, line)))

    def note(self, message: str) -> None:
        self.notes.append(message)
