"""Catalogues: `publisher batch` on the local pool, built for real; the work-level call; builds in
processes that may not have children; errors that cross a process boundary whole."""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
import shutil
import signal
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLE
from publisher import BuildOptions, ManuscriptError, Problem, build
from publisher.batch import WorkSpec, build_work
from publisher.cli import main
from publisher.commands.batch import batch

WORDS = ("lamp", "harbour", "ledger", "quay", "rope", "weather", "lantern", "gull", "tide", "salt", "wall", "gate")


def story(seed: int, chapters: int = 2, paragraphs: int = 4) -> str:
    """A short story of our own filler, different for each seed."""
    def sentence(n: int) -> str:
        a, b, c = (WORDS[(seed * 7 + n * k) % len(WORDS)] for k in (1, 3, 5))
        return f"The {a} by the {b} kept its {c} until evening, and nobody asked why."

    text = f"Title: Story {seed}\nAuthor: Test Writer\n\n"
    for chapter in range(1, chapters + 1):
        text += f"Chapter {chapter}\n\n" + "\n\n".join(
            " ".join(sentence(seed + chapter * 10 + p * 3 + s) for s in range(3)) for p in range(paragraphs)) + "\n\n"
    return text


def catalogue(folder: Path, works: int = 4) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(works):
        (folder / f"story-{seed}.txt").write_text(story(seed, paragraphs=3 + seed))
    return folder


def outputs_of(out: Path) -> dict[str, str]:
    """Every output file under `out` (manifests aside) → its sha256."""
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and p.name != "manifest.json" and not p.name.startswith(".")}


def assert_every_work_whole(summary, out: Path, works: int) -> None:
    """Every work of a catalogue(…, works) built once, each output matching the sha256 its report
    gives, no temporary file left: what a batch whose worker was killed must still deliver."""
    assert sorted(r.id for r in summary.reports) == [f"story-{n}" for n in range(works)]
    assert all(r.ok for r in summary.reports), [r.error for r in summary.reports]
    for report in summary.reports:
        for output in report.outputs:
            assert hashlib.sha256(Path(output.path).read_bytes()).hexdigest() == output.sha256
    assert not [p for p in out.rglob(".*") if p.name != ".publisher-batch.json"]


EPUB_ONLY = BuildOptions(formats=("epub",))


def _stop(process: subprocess.Popen, seconds: float = 30) -> None:
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(seconds)


