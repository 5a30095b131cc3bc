"""A catalogue (a folder of works, or a JSON Lines file listing them) → the works to build.

A folder holds book folders and any source file the readers take; a JSON Lines file has one
`{"source": …, "id": …, "options": {…}}` per line, sources relative to the file. Every work gets
an id that names its folder of outputs; two works that would share one (two `story.txt` in
different places) get `story` and `story-2`.
"""
from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from ..errors import OptionError, Problem, PublisherError
from ..options import BuildOptions
from ..output import slugify
from ..readers import SUFFIXES
from .work import WorkSpec

OPTION_NAMES = {f.name for f in fields(BuildOptions)}


def read_catalogue(catalogue: Path, options: BuildOptions = BuildOptions()) -> list[WorkSpec]:
    """The works of a catalogue, each with `options` under its own; a bad line is a Problem naming it."""
    catalogue = Path(catalogue)
    if catalogue.is_dir():
        sources = [p for p in sorted(catalogue.iterdir()) if _is_work(p)]
        if not sources:
            raise PublisherError(f"{catalogue}: no works in it (book folders, or .txt, .md, .html, .epub, "
                                 ".docx files)")
        return _unique([WorkSpec(str(path), slugify(path.stem if path.is_file() else path.name), options)
                        for path in sources])
    if not catalogue.is_file():
        raise PublisherError(f"{catalogue}: no such catalogue (a folder of works, or a .jsonl file)")
    works = []
    for number, line in enumerate(catalogue.read_text("utf-8").splitlines(), 1):
        if line.strip():
            works.append(_work_of_line(line, catalogue, number, options))
    return _unique(works)


def _is_work(path: Path) -> bool:
    if path.name.startswith("."):
        return False
    return (path / "book.toml").is_file() if path.is_dir() else path.suffix.lower() in SUFFIXES


def _work_of_line(line: str, catalogue: Path, number: int, options: BuildOptions) -> WorkSpec:
    def problem(message: str) -> Problem:
        return Problem(message, str(catalogue), number)

    try:
        entry = json.loads(line)
    except ValueError as error:
        raise problem(f"not JSON: {error}") from None
    if not isinstance(entry, dict) or not isinstance(entry.get("source"), str):
        raise problem('each line must be an object with a "source": {"source": "story.txt", "id": …}')
    source = (catalogue.parent / entry["source"]).resolve()
    own = entry.get("options", {})
    if not isinstance(own, dict) or set(own) - OPTION_NAMES:
        unknown = ", ".join(sorted(set(own) - OPTION_NAMES)) if isinstance(own, dict) else "not an object"
        raise problem(f"options: {unknown} (known: {', '.join(sorted(OPTION_NAMES))})")
    if "formats" in own and isinstance(own["formats"], list):
        own = {**own, "formats": tuple(own["formats"])}
    try:
        merged = BuildOptions(**{**{f.name: getattr(options, f.name) for f in fields(BuildOptions)}, **own})
    except (OptionError, TypeError) as error:
        raise problem(f"options: {error}") from None
    work_id = entry.get("id") or slugify(source.stem if source.suffix else source.name)
    if not isinstance(work_id, str) or slugify(work_id) != work_id.lower():
        raise problem(f"id {work_id!r}: use letters, digits and hyphens (it names a folder)")
    return WorkSpec(str(source), work_id, merged)


def _unique(works: list[WorkSpec]) -> list[WorkSpec]:
    """Ids made unique in catalogue order: story, story-2, story-3."""
    seen: set[str] = set()
    unique = []
    for work in works:
        work_id, n = work.id, 2
        while work_id in seen:
            work_id, n = f"{work.id}-{n}", n + 1
        seen.add(work_id)
        unique.append(WorkSpec(work.source, work_id, work.options))
    return unique


def size_of(source: str) -> int:
    """A work's size in bytes, to start the largest first."""
    path = Path(source)
    try:
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size
    except OSError:
        return 0
