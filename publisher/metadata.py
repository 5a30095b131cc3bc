"""book.toml text → a checked BookConfig; every problem in it is reported at once.

The schema below is the single list of keys the docs, ``publisher new`` and ``publisher import``
use. Values that hold prose (summary, disclaimer, dedication, notes) stay Markdown here; the
readers turn them into XHTML with the chapters.
"""
from __future__ import annotations

import difflib
import re
import tomllib
import uuid
from dataclasses import dataclass, field

from .errors import ManuscriptError, Problem, Warnings
from .manuscript import Metadata, StoryInfo

TEXT, TEXTS, NUMBER, TABLE = "a string", "a list of strings", "a number", "a table of strings"

# key → kind; `author` and `authors` are one field, as are `identifier` and `isbn`.
BOOK_KEYS = {
    "title": TEXT, "subtitle": TEXT, "author": TEXT, "authors": TEXTS, "language": TEXT,
    "summary": TEXT, "disclaimer": TEXT, "dedication": TEXT, "identifier": TEXT, "isbn": TEXT,
    "publisher": TEXT, "date": TEXT, "rights": TEXT, "series": TEXT, "series_index": NUMBER,
    "subjects": TEXTS, "source": TEXT, "front_matter": TEXT, "cover": TEXT, "chapters": TEXTS, "notes": TABLE, "story": "a table",
    "epigraph": TEXT, "epigraph_source": TEXT, "back_matter": TEXTS, "numbering": TEXT, "works": TEXTS,
}
STORY_KEYS = {
    "fandoms": TEXTS, "rating": TEXT, "warnings": TEXTS, "categories": TEXTS, "relationships": TEXTS,
    "characters": TEXTS, "tags": TEXTS, "status": TEXT, "published": TEXT, "updated": TEXT,
}
FRONT_MATTER = ("auto", "full", "compact")
NUMBERING = ("book", "part")  # chapter numbers run through the book, or restart in each part
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class BookConfig:
    """book.toml, checked: the Metadata plus the prose and file lists the reader still needs."""

    metadata: Metadata
    summary: str = ""
    disclaimer: str = ""
    dedication: str = ""
    notes: dict[str, str] = field(default_factory=dict)
    cover: str = ""
    chapters: tuple[str, ...] = ()
    front_matter: str = "auto"  # "full", "compact", or "auto": compact for a short work
    epigraph: str = ""
    epigraph_source: str = ""
    back_matter: tuple[str, ...] = ()  # files, in order; none listed → back/*.md
    numbering: str = "book"
    works: tuple[str, ...] = ()  # an anthology: its works' folders and files, in order


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None


def _kind_ok(value, kind: str) -> bool:
    if kind == TEXT:
        return isinstance(value, str) or hasattr(value, "isoformat")  # TOML dates are fine
    if kind == TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == TABLE:
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, dict)


def _check_keys(table: dict, schema: dict, text: str, path: str, prefix: str = "") -> list[Problem]:
    problems = []
    for key, value in table.items():
        if key not in schema:
            near = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
            hint = f" (did you mean {near[0]!r}?)" if near else f"; known keys: {', '.join(schema)}"
            problems.append(Problem(f"unknown key {prefix + key!r}{hint}", path, _line_of(text, key)))
        elif not _kind_ok(value, schema[key]):
            problems.append(Problem(f"{prefix + key!r} must be {schema[key]}", path, _line_of(text, key)))
    return problems


def derive_identifier(title: str, authors: tuple[str, ...]) -> str:
    """A stable identifier from the book itself, so rebuilding never changes it."""
    name = "\n".join([title.strip().lower(), *sorted(a.strip().lower() for a in authors)])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'publisher:' + name)}"


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean_strings(value, key: str, text: str, path: str, warn: Warnings | None):
    """Strings with the characters no book can hold taken out: TOML escapes (\\u0001) let them in
    after the file's own text was cleaned. One warning per value."""
    if isinstance(value, dict):
        return {k: _clean_strings(v, f"{key}.{k}" if key else k, text, path, warn) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_strings(v, key, text, path, warn) for v in value]
    if isinstance(value, str):
        cleaned, removed = _INVALID_XML.subn("", value)
        if removed and warn is not None:
            warn(f"removed {removed} control character(s) from {key!r}, which cannot appear in a book", path,
                 _line_of(text, key.rsplit(".", 1)[-1]))
        return cleaned
    return value


