"""Works → reports, on an engine: a local pool of processes (the default, nothing to set up), a
Dask cluster, or Celery workers. Each engine runs `build_work` and hands every report to
`on_report` as soon as it comes back; the works arrive largest first.

A worker that dies (killed, out of memory) costs only what it was building: the local pool starts
again with the works that had not come back, and Dask and Celery send a lost task to another
worker. A work that kills its worker three times is reported as failed: on the local pool, on Dask
(its KilledWorker), and on Celery (the task counts its deliveries in the work's folder).
"""
from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Callable

from ..errors import OptionError, PublisherError
from ..workers import own_process
from .work import BuildReport, WorkSpec, build_work, versions

ATTEMPTS = 3  # a work whose worker dies this often is reported, not tried again
# A worker process builds this many works, then makes way for a fresh one (memory stays bounded).
WORKS_PER_PROCESS = 50
WORKERS_DEADLINE = 60.0  # seconds a Dask batch waits for its first worker to join the scheduler


@dataclass(frozen=True)
class Batch:
    """What every engine needs besides the works: where outputs go, the cache, the build date."""

    out: Path
    build_date: str
    cache_dir: Path | None = None


Listener = Callable[[BuildReport], None]


def died(spec: WorkSpec, why: str) -> BuildReport:
    return BuildReport(spec.id, spec.source, "", False, error=f"{spec.source}: {why}")


def run_local(works: list[WorkSpec], batch: Batch, workers: int, on_report: Listener) -> None:
    """On `workers` processes of this machine (one process: built here, in order)."""
    if workers <= 1:
        for spec in works:
            on_report(build_work(spec, batch.out, batch.build_date, batch.cache_dir))
        return
    attempts = {spec.id: 0 for spec in works}
    pending = list(works)
    context = get_context("forkserver")
    context.set_forkserver_preload(["publisher.batch.work", "publisher.writers.pdf.setter"])
    while pending:
        # Fresh processes for each round of works, so memory stays bounded (the pool's own
        # max_tasks_per_child deadlocks on Python 3.11 once its first workers retire).
        this_round, rest = pending[:workers * WORKS_PER_PROCESS], pending[workers * WORKS_PER_PROCESS:]
        with ProcessPoolExecutor(workers, mp_context=context, initializer=own_process) as pool:
            futures = {pool.submit(build_work, spec, batch.out, batch.build_date, batch.cache_dir): spec
                       for spec in this_round}
            reported: set = set()
            try:
                for future in as_completed(futures):
                    on_report(future.result())
                    reported.add(future)
                pending = rest
            except BrokenProcessPool:
                pending = _after_a_death(futures, reported, attempts, workers, on_report) + rest


def _after_a_death(futures: dict, reported: set, attempts: dict[str, int], workers: int,
                   on_report: Listener) -> list[WorkSpec]:
    """The works to build again after a worker died: those that finished before the break still
    count; the first few unfinished ones were running (the pool takes work in order) and are charged
    an attempt; a work out of attempts is reported as failed."""
    unfinished = []
    for future, spec in futures.items():
        if future in reported:
            continue
        if future.done() and future.exception() is None:
            on_report(future.result())
        else:
            unfinished.append(spec)
    for spec in unfinished[:workers + 1]:
        attempts[spec.id] += 1
    for spec in [s for s in unfinished if attempts[s.id] >= ATTEMPTS]:
        on_report(died(spec, f"its worker process died {ATTEMPTS} times building it (out of memory? A script "
                             "that starts a batch must do so under if __name__ == '__main__':)"))
    return [s for s in unfinished if attempts[s.id] < ATTEMPTS]


def local_cluster(workers: int):
    """A Dask cluster of `workers` single-threaded processes on 127.0.0.1, on free ports, the logs of
    its scheduler and nannies kept to critical ones. No dashboard; the scheduler's HTTP server
    (health checks) on a free port too, not on 8787, where another cluster may be.

    Its workers start with `publisher.dask` preloaded (WeasyPrint imported, the garbage collector's
    view of the worker's own objects frozen) and without Dask's statistical profiler, which walks
    the building thread's stack a hundred times a second for a dashboard nobody sees here: without
    them a work took 8–26 % more CPU than on the local pool, with them 1–7 % (bench/README.md)."""
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.profile.enabled": False}):  # read as each worker starts
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            scheduler_port=0, dashboard_address=None, silence_logs=logging.CRITICAL,
                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}, preload=["publisher.dask"])


def _quiet_workers(client) -> None:
    """Keep the workers' own logs (of workers started later too) to critical ones: their heartbeats
    fail noisily while a cluster closes, and what goes wrong in a work reaches its report or the
    traceback anyway."""
    from distributed import WorkerPlugin

    class QuietLogs(WorkerPlugin):
        def setup(self, worker) -> None:
            logging.getLogger("distributed").setLevel(logging.CRITICAL)

    client.register_plugin(QuietLogs(), name="publisher-quiet-logs")


