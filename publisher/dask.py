"""A Dask worker made ready for works before the first arrives: its preload.

    dask worker tcp://HOST:8786 --nthreads 1 --preload publisher.dask

Imported at the worker's start, it loads WeasyPrint (as the local pool's fork server does), so the
first work a worker takes does not pay 0.4–0.6 s of imports (measured). Once the worker runs, it freezes the
garbage collector's view of every object alive then (Dask's, tornado's, WeasyPrint's modules:
about 98,000 objects that live as long as the worker), so the full collections a build sets off
do not walk them again and again. `--dask local` starts its workers with it.
"""
from __future__ import annotations

from .workers import own_process
from .writers.pdf import setter  # noqa: F401  (WeasyPrint and our setter, imported once here)


def dask_setup(worker) -> None:
    """Called by Dask once the worker has started."""
    own_process()
