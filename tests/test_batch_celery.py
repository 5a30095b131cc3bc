"""Catalogues on Celery: the task's JSON round trip on an in-memory broker, then a real redis-server
and a real prefork worker, started here on 127.0.0.1, building the local pool's very bytes (and
a work whose worker process is killed built again)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("celery", reason="Celery is not installed: pip install -e '.[celery]'")

from celery.contrib.testing.worker import start_worker  # noqa: E402

from publisher import BuildOptions  # noqa: E402
from publisher.batch import BuildReport, WorkSpec, build_work  # noqa: E402
from publisher.batch.engines import Batch, run_celery  # noqa: E402
from publisher.celery import configure, enqueue  # noqa: E402
from publisher.cli import main  # noqa: E402
from publisher.commands.batch import batch  # noqa: E402
from test_batch import _children, _in_time, _stop, assert_every_work_whole, catalogue, outputs_of, story  # noqa: E402

DATE = "2026-11-25"
ONE_PROCESS = BuildOptions(formats=("epub",), jobs=1)  # the in-process worker is a thread of this process
needs_redis = pytest.mark.skipif(shutil.which("redis-server") is None,
                                 reason="redis-server is not installed (apt-get install redis-server)")


@pytest.fixture(scope="module")
def memory_app():
    """An app on the in-memory broker and result store, with a worker thread of this process (one for
    the module: it takes 3 s to stop)."""
    app = configure("memory://")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield app


def test_a_work_and_its_report_cross_json_whole(tmp_path):
    spec = WorkSpec(str(tmp_path / "a.txt"), "a", BuildOptions(formats=("pdf",), trim="5x8", impose="booklet",
                                                               build_date=DATE))
    assert WorkSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    assert WorkSpec.from_dict({"source": "b.txt", "id": "b"}) == WorkSpec("b.txt", "b")  # options: the defaults
    (tmp_path / "a.txt").write_text(story(1))
    (tmp_path / "bad.txt").write_text("")
    for work in (replace(spec, options=ONE_PROCESS), WorkSpec(str(tmp_path / "bad.txt"), "bad", ONE_PROCESS)):
        report = build_work(work, tmp_path / "out", DATE)
        assert BuildReport.from_json(report.to_json()) == report


def test_the_task_through_a_memory_broker_gives_build_works_report(tmp_path, memory_app):
    works = catalogue(tmp_path / "works", 1)
    spec = WorkSpec(str(works / "story-0.txt"), "story-0", ONE_PROCESS)
    result = enqueue(memory_app, spec, tmp_path / "celery", DATE)
    text = result.get(timeout=120)
    result.forget()
    assert isinstance(text, str)  # the report as JSON, as a web app in any language would read it
    report = BuildReport.from_json(text)
    assert report.ok and report.words > 0
    # Built again here, the work is found done: its manifest gives back the very report.
    assert build_work(spec, tmp_path / "celery", DATE) == replace(report, skipped=True)
    alone = build_work(spec, tmp_path / "here", DATE)
    assert [o.sha256 for o in alone.outputs] == [o.sha256 for o in report.outputs]


def test_a_task_that_fails_is_a_failed_work_in_one_line_and_results_are_forgotten(tmp_path, memory_app,
                                                                                 monkeypatch):
    import publisher.celery

    works = catalogue(tmp_path / "works", 2)
    sent = []
    real_build, real_enqueue = publisher.celery.build_work, publisher.celery.enqueue

    def build_or_break(spec, *args, **kwargs):
        if spec.id == "story-1":
            raise RuntimeError("a bug in the task\nand its second line")
        return real_build(spec, *args, **kwargs)

    monkeypatch.setattr(publisher.celery, "build_work", build_or_break)
    monkeypatch.setattr(publisher.celery, "enqueue", lambda *args: sent.append(real_enqueue(*args)) or sent[-1])
    reports = []
    run_celery([WorkSpec(str(works / f"story-{n}.txt"), f"story-{n}", ONE_PROCESS) for n in range(2)],
               Batch(tmp_path / "out", DATE), "memory://", reports.append)
    by_id = {r.id: r for r in reports}
    assert by_id["story-0"].ok
    assert not by_id["story-1"].ok
    assert by_id["story-1"].error == f"{works / 'story-1.txt'}: its Celery task failed: RuntimeError: a bug in the task"
    assert [memory_app.AsyncResult(result.id).state for result in sent] == ["PENDING", "PENDING"]  # forgotten


def test_publisher_imports_celery_only_for_the_celery_engine():
    code = ("import sys, publisher, publisher.cli, publisher.commands, publisher.batch.engines; "
            "assert 'celery' not in sys.modules, 'celery imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_pool_process_is_settled_before_its_first_work():
    """Sent as Celery sends it to a new pool process (in a process of its own here: what it loads
    and freezes stays), the signal loads WeasyPrint and freezes it out of the collector's walks."""
    code = ("import gc, sys, publisher.celery; from celery.signals import worker_process_init; "
            "assert 'weasyprint' not in sys.modules and gc.get_freeze_count() == 0; "
            "worker_process_init.send(sender=None); "
            "assert 'weasyprint' in sys.modules and gc.get_freeze_count() > 10_000, gc.get_freeze_count()")
    subprocess.run([sys.executable, "-c", code], check=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of this test's own on 127.0.0.1, keeping nothing on disk."""
    port = _free_port()
    server = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                _stop(server)
                pytest.fail(f"redis-server did not listen on port {port} within 30 s")
        try:  # a short wait that ends early, and fails the test, if the server exits
            server.wait(0.05)
            pytest.fail(f"redis-server exited with status {server.returncode}")
        except subprocess.TimeoutExpired:
            pass
    yield f"redis://127.0.0.1:{port}/0"
    _stop(server)


@contextmanager
def _prefork_worker(redis_url: str, folder: Path, app_module: str = "publisher.celery", env: dict | None = None):
    """A real `celery worker -A app_module` with two prefork processes on that Redis, logging to
    `folder`/worker.log: (its process, an app on its broker), once it answers."""
    log = open(folder / "worker.log", "w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app_module, "worker", "--pool", "prefork", "--concurrency",
         "2", "-Q", "publisher", "--hostname", f"test-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
         "--loglevel", "WARNING"],
        # Without SOURCE_DATE_EPOCH (which this process has): the works' build date alone dates the files.
        env={**{k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}, "PUBLISHER_CELERY_BROKER": redis_url,
             **(env or {})},
        stdout=log, stderr=subprocess.STDOUT)
    app = configure(redis_url)
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=1):  # each try waits up to 1 s for the worker's answer
        if worker.poll() is not None or time.monotonic() > deadline:
            _stop(worker)
            pytest.fail(f"the Celery worker did not answer within 60 s:\n{(folder / 'worker.log').read_text()}")
    try:
        yield worker, app
    finally:
        _stop(worker)
        log.close()