@contextmanager
def _dask_client(address: str, workers: int):
    """A client of the scheduler at `address`, or of a local cluster of `workers` ("local"), closed
    (with the cluster) on the way out."""
    from distributed import Client

    if address != "local":
        try:
            client = Client(address)
        except OSError as error:  # refused, or no answer within Dask's connect timeout
            raise PublisherError(f"--dask {address}: no Dask scheduler answered there ({error})") from None
        with client:
            yield client
        return
    with local_cluster(workers) as cluster, Client(cluster) as client:
        _quiet_workers(client)
        yield client


def _check_workers(client, address: str) -> None:
    """Fail at once, in one line, where a batch would otherwise wait for ever (no worker joins) or
    go wrong on every work (a worker cannot import publisher, or has other versions than this
    machine, so it would build other bytes under other keys). Workers that join later are not asked."""
    try:
        client.wait_for_workers(1, timeout=WORKERS_DEADLINE)
    except TimeoutError:
        raise PublisherError(f"--dask {address}: no Dask worker joined the scheduler within "
                             f"{WORKERS_DEADLINE:g} s (start some: dask worker {address} --nthreads 1)") from None
    here = versions()
    for worker, theirs in sorted(client.run(versions, on_error="return").items()):
        if isinstance(theirs, BaseException):
            # What the worker raised, or (when it could not even load the probe) Dask's repr of it.
            why = str(theirs) if type(theirs) is Exception else f"{type(theirs).__name__}: {theirs}"
            raise PublisherError(f"--dask {address}: worker {worker} cannot run publisher: {why.splitlines()[0]}")
        if theirs != here:
            raise PublisherError(f"--dask {address}: worker {worker} has {_named(theirs)}, this machine "
                                 f"{_named(here)}: install the same versions everywhere")


def _named(versions: dict[str, str]) -> str:
    return ", ".join(f"{name} {version}" for name, version in versions.items())


def run_dask(works: list[WorkSpec], batch: Batch, address: str, workers: int, on_report: Listener) -> None:
    """On a Dask cluster at `address` ("tcp://host:8786"), or "local": a LocalCluster of `workers`
    single-threaded processes on this machine. Each future is released as soon as its report is
    taken, so a worker lost later never makes Dask build a finished work again; a work whose workers
    died as often as the scheduler allows (KilledWorker) is reported as failed."""
    try:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker
    except ImportError:
        raise OptionError("--dask needs Dask: pip install 'publisher[dask]'") from None
    if not works:  # all built already: no cluster to start or reach
        return
    # A worker on another machine has a working folder of its own: it is given absolute paths only.
    works = [replace(spec, source=str(Path(spec.source).absolute())) for spec in works]
    cache_dir = batch.cache_dir.absolute() if batch.cache_dir else None
    with _dask_client(address, max(workers, 1)) as client:
        _check_workers(client, address)
        # Not pure: the key is new for every batch, so two batches on one cluster never share a task.
        futures = client.map(build_work, works, out=batch.out.absolute(), build_date=batch.build_date,
                             cache_dir=cache_dir, key="publisher-build", pure=False, retries=0)
        specs = {future.key: spec for future, spec in zip(futures, works)}
        for future in as_completed(futures):
            try:
                report = future.result()
            except KilledWorker:
                report = died(specs[future.key], "the Dask workers building it died (out of memory?)")
            future.release()
            on_report(report)


def run_celery(works: list[WorkSpec], batch: Batch, broker: str, on_report: Listener) -> None:
    """On the Celery workers taking works from `broker` ("redis://host:6379/0", which keeps the
    results too): every work is enqueued at once, and each report is handed on as it arrives, then
    forgotten by the result store. A task that fails (a bug, not a book's error: that is a report)
    is a failed work."""
    try:
        from celery.result import ResultSet
        from kombu.exceptions import OperationalError

        from ..celery import configure, enqueue
    except ImportError:
        raise OptionError("--celery needs Celery: pip install 'publisher[celery]'") from None
    if not works:
        return
    app = configure(broker)
    try:
        with app.connection_for_write() as connection:  # before the result store retries for a minute
            connection.ensure_connection(max_retries=2)
    except OperationalError as error:
        raise OptionError(f"--celery {broker}: cannot reach the broker ({error})") from None
    results = [enqueue(app, spec, batch.out, batch.build_date, batch.cache_dir) for spec in works]
    specs = {result.id: spec for result, spec in zip(results, works)}

    def take(task_id: str, value) -> None:
        if isinstance(value, BaseException):
            on_report(died(specs[task_id], f"its Celery task failed: {type(value).__name__}: {value}".split("\n")[0]))
        else:
            on_report(BuildReport.from_json(value))
        del specs[task_id]
        app.AsyncResult(task_id).forget()

    try:
        ResultSet(results, app=app).join_native(callback=take, propagate=False)
    except KeyboardInterrupt:
        # Nobody waits for the rest now: the workers drop the works not begun (and a work being
        # built runs to its end, whole; the next batch skips it).
        app.control.revoke(list(specs))
        raise
