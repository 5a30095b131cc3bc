"""Build stages → what the author sees while waiting: rich progress on a terminal, else nothing.

The library reports stages through a callback; WeasyPrint reports each page it lays out on its
progress logger, which this display counts.
"""
from __future__ import annotations

import logging
import re
import sys
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

_PAGE = re.compile(r"Creating layout - Page (\d+)")


class _PageCounter(logging.Handler):
    def __init__(self, on_page):
        super().__init__(logging.INFO)
        self.on_page = on_page

    def emit(self, record: logging.LogRecord) -> None:
        match = _PAGE.search(record.getMessage())
        if match:
            self.on_page(int(match[1]))


class _Reporter:
    def __init__(self, stage, pages):
        self.stage, self.pages = stage, pages


@contextmanager
def build_progress(enabled: bool = True):
    """Yield a stage callback: stage("laying out pages") starts a new line of progress."""
    console = Console(stderr=True)
    if not (enabled and console.is_terminal and sys.stderr.isatty()):
        yield _Reporter(lambda stage: None, lambda count: None)
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        current = {"task": None}

        def stage(name: str) -> None:
            if current["task"] is not None:
                progress.update(current["task"], completed=1, total=1)
            current["task"] = progress.add_task(name, total=None, count="")

        def on_page(number: int) -> None:
            if current["task"] is not None:
                progress.update(current["task"], count=f"page {number}")

        logger = logging.getLogger("weasyprint.progress")
        handler = _PageCounter(on_page)
        level = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        try:
            yield _Reporter(stage, on_page)
            if current["task"] is not None:
                progress.update(current["task"], completed=1, total=1)
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
