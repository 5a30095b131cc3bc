"""A/B of the batch engines on a small catalogue: where a Dask worker's time goes, against the local pool.

    python bench/engines_ab.py [--works 20] [--rounds 3] [--variants local dask dask-noprofile …]

Each round builds the same generated catalogue cold (no cache, EPUB and PDF) once per variant, in
a rotated order so that the variants take turns on a noisy machine, each run in a fresh process (a
Dask nanny sets its workers' environment in the process that starts it, so runs in one process
would leak settings into each other). A variant is an engine and its Dask settings. Every build
runs `build_work` inside a probe that also takes the task thread's own CPU time, so the CPU a
report gives (the whole process's, `time.process_time`) splits into the build's thread and the
engine's threads beside it. Printed per run: makespan; CPU per work as the report gives it and as
the building thread used it; the first work of each worker apart (it pays the imports) and the
mean of the others; the worker processes' whole CPU against the builds'. It asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from batch import BUILD_DATE, make_catalogue  # noqa: E402

WORKERS = 2
NO_TRIM = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
PROFILE = {"distributed.worker.profile.enabled": True}
# Each variant: None for the local pool, else (Dask settings, the workers' preload modules) of the
# LocalCluster it builds on; a preload of None: the cluster `--dask local` starts, as it is.
VARIANTS = {
    "local": None,
    "dask": ({}, None),
    "dask-notrim": (NO_TRIM, None),
    # The cluster `--dask local` started before publisher.dask: the profiler on, nothing preloaded.
    "dask-before": (PROFILE, []),
    "dask-before-notrim": ({**PROFILE, **NO_TRIM}, []),
    "dask-nopreload": ({}, []),
}


def probe(spec, out):
    """`build_work`'s report, the CPU of the thread that ran it, the process and its malloc setting."""
    import gc

    from publisher.batch import build_work

    spent = [0.0, 0.0]

    def clock(phase, info):
        if phase == "start":
            spent[1] = time.thread_time()
        else:
            spent[0] += time.thread_time() - spent[1]

    objects = len(gc.get_objects())
    gc.callbacks.append(clock)
    thread = time.thread_time()
    try:
        report = build_work(spec, out, BUILD_DATE, None)
    finally:
        gc.callbacks.remove(clock)
    return report, time.thread_time() - thread, os.getpid(), os.environ.get("MALLOC_TRIM_THRESHOLD_", "unset"), spent[0], objects


def whole_cpu(pids) -> float:
    import psutil

    return sum(sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids)


def run_local(works, out) -> tuple[list, float]:
    context = get_context("forkserver")
    context.set_forkserver_preload(["publisher.batch.work", "publisher.writers.pdf.setter"])
    with ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        futures = [pool.submit(probe, spec, out) for spec in works]
        results = [future.result() for future in as_completed(futures)]
        return results, whole_cpu(pool._processes)


def run_dask(works, out, config: dict, preload: list | None) -> tuple[list, float]:
    import logging

    import dask
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    from publisher.batch.engines import local_cluster

    with dask.config.set(config):
        cluster = local_cluster(WORKERS) if preload is None else LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, processes=True, host="127.0.0.1", scheduler_port=0,
            dashboard_address=None, silence_logs=logging.CRITICAL, preload=preload)
    with cluster, Client(cluster) as client:
        futures = client.map(probe, works, out=out, pure=False)
        results = [future.result() for future in dask_completed(futures)]
        return results, whole_cpu(client.run(os.getpid).values())


def one_run(variant: str, catalogue: Path, out: Path) -> dict:
    from publisher import BuildOptions
    from publisher.batch import WorkSpec

    options = BuildOptions(cache=False, build_date=BUILD_DATE)
    works = [WorkSpec(str(p), p.stem, options) for p in sorted(catalogue.iterdir())]
    started = time.perf_counter()
    config = VARIANTS[variant]
    results, whole = run_local(works, out) if config is None else run_dask(works, out, *config)
    makespan = time.perf_counter() - started
    assert all(report.ok for report, *_ in results), [report.error for report, *_ in results]
    by_pid: dict[int, list] = {}
    for report, _, pid, *_ in results:  # in completion order: per process, the order it built them
        by_pid.setdefault(pid, []).append(report)
    firsts = {reports[0].id for reports in by_pid.values()}
    return {"makespan": makespan, "works": len(results),
            "task": sum(r.cpu_seconds for r, *_ in results), "thread": sum(t for _, t, *_ in results),
            "gc": sum(r[4] for r in results) / len(results), "objects": max(r[5] for r in results),
            "firsts": [r.cpu_seconds for r, *_ in results if r.id in firsts],
            "others": statistics.mean(r.cpu_seconds for r, *_ in results if r.id not in firsts),
            "whole": whole, "trim": sorted({r[3] for r in results})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--works", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", nargs="*", default=["local", "dask", "dask-before"], choices=VARIANTS)
    parser.add_argument("--one", nargs=3, metavar=("VARIANT", "CATALOGUE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one[0], Path(args.one[1]), Path(args.one[2]))))
        return
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        make_catalogue(work / "catalogue", args.works, [])
        print(f"{args.works} works, {WORKERS} workers, {os.cpu_count()} cores")
        print("| round | variant | makespan s | CPU s/work (report) | CPU s/work (building thread) "
              "| first works' CPU s | others' CPU s/work | workers' whole CPU s | builds' CPU s | MALLOC_TRIM | GC s/work | objects |")
        print("| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |")
        for n in range(args.rounds):
            shift = n % len(args.variants)
            for variant in args.variants[shift:] + args.variants[:shift]:
                run = subprocess.run([sys.executable, __file__, "--one", variant, str(work / "catalogue"),
                                      str(work / f"out-{n}-{variant}")], capture_output=True, text=True, check=True)
                r = json.loads(run.stdout.splitlines()[-1])
                print(f"| {n + 1} | {variant} | {r['makespan']:.1f} | {r['task'] / r['works']:.3f} "
                      f"| {r['thread'] / r['works']:.3f} | {' '.join(f'{s:.2f}' for s in r['firsts'])} "
                      f"| {r['others']:.3f} | {r['whole']:.1f} | {r['task']:.1f} | {','.join(r['trim'])} | {r['gc']:.3f} | {r['objects']} |", flush=True)


if __name__ == "__main__":
    main()
