"""`publisher batch --dask`: works built on a real Dask cluster of worker processes on 127.0.0.1,
checked against the local pool's bytes, through the command, and with a worker killed mid-batch."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from publisher import BuildOptions, PublisherError
from publisher.batch import engines
from publisher.batch.engines import local_cluster
from publisher.commands.batch import batch
from test_batch import EPUB_ONLY, _children, _in_time, _stop, catalogue, outputs_of, story

distributed = pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[test,dask]'")


def start_cluster(**config) -> distributed.LocalCluster:
    """The cluster `--dask local` starts, of two workers (`config`: Dask settings for its scheduler,
    read when it starts)."""
    import dask

    with dask.config.set(config):
        return local_cluster(2)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A cluster whose workers work in a folder of their own, as on another machine: (address, client)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("workers-home"))
        cluster = start_cluster()
    with cluster, distributed.Client(cluster) as client:
        yield cluster.scheduler_address, client


def worker_pids(client: distributed.Client) -> dict[str, int]:
    """Each worker's address → the pid of its process."""
    return client.run(os.getpid)


def test_dask_builds_the_same_bytes_as_the_local_pool(tmp_path, cluster):
    address, client = cluster
    works = catalogue(tmp_path / "works", 3)
    options = BuildOptions(build_date="2026-11-25", cache=False)
    on_dask = batch(works, tmp_path / "dask", options, dask=address)
    batch(works, tmp_path / "local", options, workers=2)
    assert sorted(r.id for r in on_dask.reports) == ["story-0", "story-1", "story-2"]
    assert all(r.ok and not r.skipped for r in on_dask.reports), [r.error for r in on_dask.reports]
    assert {name.rsplit(".", 1)[1] for name in outputs_of(tmp_path / "dask")} == {"epub", "pdf"}
    assert outputs_of(tmp_path / "dask") == outputs_of(tmp_path / "local")
    # A build in a (daemonic) Dask worker sets its pages in that process: no fork server, no pool left.
    assert {pid: _children(pid) for pid in worker_pids(client).values()} == \
        {pid: [] for pid in worker_pids(client).values()}


def _ready(dask_worker) -> tuple[bool, bool, bool]:
    """(WeasyPrint imported, objects frozen out of the collector's walks, the profiler on) in a worker."""
    import gc

    return "weasyprint" in sys.modules, gc.get_freeze_count() > 0, "profile" in dask_worker.periodic_callbacks


def test_local_workers_start_with_weasyprint_loaded_and_without_the_profiler():
    with start_cluster() as fresh, distributed.Client(fresh) as client:
        assert list(client.run(_ready).values()) == [(True, True, False)] * 2  # before any work


