"""One work of a catalogue → its files and a report: the call every engine (a local pool, Dask,
Celery) runs, so each builds the very same bytes.

Everything a build depends on comes in as arguments (the cache folder, the build date): nothing
is read from the environment, and the inputs and the report pickle, so a work can be sent to
another process or machine. A work writes its files, then its manifest, atomically: a work with a
complete manifest whose key matches is done, and is never built again.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..errors import ManuscriptError, PublisherError, Warnings
from ..options import BuildOptions
from ..output import discard_staged, write_atomic

MANIFEST = "manifest.json"
# Options that change how a book is made, never what it is: not part of a work's key.
NOT_IN_KEY = ("jobs", "cache", "cache_dir")


@dataclass(frozen=True)
class WorkSpec:
    """A work to build: its source (a book folder or a file), its id (names its folder of outputs)
    and its options."""

    source: str
    id: str
    options: BuildOptions = BuildOptions()

    def to_dict(self) -> dict:
        """The work as JSON can carry it (a catalogue line), for engines that speak only JSON."""
        return {"source": self.source, "id": self.id, "options": asdict(self.options)}

    @classmethod
    def from_dict(cls, data: dict) -> WorkSpec:
        """The work `to_dict` gave; options left out take their defaults."""
        options = {name: tuple(value) if isinstance(value, list) else value  # JSON has no tuples
                   for name, value in data.get("options", {}).items()}
        return cls(data["source"], data["id"], BuildOptions(**options))


@dataclass(frozen=True)
class OutputFile:
    format: str
    path: str
    size: int
    sha256: str
    pages: int = 0


@dataclass(frozen=True)
class BuildReport:
    """What became of one work: its outputs, or the one-line error and the problems that stopped it."""

    id: str
    source: str
    key: str
    ok: bool
    outputs: tuple[OutputFile, ...] = ()
    words: int = 0
    chapters: int = 0
    warnings: tuple[str, ...] = ()
    error: str = ""
    problems: tuple[str, ...] = ()
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    skipped: bool = False  # already built with this key: nothing was done

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BuildReport:
        """The report `to_json` wrote (a Celery result, a line of a batch's report)."""
        fields = json.loads(text)
        return cls(**{**fields, "outputs": tuple(OutputFile(**o) for o in fields["outputs"]),
                      "warnings": tuple(fields["warnings"]), "problems": tuple(fields["problems"])})


def source_digest(source: Path) -> str:
    """A hash of a source's content: a file's bytes, or every file in a book folder with its path."""
    digest = hashlib.sha256()
    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
    for path in files:
        name = path.relative_to(source).as_posix() if source.is_dir() else ""
        digest.update(f"{name}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _installed(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    """The installed versions a work's key holds: a worker with others would build other bytes."""
    return {"publisher": _installed("publisher"), "weasyprint": _installed("weasyprint")}


def work_key(source: Path, options: BuildOptions) -> str:
    """What the outputs depend on: the source's content, the options that shape the book (its build
    date among them), and the versions of publisher and WeasyPrint."""
    shaping = {name: value for name, value in asdict(options).items() if name not in NOT_IN_KEY}
    text = json.dumps([source_digest(source), shaping, *versions().values()], sort_keys=True, default=list)
    return hashlib.sha256(text.encode()).hexdigest()


def done(folder: Path, key: str) -> BuildReport | None:
    """The report of a work already built with this key, when its manifest and every output it lists
    are whole (each file's sha256 checked); else None."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        if manifest.get("key") != key or not manifest.get("ok"):
            return None
        outputs = tuple(OutputFile(**item) for item in manifest["outputs"])
        for output in outputs:
            if hashlib.sha256(Path(output.path).read_bytes()).hexdigest() != output.sha256:
                return None
        fields = {name: manifest[name] for name in ("id", "source", "key", "words", "chapters", "seconds",
                                                    "cpu_seconds")}
        return BuildReport(ok=True, outputs=outputs, warnings=tuple(manifest.get("warnings", ())), skipped=True,
                           **fields)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build_work(spec: WorkSpec, out: Path, build_date: str, cache_dir: Path | None = None,
               jobs: int = 1) -> BuildReport:
    """Build one work into `out/<id>/` (its files are called `<id>.epub`, `<id>.pdf`, then its
    manifest): a report either way. `cache_dir` holds set chapters (None: no cache), `build_date`
    dates the files (seconds since 1970 or 2026-11-29), so the same work gives the same bytes on
    every engine and machine. A work already built with the same key is not built again."""
    started, cpu = time.perf_counter(), time.process_time()
    source, folder = Path(spec.source), Path(out) / spec.id
    options = replace(spec.options, cache=cache_dir is not None, cache_dir=str(cache_dir or ""),
                      build_date=spec.options.build_date or build_date, jobs=jobs)
    try:
        key = work_key(source, options)
    except OSError as error:
        return BuildReport(spec.id, spec.source, "", False, error=f"{source}: cannot read: {error.strerror}")
    earlier = done(folder, key)
    if earlier is not None:
        return earlier
    discard_staged(folder)  # what a worker killed while writing this work left behind
    from ..commands.build import build_book  # the commands package imports this one (publisher batch)

    warn = Warnings()
    try:
        manuscript, outputs = build_book(source, folder, options, warn, name=spec.id)
    except PublisherError as error:
        problems = tuple(str(p) for p in error.problems) if isinstance(error, ManuscriptError) else ()
        return BuildReport(spec.id, spec.source, key, False, warnings=tuple(warn.messages),
                           error=str(error).split("\n")[0], problems=problems,
                           seconds=time.perf_counter() - started, cpu_seconds=time.process_time() - cpu)
    files = tuple(OutputFile(o.format, str(o.path), o.size, hashlib.sha256(o.path.read_bytes()).hexdigest(), o.pages)
                  for o in outputs)
    report = BuildReport(spec.id, spec.source, key, True, files, manuscript.words, len(manuscript.chapters),
                         tuple(warn.messages), seconds=time.perf_counter() - started,
                         cpu_seconds=time.process_time() - cpu)
    write_atomic(folder / MANIFEST, (report.to_json() + "\n").encode("utf-8"))  # last: the work is done
    return report