@pytest.fixture
def prefork_worker(redis_url, tmp_path):
    """A real `celery worker` of publisher's app, with two prefork processes on that Redis."""
    with _prefork_worker(redis_url, tmp_path) as worker:
        yield worker


@needs_redis
def test_a_batch_on_prefork_workers_gives_the_local_pools_bytes(tmp_path, prefork_worker, redis_url):
    worker, _ = prefork_worker
    works = catalogue(tmp_path / "works", 3)
    # Default options but the date: jobs=0 and a PDF, the build that failed in a prefork process
    # ("daemonic processes are not allowed to have children") before builds there set type in-process.
    batch(works, tmp_path / "local", BuildOptions(build_date=DATE, cache_dir=str(tmp_path / "local-cache")),
          workers=2)
    result = _in_time(lambda: CliRunner().invoke(main, [
        "batch", str(works), "-o", str(tmp_path / "celery"), "--celery", redis_url, "--build-date", DATE,
        "--cache-dir", str(tmp_path / "celery-cache"), "-q"]))
    assert result.exit_code == 0, result.output + (tmp_path / "worker.log").read_text()
    reports = [BuildReport.from_json(line) for line in result.stdout.splitlines()]
    assert sorted(r.id for r in reports) == ["story-0", "story-1", "story-2"]
    assert all(r.ok and {o.format for o in r.outputs} == {"epub", "pdf"} for r in reports)
    assert outputs_of(tmp_path / "celery") == outputs_of(tmp_path / "local")
    processes = _children(worker.pid)
    assert len(processes) == 2 and not [p for p in processes if _children(p)]  # no fork server left behind


