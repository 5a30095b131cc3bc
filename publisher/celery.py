"""A work sent through a Celery broker → its files and its report, built by a Celery worker: the app,
its one task `publisher.build_work`, and `enqueue` for whoever sends works (`publisher batch
--celery`, a web app).

Everything on the wire is JSON: a work goes as `WorkSpec.to_dict()` (a catalogue line), its report
comes back as `BuildReport.to_json()`. A worker process takes one work at a time and acknowledges
it only once it is built, so the work of a process that is killed goes back to the queue for
another. Workers find their broker in the environment; the output folder and the cache are paths
every worker must see (a shared volume), or each worker may keep a cache of its own:

    PUBLISHER_CELERY_BROKER=redis://queue:6379/0 celery -A publisher.celery worker --concurrency 2

A web app enqueues one work and reads its report:

    from publisher import BuildOptions
    from publisher.batch import BuildReport, WorkSpec
    from publisher.celery import configure, enqueue

    app = configure("redis://queue:6379/0")
    work = WorkSpec("/archive/works/123.html", "work-123", BuildOptions(formats=("epub",)))
    result = enqueue(app, work, "/archive/books")
    report = BuildReport.from_json(result.get(timeout=600))  # its outputs: /archive/books/work-123/
    result.forget()

Only this module imports Celery; the rest of publisher imports this module where it is used.
"""
from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from celery import Celery, Task
from celery.result import AsyncResult
from celery.signals import worker_process_init

from .batch.engines import ATTEMPTS, WORKS_PER_PROCESS, died
from .batch.work import WorkSpec, build_work
from .output import write_atomic

TASK = "publisher.build_work"
QUEUE = "publisher"  # not Celery's default queue: another app's workers on the same broker never take a work
# In a work's output folder while its task runs: how often its message has been delivered.
DELIVERIES = ".deliveries.json"


def configure(broker: str, backend: str | None = None) -> Celery:
    """A Celery app on `broker` ("redis://host:6379/0"), its results kept in `backend`, else in the
    broker ("memory://" keeps them in this process's memory, for tests)."""
    app = Celery("publisher", broker=broker, set_as_current=False,
                 backend=backend or ("cache+memory://" if broker == "memory://" else broker))
    app.conf.update(
        worker_pool="prefork",  # one process per build: two builds in one process corrupt GLib's memory
        worker_prefetch_multiplier=1,  # a process takes a work only when it is free: no novel waits behind another
        task_acks_late=True,  # acknowledged once built ...
        task_reject_on_worker_lost=True,  # ... so a killed process's work goes back to the queue
        worker_max_tasks_per_child=WORKS_PER_PROCESS,  # memory stays bounded, as on the local pool
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_default_queue=QUEUE,
        broker_connection_retry_on_startup=True,
    )
    app.task(name=TASK, shared=False, bind=True)(_build)
    return app


@worker_process_init.connect
def _settled(**_) -> None:
    """A worker's pool process, before its first work: WeasyPrint is loaded, and the process is
    ours (workers.own_process), as the local pool's and Dask's workers are."""
    from .workers import own_process
    from .writers.pdf import setter  # noqa: F401

    own_process()


def enqueue(app: Celery, spec: WorkSpec, out: Path | str, build_date: str = "",
            cache_dir: Path | str | None = None) -> AsyncResult:
    """Send one work to the workers, to be built into `out/<id>/` (a folder they all see). Its
    result is the report as JSON; `build_date` "" dates the files when they are built. Paths go
    absolute: a worker's working folder is not the sender's."""
    work = replace(spec, source=str(Path(spec.source).resolve())).to_dict()
    return app.send_task(TASK, args=(work, str(Path(out).resolve()), build_date,
                                     str(Path(cache_dir).resolve()) if cache_dir else None))


def _build(task: Task, work: dict, out: str, build_date: str = "", cache_dir: str | None = None) -> str:
    """The task: `build_work` with the work's own jobs (in a prefork process, whose processes may not
    have children, a build always sets its pages in-process). A work whose process died under it
    ATTEMPTS times (its message came back each time) is reported as failed, not built again."""
    spec = WorkSpec.from_dict(work)
    folder = Path(out) / spec.id
    deaths = _delivered(folder, task.request.id) - 1
    try:
        if deaths >= ATTEMPTS:
            return died(spec, f"its Celery worker process died {deaths} times building it (out of memory?)").to_json()
        return build_work(spec, Path(out), build_date, Path(cache_dir) if cache_dir else None,
                          jobs=spec.options.jobs).to_json()
    finally:
        (folder / DELIVERIES).unlink(missing_ok=True)


def _delivered(folder: Path, task_id: str) -> int:
    """Count one more delivery of the task `task_id` in `folder` (a file, since the process that
    counted the last one may have died with it, on this machine or another); the deliveries so
    far. Celery counts none: its message says only whether it was delivered before."""
    try:
        earlier = json.loads((folder / DELIVERIES).read_text("utf-8"))
        count = earlier["deliveries"] if earlier["task"] == task_id else 0
    except (OSError, ValueError, KeyError, TypeError):
        count = 0
    write_atomic(folder / DELIVERIES, json.dumps({"task": task_id, "deliveries": count + 1}).encode())
    return count + 1


# The app `celery -A publisher.celery worker` runs.
app = configure(os.environ.get("PUBLISHER_CELERY_BROKER", "redis://localhost:6379/0"),
                os.environ.get("PUBLISHER_CELERY_BACKEND") or None)
