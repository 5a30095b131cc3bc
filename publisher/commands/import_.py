"""Any source a reader takes → an editable book folder that builds the same book."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import readers
from ..errors import PublisherError, Warnings
from ..output import write_folder
from ..readers import Overrides


@dataclass(frozen=True)
class Imported:
    folder: Path
    chapters: int


def import_book(source: Path, folder: Path, overrides: Overrides = Overrides(), force: bool = False,
                warn: Warnings | None = None) -> Imported:
    """Read `source`, check that it builds, and write it as the book folder `folder` (replacing one
    only with `force`)."""
    folder = Path(folder)
    if folder.exists() and not force:
        raise PublisherError(f"{folder}: already exists; use --force to replace it")
    warn = warn if warn is not None else Warnings()
    draft = readers.draft(Path(source), overrides, warn)
    readers.assemble(draft, warn)  # it must build before anything is written
    write_folder(folder, readers.folder_files(draft), replace=force)
    return Imported(folder, len(draft.all_chapters()))
