"""A catalogue of works → a folder of books, one folder per work, on a local pool, Dask or Celery.

    read the catalogue → skip works already built → largest first → build on the engine → summary

Each work's folder holds its files and, written last, its manifest; a work whose manifest has the
same key (its source, its options, the build date, the versions) is skipped, so running a batch
again builds only what changed or failed. The build date is fixed for an output folder the first
time a batch writes it, so the same works give the same bytes however often they are rebuilt.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from ..batch.catalogue import read_catalogue, size_of
from ..batch.engines import Batch, run_dask, run_local
from ..batch.work import BuildReport, WorkSpec, done, work_key
from ..cache import prune
from ..errors import OptionError, PublisherError
from ..options import BuildOptions
from ..output import write_atomic
from ..workers import count

BATCH_FILE = ".publisher-batch.json"  # in the output folder: the build date its works carry


@dataclass(frozen=True)
class BatchSummary:
    reports: tuple[BuildReport, ...]
    seconds: float

    @property
    def built(self) -> int:
        return sum(r.ok and not r.skipped for r in self.reports)

    @property
    def skipped(self) -> int:
        return sum(r.skipped for r in self.reports)

    @property
    def failed(self) -> tuple[BuildReport, ...]:
        return tuple(r for r in self.reports if not r.ok)


def batch(catalogue: Path, out: Path, options: BuildOptions = BuildOptions(), workers: int = 0,
          dask: str = "", celery: str = "", on_report: Callable[[BuildReport], None] = lambda report: None,
          on_start: Callable[[int], None] = lambda works: None) -> BatchSummary:
    """Build every work of `catalogue` (a folder of works, or a .jsonl file) into `out`, on `workers`
    local processes (0: one per core), or on the Dask cluster or Celery broker named. `on_start`
    hears how many works will be built, `on_report` each work's report as it comes."""
    if dask and celery:
        raise OptionError("choose one engine: --dask or --celery")
    started = time.perf_counter()
    out = Path(out)
    works = read_catalogue(catalogue, options)
    cache_dir = options.cache_root()
    settings = Batch(out, _build_date(out, options), cache_dir)
    reports: list[BuildReport] = []

    def take(report: BuildReport) -> None:
        reports.append(report)
        on_report(report)

    todo = []
    for spec in works:  # what is built already is reported, not sent to the engine
        earlier = _already_built(spec, settings)
        if earlier is not None:
            take(earlier)
        else:
            todo.append(spec)
    todo.sort(key=lambda spec: -size_of(spec.source))  # the largest first: none is left to run alone at the end
    on_start(len(todo))
    if todo:
        out.mkdir(parents=True, exist_ok=True)
    if dask:
        run_dask(todo, settings, dask, count(workers), take)
    elif celery:
        from ..batch.engines import run_celery

        run_celery(todo, settings, celery, take)
    else:
        run_local(todo, settings, count(workers), take)
    prune(cache_dir, force=True)  # once for the whole batch
    return BatchSummary(tuple(reports), time.perf_counter() - started)


def _build_date(out: Path, options: BuildOptions) -> str:
    """The date this output folder's works carry: --build-date, else the one it was first built with,
    else now (recorded for the next batch)."""
    if options.build_date:
        return options.build_date
    try:
        return str(json.loads((out / BATCH_FILE).read_text("utf-8"))["build_date"])
    except (OSError, ValueError, KeyError, TypeError):
        date = str(int(options.moment().timestamp()))
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / BATCH_FILE, json.dumps({"build_date": date}).encode())
    except OSError as error:
        raise PublisherError(f"{out}: cannot write: {error.strerror}") from None
    return date


def _already_built(spec: WorkSpec, settings: Batch) -> BuildReport | None:
    options = replace(spec.options, build_date=spec.options.build_date or settings.build_date)
    try:
        return done(settings.out / spec.id, work_key(Path(spec.source), options))
    except OSError:
        return None  # an unreadable source: its build reports it
