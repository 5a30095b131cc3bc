"""Files of a book folder, made rather than read: a new book (`publisher new`) or an imported one.

Returns {relative path: bytes}; the CLI writes them with output.write_folder.
"""
from __future__ import annotations

import re
from importlib import resources

import tomli_w

from .readers.assemble import BookSource, split_front_matter, take_title


def new_book_files(title: str, author: str) -> dict[str, bytes]:
    data = {"title": title, "language": "en"}
    if author:
        data["author"] = author
    data["summary"] = "One or two sentences that make a reader want this book."
    chapter = resources.files("publisher").joinpath("templates/new-chapter.md").read_bytes()
    return {"book.toml": tomli_w.dumps(data).encode(), "chapters/01-the-beginning.md": chapter}


def _file_name(number: int, title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-")
    return f"chapters/{number:02d}-{slug or 'chapter'}.md"


def import_files(source: BookSource) -> dict[str, bytes]:
    """An imported BookSource as files: book.toml and chapters/NN-title.md."""
    files = {"book.toml": source.toml_text.encode("utf-8")}
    for number, chapter in enumerate(source.chapters, 1):
        fields, body, _, _ = split_front_matter(chapter)
        title = fields.get("title") or take_title(body)[0] or f"Chapter {number}"
        files[_file_name(number, title)] = chapter.text.encode("utf-8")
    return files
