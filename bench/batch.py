"""Benchmark: a generated catalogue built by `publisher batch` on each engine, with the figures issue 17 asks.

    python bench/batch.py [--works 200] [--novels pride-and-prejudice moby-dick] [--engines sequential local dask celery]

The catalogue is written by a generator of original filler text: short works of 1,000 to 8,000 words
(.txt stories, about 1,500 words a chapter), plus corpus novels as book folders when ../shared/corpus
has them. Every engine builds the same catalogue cold (--no-cache) with the same --build-date into a
fresh folder, as a whole `publisher batch` process; Celery gets a redis-server and a prefork worker
of 2 processes started here on 127.0.0.1. Printed: works a minute, CPU seconds per work, the fixed
cost per book and the cost per 1,000 words (a least-squares fit over the short works), p50/p95
latency per work, peak RSS of the largest process, the makespan against max(total CPU / 2, largest
book), and the engine's share of the workers' time that went to no work. It asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import CORPUS, measure  # noqa: E402  (the same /proc sampling as the book benchmark)

WORKERS = 2
BUILD_DATE = "2026-11-29"
NOUNS = ("lamp", "harbour", "ledger", "quay", "rope", "weather", "lantern", "gull", "tide", "salt", "wall", "gate",
         "kettle", "orchard", "ferry", "letter", "window", "bridge", "clock", "garden")
VERBS = ("kept", "watched", "mended", "counted", "carried", "forgot", "found", "painted", "answered", "waited for")
PLACES = ("by the water", "under the eaves", "at the end of the lane", "behind the mill", "on the long road")


def sentence(n: int) -> str:
    a, b, c = NOUNS[n % len(NOUNS)], VERBS[(n // 3) % len(VERBS)], NOUNS[(n * 7 + 3) % len(NOUNS)]
    return f"The {a} {PLACES[(n // 5) % len(PLACES)]} {b} the {c}, as it had every evening that year."


def write_story(path: Path, seed: int, words: int) -> None:
    """A story of about `words` words in chapters of about 1,500."""
    chapters = max(1, round(words / 1500))
    per_chapter = words // chapters
    text = f"Title: Generated Story {seed}\nAuthor: Bench Writer\n\n"
    n = seed * 1009
    for chapter in range(1, chapters + 1):
        paragraphs, count = [], 0
        while count < per_chapter:
            paragraph = " ".join(sentence(n + k) for k in range(4))
            n += 4
            count += len(paragraph.split())
            paragraphs.append(paragraph)
        text += f"Chapter {chapter}\n\n" + "\n\n".join(paragraphs) + "\n\n"
    path.write_text(text)


def make_catalogue(folder: Path, works: int, novels: list[str]) -> dict[str, int]:
    """The catalogue's works → their words."""
    folder.mkdir(parents=True)
    sizes = {}
    for seed in range(works):
        words = 1000 + (seed * 2654435761) % 7001  # spread evenly over 1,000-8,000
        write_story(folder / f"story-{seed:03d}.txt", seed, words)
        sizes[f"story-{seed:03d}"] = words
    for novel in novels:
        if (CORPUS / novel).is_dir():
            shutil.copytree(CORPUS / novel, folder / novel)
            sizes[novel] = sum(len(p.read_text().split()) for p in (folder / novel / "chapters").rglob("*.md"))
    return sizes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_celery(work: Path) -> tuple[str, list[subprocess.Popen]]:
    """A redis-server and a prefork Celery worker of WORKERS processes, on 127.0.0.1; (broker, processes)."""
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL, cwd=work)
    broker = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
    env = dict(os.environ, PUBLISHER_CELERY_BROKER=broker)
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "publisher.celery", "worker", "--pool", "prefork",
                               "--concurrency", str(WORKERS), "--loglevel", "WARNING"], env=env, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from publisher.celery import configure  # the worker is ready when it answers a ping

    app = configure(broker)
    while not app.control.ping(timeout=1.0):
        if time.monotonic() > deadline + 40:
            raise SystemExit("the Celery worker did not start")
    return broker, [worker, redis]


def run_engine(engine: str, catalogue: Path, work: Path, flags: list[str]) -> tuple[float, int, list[dict]]:
    """(makespan s, peak RSS MiB of the largest process, reports) of one cold batch."""
    out = work / f"out-{engine}"
    command = [sys.executable, "-m", "publisher", "batch", str(catalogue), "-o", str(out), "--no-cache",
               "--build-date", BUILD_DATE, "-q", "--report", str(work / f"{engine}.jsonl"), *flags]
    helpers: list[subprocess.Popen] = []
    if engine == "sequential":
        command += ["--workers", "1"]
    elif engine == "local":
        command += ["--workers", str(WORKERS)]
    elif engine == "dask":
        command += ["--dask", "local", "--workers", str(WORKERS)]
    elif engine == "celery":
        broker, helpers = start_celery(work)
        command += ["--celery", broker]
    try:
        wall, largest, _, _ = measure(command, allow_failure=True)
    finally:
        for process in helpers:
            process.terminate()
            process.wait(30)
    reports = [json.loads(line) for line in (work / f"{engine}.jsonl").read_text().splitlines()]
    return wall, largest, reports


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least squares y = a + b·x over (x, y)."""
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    b = sum((x - mx) * (y - my) for x, y in points) / (sum((x - mx) ** 2 for x, _ in points) or 1)
    return my - b * mx, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--works", type=int, default=200)
    parser.add_argument("--novels", nargs="*", default=["pride-and-prejudice", "moby-dick"])
    parser.add_argument("--engines", nargs="*", default=["sequential", "local", "dask", "celery"])
    parser.add_argument("--flags", default="", help='extra options for every build, e.g. --flags=--no-polish')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sizes = make_catalogue(work / "catalogue", args.works, args.novels)
        print(f"machine: {os.cpu_count()} cores; catalogue: {args.works} generated works "
              f"({min(list(sizes.values())[:args.works]):,}-{max(list(sizes.values())[:args.works]):,} words) "
              f"+ {', '.join(n for n in args.novels if n in sizes) or 'no novels'}; {sum(sizes.values()):,} words")
        print("| engine | works | failed | makespan s | works/min | CPU s / work | fixed CPU s / book | CPU s / 1k words "
              "| p50 / p95 s | peak RSS MiB (largest) | makespan / max(CPU/2, largest) | idle share |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
        for engine in args.engines:
            wall, largest, reports = run_engine(engine, work / "catalogue", work, shlex.split(args.flags))
            done = [r for r in reports if r["ok"]]
            cpu = sum(r["cpu_seconds"] for r in done)
            short = [(sizes[r["id"]] / 1000, r["cpu_seconds"]) for r in done if r["id"].startswith("story-")]
            fixed, per_k = fit(short) if len(short) > 1 else (0.0, 0.0)
            latencies = sorted(r["seconds"] for r in done)
            p50 = statistics.median(latencies) if latencies else 0
            p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0
            largest_book = max((r["seconds"] for r in done), default=0)
            workers = 1 if engine == "sequential" else WORKERS
            bound = max(cpu / workers, largest_book)
            idle = 1 - sum(r["seconds"] for r in done) / (workers * wall) if wall else 0
            print(f"| {engine} | {len(reports)} | {len(reports) - len(done)} | {wall:.1f} | {len(done) / wall * 60:.1f} | "
                  f"{cpu / max(len(done), 1):.2f} | {fixed:.2f} | {per_k:.3f} | {p50:.2f} / {p95:.2f} | {largest} | "
                  f"{wall / bound:.2f} | {idle:.1%} |", flush=True)


if __name__ == "__main__":
    main()