@needs_redis
def test_a_prefork_process_killed_mid_batch_has_its_work_built_again(tmp_path, prefork_worker):
    worker, app = prefork_worker
    works = catalogue(tmp_path / "works", 6)
    killed = []

    def kill_a_busy_process(report) -> None:
        if killed:
            return
        active = app.control.inspect(timeout=2).active() or {}
        busy = [task["worker_pid"] for tasks in active.values() for task in tasks]
        if busy:
            os.kill(busy[0], signal.SIGKILL)
            killed.append(busy[0])

    options = BuildOptions(formats=("epub", "pdf"), build_date=DATE)
    summary = _in_time(lambda: batch(works, tmp_path / "out", options, celery=app.conf.broker_url,
                                     on_report=kill_a_busy_process))
    assert killed, "no busy worker process was found to kill"
    assert_every_work_whole(summary, tmp_path / "out", 6)
    again = _in_time(lambda: batch(works, tmp_path / "out", options, celery=app.conf.broker_url))
    assert again.skipped == 6 and again.built == 0


@needs_redis
def test_a_work_that_kills_its_process_every_time_is_reported_after_three_deaths(tmp_path, redis_url):
    works = catalogue(tmp_path / "works", 2)
    (works / "dies.txt").write_text(story(9))
    kills = tmp_path / "kills"
    tests = str(Path(__file__).parent)
    with _prefork_worker(redis_url, tmp_path, "celery_app_that_kills",
                         {"PUBLISHER_TEST_KILLS": str(kills),
                          "PYTHONPATH": os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")])}):
        summary = _in_time(lambda: batch(works, tmp_path / "out", ONE_PROCESS, celery=redis_url), 240)
    reports = {r.id: r for r in summary.reports}
    assert reports["story-0"].ok and reports["story-1"].ok
    assert reports["dies"].error == f"{works / 'dies.txt'}: its Celery worker process died 3 times building it " \
                                    "(out of memory?)"
    assert len(kills.read_text().split()) == 3  # each delivery in a process of its own, none after the third
    assert not [p for p in (tmp_path / "out").rglob(".*") if p.name != ".publisher-batch.json"]  # no count left


def _left_on_the_broker(app) -> int:
    """Messages of works still queued, or delivered and not acknowledged (reserved by a worker, or
    being built: acknowledged once built)."""
    with app.connection_for_write() as connection:
        redis = connection.default_channel.client
        return redis.llen("publisher") + redis.hlen("unacked")


@needs_redis
def test_an_interrupted_celery_batch_leaves_the_workers_nothing_to_build(tmp_path, prefork_worker, redis_url):
    _, app = prefork_worker
    works = catalogue(tmp_path / "works", 10)
    out = tmp_path / "out"
    command = subprocess.Popen([sys.executable, "-m", "publisher", "batch", str(works), "-o", str(out), "--celery",
                                redis_url, "--build-date", DATE, "--no-cache"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        first = _in_time(command.stdout.readline, 120)  # one work reported: the others wait or are being built
        command.send_signal(signal.SIGINT)  # Ctrl-C
        assert command.wait(60) != 0
    finally:
        if command.poll() is None:
            _stop(command)
    assert json.loads(first)["ok"]
    deadline = time.monotonic() + 120
    while _left_on_the_broker(app):  # until every message is acknowledged: built, or dropped as revoked
        if time.monotonic() > deadline:
            pytest.fail("the workers still had works 120 s after the batch was interrupted")
        time.sleep(0.1)
    built = len(list(out.glob("*/manifest.json")))
    # The work reported, those being built, and at most what a worker had reserved when it heard.
    assert 1 <= built < 10
    again = _in_time(lambda: batch(works, out, BuildOptions(build_date=DATE, cache=False), celery=redis_url))
    assert (again.skipped, again.built) == (built, 10 - built)
