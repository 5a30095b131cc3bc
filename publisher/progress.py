"""Build stages and pages set → what the author sees while waiting: rich progress on a terminal, else nothing.

The library reports through two callbacks, `stage(name)` as each stage starts and `pages(count)`
as the print layout's documents are set (in this process or in workers); `build_progress` yields
an object with both.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class Silent:
    """Progress that shows nothing (not a terminal, or --quiet)."""

    def stage(self, name: str) -> None:
        pass

    def pages(self, count: int) -> None:
        pass


class Shown(Silent):
    """One line of progress per stage; the stage that lays out pages counts them."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.task = None

    def stage(self, name: str) -> None:
        self.done()
        self.task = self.progress.add_task(name, total=None, count="")

    def pages(self, count: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, count=f"{count} pages")

    def done(self) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=1, total=1)


@contextmanager
def build_progress(enabled: bool = True) -> Iterator[Silent]:
    """Yield the progress display: `.stage("laying out pages")` starts a line, `.pages(120)` counts."""
    console = Console(stderr=True)
    if not (enabled and console.is_terminal and sys.stderr.isatty()):
        yield Silent()
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        shown = Shown(progress)
        yield shown
        shown.done()