def _in_time(call, seconds: float = 300):
    """What `call()` returns (or raises), or a failed test if it has not returned in `seconds`: a
    lost work would otherwise leave the batch waiting for ever."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as error:  # raised again in the test's thread
            outcome.append((False, error))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if not outcome:
        pytest.fail(f"not done within {seconds} s")
    returned, value = outcome[0]
    if not returned:
        raise value
    return value


def test_a_batch_builds_every_work_once_and_a_second_run_builds_nothing(tmp_path):
    works = catalogue(tmp_path / "works")
    out = tmp_path / "out"
    first = batch(works, out, EPUB_ONLY, workers=2)
    assert (first.built, first.skipped, len(first.failed)) == (4, 0, 0)
    for report in first.reports:
        manifest = json.loads((out / report.id / "manifest.json").read_text())
        assert manifest["key"] == report.key and manifest["ok"]
        assert [o["path"] for o in manifest["outputs"]] == [str(out / report.id / f"{report.id}.epub")]
        assert hashlib.sha256(Path(manifest["outputs"][0]["path"]).read_bytes()).hexdigest() == \
            manifest["outputs"][0]["sha256"]
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second = batch(works, out, EPUB_ONLY, workers=2)
    assert (second.built, second.skipped) == (0, 4)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before
    (works / "story-1.txt").write_text(story(1) + "\nChapter 3\n\nOne more evening by the quay.\n")
    third = batch(works, out, EPUB_ONLY, workers=2)
    assert [r.id for r in third.reports if not r.skipped] == ["story-1"]  # only the changed work


def test_the_same_build_date_gives_the_same_bytes_as_a_plain_build(tmp_path):
    works = catalogue(tmp_path / "works", 2)
    options = BuildOptions(build_date="2026-11-25")
    batch(works, tmp_path / "a", options, workers=2)
    batch(works, tmp_path / "b", options, workers=1)
    assert outputs_of(tmp_path / "a") == outputs_of(tmp_path / "b")
    alone = build(works / "story-0.txt", tmp_path / "c", options)
    assert {o.format: hashlib.sha256(o.path.read_bytes()).hexdigest() for o in alone} == {
        name.rsplit(".", 1)[1]: sha for name, sha in outputs_of(tmp_path / "a").items() if name.startswith("story-0/")}


def test_works_with_one_name_get_their_own_folders_from_a_jsonl_catalogue(tmp_path):
    for place in ("a", "b"):
        (tmp_path / place).mkdir()
        (tmp_path / place / "story.txt").write_text(story(ord(place)))
    listing = tmp_path / "catalogue.jsonl"
    listing.write_text('{"source": "a/story.txt"}\n{"source": "b/story.txt", "options": {"trim": "5x8"}}\n'
                       '{"source": "a/story.txt", "id": "chosen-name", "options": {"formats": ["epub"]}}\n')
    summary = batch(listing, tmp_path / "out", EPUB_ONLY, workers=1)
    assert sorted(r.id for r in summary.reports) == ["chosen-name", "story", "story-2"]
    assert all(r.ok for r in summary.reports)


def test_a_bad_line_of_a_catalogue_is_one_line_naming_it(tmp_path):
    listing = tmp_path / "catalogue.jsonl"
    listing.write_text('{"source": "a.txt"}\n{"source": "b.txt", "options": {"trimm": "5x8"}}\n')
    result = CliRunner().invoke(main, ["batch", str(listing), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{listing}:2: options: trimm" in result.output


def test_bad_works_fail_alone_with_their_one_line_error(tmp_path):
    works = catalogue(tmp_path / "works", 2)
    (works / "broken.epub").write_bytes(b"PK\x03\x04 not really a zip")
    book = works / "missing-image"
    shutil.copytree(SAMPLE, book)
    chapter = next((book / "chapters").glob("*.md"))
    chapter.write_text(chapter.read_text() + "\n\n![A lamp that is not there](images/gone.png)\n")
    (works / "control.txt").write_text(story(9).replace("nobody asked why", "nobody\x07 asked why", 1))
    result = CliRunner().invoke(main, ["batch", str(works), "-o", str(tmp_path / "out"), "--workers", "2",
                                       "-f", "epub", "-q"])
    assert result.exit_code == 1
    reports = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert set(reports) == {"story-0", "story-1", "broken", "missing-image", "control"}
    assert reports["story-0"]["ok"] and reports["story-1"]["ok"]
    assert not reports["broken"]["ok"] and "broken.epub" in reports["broken"]["error"]
    assert not reports["missing-image"]["ok"] and "gone.png" in reports["missing-image"]["error"]
    assert "\n" not in reports["broken"]["error"] + reports["missing-image"]["error"]
    assert reports["control"]["ok"] and any("control character" in w for w in reports["control"]["warnings"])
    assert not (tmp_path / "out" / "broken" / "manifest.json").exists()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def test_a_worker_killed_mid_batch_costs_nothing_but_time(tmp_path):
    works = catalogue(tmp_path / "works", 6)
    out = tmp_path / "out"
    killed = []

    def kill_a_busy_worker(report) -> None:
        if killed:
            return
        # The pool's workers are children of this process's fork server: kill one of them.
        workers = [grandchild for child in _children(os.getpid()) for grandchild in _children(child)]
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])

    summary = batch(works, out, BuildOptions(formats=("epub", "pdf")), workers=2, on_report=kill_a_busy_worker)
    assert killed, "no worker was found to kill"
    assert_every_work_whole(summary, out, 6)
    again = batch(works, out, BuildOptions(formats=("epub", "pdf")), workers=2)
    assert again.skipped == 6 and again.built == 0


def _build_in_a_daemon(out: str) -> None:
    build(SAMPLE, Path(out), BuildOptions(jobs=0, cache=False))
    if _children(os.getpid()):  # a fork server, or workers, left behind
        raise SystemExit(3)


def test_a_build_inside_a_daemonic_process_sets_type_in_process_and_leaves_no_fork_server(tmp_path):
    process = multiprocessing.get_context("fork").Process(target=_build_in_a_daemon, args=(str(tmp_path),),
                                                          daemon=True)
    process.start()
    process.join(300)
    assert process.exitcode == 0
    assert (tmp_path / "the-lamplighters-daughter.pdf").stat().st_size > 10_000
    with zipfile.ZipFile(tmp_path / "the-lamplighters-daughter.epub") as epub:
        assert epub.testzip() is None


def test_errors_cross_a_process_boundary_whole():
    error = ManuscriptError([Problem("image 'x.png' has no alt text", "chapters/01.md", 3), Problem("no title")])
    back = pickle.loads(pickle.dumps(error))
    assert [str(p) for p in back.problems] == ["chapters/01.md:3: image 'x.png' has no alt text", "no title"]
    assert str(back) == str(error)
    problem = pickle.loads(pickle.dumps(Problem("bad", "a.md", 2)))
    assert (problem.message, problem.path, problem.line) == ("bad", "a.md", 2)


def test_the_work_call_reads_nothing_from_the_environment(tmp_path, monkeypatch):
    works = catalogue(tmp_path / "works", 1)
    spec = WorkSpec(str(works / "story-0.txt"), "one", BuildOptions(formats=("epub", "pdf")))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    first = build_work(spec, tmp_path / "a", "2026-11-25")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    second = build_work(spec, tmp_path / "b", "2026-11-25")  # no cache: its fonts are subset again
    assert first.ok and first.key == second.key
    assert [o.sha256 for o in first.outputs] == [o.sha256 for o in second.outputs]
    report = pickle.loads(pickle.dumps(first))
    assert report == first and json.loads(first.to_json())["words"] == first.words > 0


def test_a_batch_longer_than_a_round_of_fresh_processes_finishes(tmp_path, monkeypatch):
    """Works are built in rounds of fresh processes; a pool whose workers retire after N works
    (max_tasks_per_child) hung on Python 3.11 after workers x N works."""
    import threading

    from publisher.batch import engines

    monkeypatch.setattr(engines, "WORKS_PER_PROCESS", 2)
    works = catalogue(tmp_path / "works", 7)
    result = []
    thread = threading.Thread(target=lambda: result.append(batch(works, tmp_path / "out", EPUB_ONLY, workers=2)),
                              daemon=True)
    thread.start()
    thread.join(180)
    assert not thread.is_alive(), "the batch hung"
    assert result[0].built == 7 and not result[0].failed


def test_a_work_cleans_what_a_writer_killed_mid_write_left_in_its_folder(tmp_path):
    works = catalogue(tmp_path / "works", 1)
    left = tmp_path / "out" / "one" / ".one.epub.x7k2m9.part"  # as output._stage names a staged file
    left.parent.mkdir(parents=True)
    left.write_bytes(b"half an EPUB")
    report = build_work(WorkSpec(str(works / "story-0.txt"), "one", EPUB_ONLY), tmp_path / "out", "2026-11-25")
    assert report.ok and not left.exists()
    assert sorted(p.name for p in left.parent.iterdir()) == ["manifest.json", "one.epub"]
