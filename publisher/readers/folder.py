"""A book folder (book.toml + chapters/*.md + images/) → a BookSource.

Chapters are taken in natural order (2 before 10) unless book.toml lists them. A chapter
that is not UTF-8 is a problem reported with the others, never guessed at: the author wrote
these files and can save them right.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..errors import ManuscriptError, Problem
from .assemble import BookSource, ChapterSource


def natural_key(path: Path) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _listed_chapters(toml_text: str) -> list[str] | None:
    try:
        listed = tomllib.loads(toml_text).get("chapters")
    except tomllib.TOMLDecodeError:
        return None  # reported by the metadata check
    return listed if isinstance(listed, list) else None


def read_folder(folder: Path) -> BookSource:
    """Read every file of the book; raise every problem found at once."""
    toml_path = folder / "book.toml"
    if not toml_path.is_file():
        raise ManuscriptError([Problem("no book.toml here: is this a book folder? (publisher new DIR makes one)",
                                       _display(toml_path))])
    problems: list[Problem] = []
    toml_text = _decode(toml_path, problems)
    listed = _listed_chapters(toml_text)
    if listed is not None:
        paths = [folder / name for name in listed]
        missing = [p for p in paths if not p.is_file()]
        for path in missing:
            problems.append(Problem(f"chapter {path.relative_to(folder)} listed in book.toml does not exist",
                                    _display(toml_path)))
        paths = [p for p in paths if p not in missing]
    else:
        paths = sorted((folder / "chapters").glob("*.md"), key=natural_key)
    chapters = tuple(ChapterSource(_display(p), _decode(p, problems)) for p in paths)
    if problems:
        raise ManuscriptError(problems)
    return BookSource(root=folder, toml_path=_display(toml_path), toml_text=toml_text, chapters=chapters,
                      slug=folder.resolve().name)


def _decode(path: Path, problems: list[Problem]) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(Problem("not UTF-8 text: save the file as UTF-8", _display(path), line))
        return ""
    return text.replace("\r\n", "\n").replace("\r", "\n")
