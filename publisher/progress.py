"""Build stages and pages set → what the author sees while waiting: rich progress on a terminal, else nothing.

The library reports through two callbacks, `stage(name)` as each stage starts and `pages(count)`
as the print layout's documents are set (in this process or in workers); `build_progress` yields
an object with both.
"""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:  # rich is imported only where progress is shown: a quiet build does not pay for it
    from rich.progress import Progress


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
    console = _terminal(enabled)
    if console is None:
        yield Silent()
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        shown = Shown(progress)
        yield shown
        shown.done()


class WorksShown:
    """A batch's bar: works done of those to build, works a minute, time left."""

    def __init__(self, progress: Progress):
        self.progress, self.task, self.started = progress, None, time.perf_counter()

    def start(self, works: int) -> None:
        self.task = self.progress.add_task("building", total=works, rate="")

    def done(self, failed: bool) -> None:
        if self.task is None:
            return
        finished = self.progress.tasks[0].completed + 1
        minutes = (time.perf_counter() - self.started) / 60
        self.progress.update(self.task, advance=1, rate=f"{finished / minutes:,.1f} works/min" if minutes else "")


class WorksSilent:
    def start(self, works: int) -> None:
        pass

    def done(self, failed: bool) -> None:
        pass


@contextmanager
def batch_progress(enabled: bool = True) -> Iterator[WorksSilent]:
    """Yield the batch's progress: `.start(works)`, then `.done(failed)` per work; a bar with the rate
    and the time left on a terminal, else nothing."""
    console = _terminal(enabled)
    if console is None:
        yield WorksSilent()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        yield WorksShown(progress)


def _terminal(enabled: bool):
    """rich's console on standard error if progress is to be shown there, else None."""
    if not (enabled and sys.stderr.isatty()):
        return None
    from rich.console import Console

    console = Console(stderr=True)
    return console if console.is_terminal else None
