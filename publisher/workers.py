"""Jobs and the modules they need → worker processes for the stages that fan out over chapters
(converting them, setting them in type).

Workers start from one fork server that has already imported the modules its first caller named,
so each starts in milliseconds; a build that makes a PDF starts it early, loading WeasyPrint on
another core while this process reads the book. An EPUB's build converts its chapters in copies
of itself, with no server to start.
"""
from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the pool's modules are imported when a pool starts: a short build never needs one
    from concurrent.futures import ProcessPoolExecutor


_OURS = False  # this process runs a publisher command and nothing else (own_process)
_SERVING = False  # this process has started the fork server (start, executor)


def own_process() -> None:
    """Say that this process does publisher's work and nothing else (`publisher build`, a pool's,
    Dask's or Celery's worker), and settle it: what it has loaded lives as long as it does."""
    global _OURS
    _OURS = True
    settle()


def settle() -> None:
    """In a process of ours, freeze what is loaded now (WeasyPrint's modules, imported once) out of
    the garbage collector's walks: the polish pass collects before each trial, 5-15 ms so, not
    30-55 (on Pride and Prejudice with --jobs 1, 95 collections took 3.7 s profiled). A library
    caller's process is left as it is: a freeze would keep its cyclic garbage of later for good."""
    if _OURS:
        gc.freeze()


def start(jobs: int, preload: Sequence[str]) -> None:
    """Start the fork server now (for more than one job) with the modules `preload` imported."""
    global _SERVING
    if count(jobs) > 1:
        from multiprocessing import forkserver, get_context

        get_context("forkserver").set_forkserver_preload(list(preload))
        forkserver.ensure_running()
        _SERVING = True


def count(jobs: int) -> int:
    """0 means one per core this process may use (a container's share, not the host's count). A
    daemonic process (a Dask worker, a Celery prefork child, a pool's worker) may not start
    processes of its own: there everything runs in-process, whatever was asked."""
    import multiprocessing  # here: a command that starts no pool does not load it (9 ms)

    if multiprocessing.current_process().daemon:
        return 1
    if jobs:
        return jobs
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def executor(jobs: int, preload: Sequence[str] = (), light: bool = False) -> ProcessPoolExecutor:
    """A pool of `jobs` workers; `preload` is imported in the fork server if this starts it. The
    workers of `light` jobs (which need no WeasyPrint: converting prose) are forked from this
    process itself where that is safe and no fork server runs yet: they start in 30 ms, where
    starting the server and importing its modules takes 150 (a sixth of War and Peace's EPUB)."""
    global _SERVING
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    if light and not _SERVING and _forks_safely():
        context = get_context("fork")
    else:
        context = get_context("forkserver")
        context.set_forkserver_preload(list(preload))  # no effect once the server runs: it is shared
        _SERVING = True
    # A worker's first act: settle what it was forked with (the preloaded modules).
    return ProcessPoolExecutor(count(jobs), mp_context=context, initializer=own_process)


def _forks_safely() -> bool:
    """Whether a copy of this process may run Python: on Linux, with no other thread, Python's or a
    library's (one could hold a lock the copy would wait on for ever: a terminal's progress display
    runs one, so there the fork server is used), and without WeasyPrint's libraries loaded."""
    if sys.platform != "linux" or "weasyprint" in sys.modules or threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False
