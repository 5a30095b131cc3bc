"""Bytes → files, atomically: a failed or interrupted build never leaves a half-written file, and
a build that writes several files changes all of them or none.

Each file is written to a temporary file in the same folder and moved into place with
os.replace, which is atomic on POSIX and Windows; a folder is staged the same way. Before the
first byte is written, every destination is checked; if a later replace still fails, the files
this build already replaced are put back.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from .errors import PublisherError


def slugify(text: str) -> str:
    """A file name for the built books: "The Lamp" → "the-lamp"."""
    slug = re.sub(r"[^\w]+", "-", text.lower(), flags=re.ASCII).strip("-")
    return slug or "book"


def write_atomic(path: Path, data: bytes) -> None:
    temporary = _stage(path, data)
    try:
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _stage(path: Path, data: bytes) -> str:
    """`data` written and synced to a temporary file beside `path`; its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def discard_staged(folder: Path) -> int:
    """Remove the staged files a killed writer left in `folder` (`.name.xxxx.part`, never seen by a
    reader: they were never moved into place); the number removed. Only for a folder no other
    writer is using now."""
    removed = 0
    for staged in folder.glob(".*.part") if folder.is_dir() else ():
        staged.unlink(missing_ok=True)
        removed += 1
    return removed


def write_folder(folder: Path, files: dict[str, bytes], replace: bool = False) -> None:
    """Write a whole folder at once: staged beside it, then moved into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, data in files.items():
            target = stage / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(stage, 0o755)
        if replace and folder.exists():
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
            os.replace(stage, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(stage, folder)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def check_destination(path: Path) -> None:
    """A PublisherError naming the problem when `path` cannot be written as a file."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            raise PublisherError(f"{parent}: is a file, so {path} cannot be written there: choose another -o folder")
    if path.is_dir():
        raise PublisherError(f"{path}: a folder is in the way of the file to write: move it or choose another -o")
    folder = next((p for p in [path.parent, *path.parents] if p.exists()), None)
    if folder is not None and not os.access(folder, os.W_OK | os.X_OK):
        raise PublisherError(f"{folder}: not writable: choose another -o folder")


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file or none: check all destinations, stage every file beside its destination,
    then move them into place, putting back the earlier files if a move fails."""
    for path in files:
        check_destination(path)
    staged: dict[Path, str] = {}
    try:
        for path, data in files.items():
            staged[path] = _stage(path, data)
    except OSError as error:
        _discard(staged.values())
        raise PublisherError(f"{error.filename or path}: cannot write: {error.strerror}") from None
    except BaseException:
        _discard(staged.values())
        raise
    _swap_in(staged)


def _swap_in(staged: dict[Path, str]) -> None:
    """Move the staged files into place; on any failure, restore what was there before."""
    kept: dict[Path, str | None] = {}  # destination → its earlier file, set aside (None: there was none)
    try:
        for path, temporary in staged.items():
            earlier = None
            if path.exists():
                earlier = tempfile.mktemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent)
                os.link(path, earlier)
            kept[path] = earlier
            os.replace(temporary, path)
    except BaseException as error:
        for path, earlier in kept.items():
            if earlier is not None:
                os.replace(earlier, path)  # a no-op when `path` was never replaced: both are one file
                Path(earlier).unlink(missing_ok=True)
            else:
                path.unlink(missing_ok=True)
        _discard(staged.values())
        if isinstance(error, OSError):
            raise PublisherError(f"{error.filename or path}: cannot write: {error.strerror}; "
                                 "no output was changed") from None
        raise
    _discard(e for e in kept.values() if e)


def _discard(paths) -> None:
    for name in paths:
        Path(name).unlink(missing_ok=True)
