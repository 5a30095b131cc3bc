"""A title and an author → a new book folder that builds at once."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import tomli_w

from ..errors import PublisherError
from ..output import write_folder


def new_book_files(title: str, author: str = "") -> dict[str, bytes]:
    data = {"title": title, "language": "en"}
    if author:
        data["author"] = author
    data["summary"] = "One or two sentences that make a reader want this book."
    chapter = resources.files("publisher").joinpath("templates/new-chapter.md").read_bytes()
    return {"book.toml": tomli_w.dumps(data).encode(), "chapters/01-the-beginning.md": chapter}


def new_book(folder: Path, title: str, author: str = "") -> Path:
    """Write the folder (never over one that has files in it); return it."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise PublisherError(f"{folder}: already exists and is not empty")
    write_folder(folder, new_book_files(title, author), replace=folder.exists())
    return folder