@pytest.mark.parametrize("engine", ["scheduler", "local"])
def test_the_command_prints_one_json_line_per_work_and_nothing_else(tmp_path, cluster, engine):
    works = catalogue(tmp_path / "works", 3)
    address = cluster[0] if engine == "scheduler" else "local"
    run = subprocess.run([sys.executable, "-m", "publisher", "batch", str(works), "-o", str(tmp_path / "out"),
                          "-f", "epub", "--dask", address, "--workers", "2"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    reports = [json.loads(line) for line in run.stdout.splitlines()]
    assert sorted(r["id"] for r in reports) == ["story-0", "story-1", "story-2"]
    assert all(r["ok"] for r in reports)
    # Nor does Dask say anything on stderr (a local cluster's logs are kept to errors): only our summary.
    assert run.stderr.startswith("3 built, 0 already built, 0 failed in ") and run.stderr.count("\n") == 1, run.stderr


def test_a_dask_worker_killed_mid_batch_costs_nothing_but_time(tmp_path, cluster):
    address, client = cluster
    works = catalogue(tmp_path / "works", 6)
    out = tmp_path / "out"
    options = BuildOptions(formats=("epub", "pdf"))
    killed = []

    def kill_a_busy_worker(report) -> None:
        if killed:
            return
        busy = [worker for worker, keys in client.processing().items() if keys]
        if busy:
            pid = worker_pids(client)[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    summary = batch(works, out, options, dask=address, on_report=kill_a_busy_worker)
    assert killed, "no busy worker was found to kill"
    assert sorted(r.id for r in summary.reports) == [f"story-{n}" for n in range(6)]
    assert all(r.ok for r in summary.reports), [r.error for r in summary.reports]
    for report in summary.reports:
        manifest = json.loads((out / report.id / "manifest.json").read_text())
        assert manifest["key"] == report.key and len(manifest["outputs"]) == 2
        for output in manifest["outputs"]:
            assert hashlib.sha256(Path(output["path"]).read_bytes()).hexdigest() == output["sha256"]
    # No temporary files: the batch's date file and one folder per work, each with only its files.
    assert sorted(p.name for p in out.iterdir()) == [".publisher-batch.json"] + [f"story-{n}" for n in range(6)]
    assert not [p for p in out.glob("*/.*")]
    again = batch(works, out, options, dask=address)
    assert (again.skipped, again.built) == (6, 0)


def test_relative_paths_reach_workers_whose_working_folder_is_another(tmp_path, cluster, monkeypatch):
    catalogue(tmp_path / "works", 2)
    monkeypatch.chdir(tmp_path)
    summary = batch(Path("works"), Path("out"), EPUB_ONLY, dask=cluster[0])
    assert all(r.ok for r in summary.reports), [r.error for r in summary.reports]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".publisher-batch.json", "story-0", "story-1"]
    assert (tmp_path / "out" / "story-0" / "story-0.epub").is_file()
    assert summary.reports[0].outputs[0].path == str(tmp_path / "out" / summary.reports[0].id /
                                                     f"{summary.reports[0].id}.epub")


def test_a_bad_work_fails_alone_on_dask(tmp_path, cluster):
    works = catalogue(tmp_path / "works", 2)
    (works / "broken.epub").write_bytes(b"PK\x03\x04 not a zip")
    summary = batch(works, tmp_path / "out", EPUB_ONLY, dask=cluster[0])
    reports = {r.id: r for r in summary.reports}
    assert set(reports) == {"story-0", "story-1", "broken"}
    assert reports["story-0"].ok and reports["story-1"].ok
    assert not reports["broken"].ok and "broken.epub" in reports["broken"].error
    assert "\n" not in reports["broken"].error
    assert not (tmp_path / "out" / "broken" / "manifest.json").exists()


def test_a_work_whose_dask_workers_keep_dying_is_one_failed_line(tmp_path):
    # Works long enough (about half a second each) that the worker killed below is still building
    # one: the tiny catalogue's works ended in milliseconds, and under load the kill came after.
    works = tmp_path / "works"
    works.mkdir()
    for seed in range(4):
        (works / f"story-{seed}.txt").write_text(story(seed, chapters=8, paragraphs=120))
    killed = []
    # The scheduler gives up on a task the first time its worker dies: that work is KilledWorker.
    with start_cluster(**{"distributed.scheduler.allowed-failures": 0}) as cluster, \
            distributed.Client(cluster) as client:

        def kill_a_busy_worker(report) -> None:
            busy = [worker for worker, keys in client.processing().items() if keys]
            if not killed and busy:
                os.kill(worker_pids(client)[busy[0]], signal.SIGKILL)
                killed.append(busy[0])

        summary = batch(works, tmp_path / "out", EPUB_ONLY, dask=cluster.scheduler_address,
                        on_report=kill_a_busy_worker)
    assert killed
    failed = summary.failed
    assert failed and len(summary.reports) == 4
    for report in failed:
        assert report.error == f"{report.source}: the Dask workers building it died (out of memory?)"
    assert {r.id for r in summary.reports if r.ok} | {r.id for r in failed} == {f"story-{n}" for n in range(4)}


def test_a_scheduler_without_workers_is_one_line_once_the_deadline_passes(tmp_path, monkeypatch):
    monkeypatch.setattr(engines, "WORKERS_DEADLINE", 2.0)
    works = catalogue(tmp_path / "works", 1)
    with local_cluster(0) as scheduler_alone:
        address = scheduler_alone.scheduler_address
        with pytest.raises(PublisherError) as raised:
            _in_time(lambda: batch(works, tmp_path / "out", EPUB_ONLY, dask=address), 120)
    assert str(raised.value) == (f"--dask {address}: no Dask worker joined the scheduler within 2 s "
                                 f"(start some: dask worker {address} --nthreads 1)")


def _another_publisher(folder: Path, kind: str) -> str:
    """A folder that, first on a worker's PYTHONPATH, gives it a `publisher` that cannot be imported
    ("broken"), or this publisher under another installed version ("0.0.1")."""
    if kind == "broken":
        (folder / "publisher").mkdir(parents=True)
        (folder / "publisher" / "__init__.py").write_text('raise ImportError("no publisher on this worker")\n')
        return str(folder)
    info = folder / f"publisher-{kind}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: publisher\nVersion: {kind}\n")
    return os.pathsep.join([str(folder), str(Path(__file__).parents[1])])


@pytest.mark.parametrize("kind", ["broken", "0.0.1"])
def test_a_worker_without_this_publisher_stops_the_batch_in_one_line(tmp_path, kind):
    works = catalogue(tmp_path / "works", 2)
    with local_cluster(0) as scheduler_alone, distributed.Client(scheduler_alone) as client, \
            open(tmp_path / "worker.log", "w") as log:
        address = scheduler_alone.scheduler_address
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--host", "127.0.0.1",
             "--no-dashboard"],
            env={**os.environ, "PYTHONPATH": _another_publisher(tmp_path / "elsewhere", kind)},
            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
        try:
            client.wait_for_workers(1, timeout=120)
            (worker_address,) = client.scheduler_info()["workers"]
            with pytest.raises(PublisherError) as raised:
                _in_time(lambda: batch(works, tmp_path / "out", EPUB_ONLY, dask=address), 120)
        finally:
            _stop(worker)
    if kind == "broken":
        assert str(raised.value) == (f"--dask {address}: worker {worker_address} cannot run publisher: "
                                     "ImportError('no publisher on this worker')")
    else:
        assert str(raised.value) == (f"--dask {address}: worker {worker_address} has publisher 0.0.1, "
                                     f"weasyprint {version('weasyprint')}, this machine publisher "
                                     f"{version('publisher')}, weasyprint {version('weasyprint')}: "
                                     "install the same versions everywhere")
    assert worker_address.startswith("tcp://127.0.0.1:")
    assert not (tmp_path / "out" / "story-0").exists()  # nothing was built