def parse_book_toml(text: str, path: str = "book.toml", warn: Warnings | None = None) -> BookConfig:
    """Check book.toml and return its config; raise a list of Problems naming file and line."""
    try:
        data = _clean_strings(tomllib.loads(text), "", text, path, warn)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        message = re.sub(r"\s*\(at line.*\)$", "", str(error))
        line = int(match[1]) if match else None
        col = f", column {match[2]}" if match else ""
        raise ManuscriptError([Problem(f"invalid TOML{col}: {message}", path, line)])
    problems = _check_keys(data, BOOK_KEYS, text, path)
    story = data.get("story", {})
    if isinstance(story, dict):
        problems += _check_keys(story, STORY_KEYS, text, path, prefix="story.")
    if not str(data.get("title", "")).strip():
        problems.append(Problem("the book has no title: add  title = \"...\"", path, None))
    if "author" in data and "authors" in data:
        problems.append(Problem("give either 'author' or 'authors', not both", path, _line_of(text, "authors")))
    language = str(data.get("language", "en"))
    if not LANGUAGE_TAG.match(language):
        problems.append(Problem(f"language {language!r} is not a BCP 47 tag such as 'en' or 'en-GB'",
                                path, _line_of(text, "language")))
    if str(data.get("front_matter", "auto")) not in FRONT_MATTER:
        problems.append(Problem(f"front_matter must be one of {', '.join(FRONT_MATTER)}", path,
                                _line_of(text, "front_matter")))
    if str(data.get("numbering", "book")) not in NUMBERING:
        problems.append(Problem(f"numbering must be one of {', '.join(NUMBERING)}", path, _line_of(text, "numbering")))
    if data.get("works") and data.get("chapters"):
        problems.append(Problem("give either 'works' (an anthology) or 'chapters', not both", path,
                                _line_of(text, "works")))
    if problems:
        raise ManuscriptError(problems)

    def text_of(key: str, source: dict = data) -> str:
        value = source.get(key, "")
        return str(value).strip()

    authors = tuple(data.get("authors") or ([data["author"]] if data.get("author") else []))
    title = text_of("title")
    isbn = re.sub(r"[^0-9Xx]", "", text_of("isbn"))
    # Without either, the identifier is derived from the title and authors when the book is assembled
    # (after any title given on the command line).
    identifier = text_of("identifier") or (f"urn:isbn:{isbn}" if isbn else "")
    story_info = None
    if story:
        story_info = StoryInfo(**{k: tuple(v) if isinstance(v, list) else str(v) for k, v in story.items()})
    metadata = Metadata(
        title=title, identifier=identifier, subtitle=text_of("subtitle"), authors=authors,
        language=language, isbn=isbn, publisher=text_of("publisher"), date=text_of("date"),
        rights=text_of("rights"), series=text_of("series"),
        series_index=data.get("series_index"), subjects=tuple(data.get("subjects", ())), story=story_info,
        source=text_of("source"),
    )
    return BookConfig(
        metadata=metadata, summary=text_of("summary"), disclaimer=text_of("disclaimer"),
        dedication=text_of("dedication"), notes=dict(data.get("notes", {})), cover=text_of("cover"),
        chapters=tuple(data.get("chapters", ())), front_matter=str(data.get("front_matter", "auto")),
        epigraph=text_of("epigraph"), epigraph_source=text_of("epigraph_source"),
        back_matter=tuple(data.get("back_matter", ())), numbering=str(data.get("numbering", "book")),
        works=tuple(data.get("works", ())),
    )

