"""Worker processes for the stages that fan out over chapters: converting them, setting them in type.

Workers start from a fork server that has already imported what they need, so each starts in
milliseconds; a build that makes a PDF also preloads WeasyPrint there, off the main process.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver, get_context

_PRELOAD = ["publisher.readers.markup"]


def will_set_type(jobs: int) -> None:
    """This build lays out pages: start the fork server now, loading WeasyPrint on another core
    while this process reads the book."""
    if "publisher.writers.pdf.setter" not in _PRELOAD:
        _PRELOAD.append("publisher.writers.pdf.setter")
    if count(jobs) > 1:
        get_context("forkserver").set_forkserver_preload(list(_PRELOAD))
        forkserver.ensure_running()


def count(jobs: int) -> int:
    """0 means one per core this process may use (a container's share, not the host's count)."""
    if jobs:
        return jobs
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def executor(jobs: int) -> ProcessPoolExecutor:
    context = get_context("forkserver")
    context.set_forkserver_preload(list(_PRELOAD))  # no effect once the server runs: it is shared
    return ProcessPoolExecutor(count(jobs), mp_context=context)
