"""Front matter between ``---`` lines at the top of a Markdown file ⇄ fields and the body below.

The one front-matter parser: chapter files (``title:``, ``summary:``…) and a single Markdown
book's metadata block both use it, and `dump` writes what `split` reads back, for
`publisher import`. A value runs on over indented lines; ``|`` and ``>`` start a block value.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..errors import Problem

_FIELD = re.compile(r"^([A-Za-z_][\w'-]*(?: [\w'-]+){0,2})\s*:\s?(.*)$")


@dataclass(frozen=True)
class Split:
    fields: dict[str, str]  # lower-case keys, - as _
    body: str
    body_line: int  # the body's first line in the file
    problems: tuple[Problem, ...]


def split(text: str, where: str, known: tuple[str, ...] | None = None, kind: str = "field") -> Split:
    """Fields and body; keys outside `known` (when given) are problems that suggest the nearest."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return Split({}, text, 1, ())
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return Split({}, text, 1, (Problem("front matter opened with '---' is never closed", where, 1),))
    fields: dict[str, str] = {}
    problems: list[Problem] = []
    key = None
    for number, line in enumerate(lines[1:end], 2):
        match = _FIELD.match(line)
        if match and not line[:1].isspace():
            key = match[1].strip().lower().replace("-", "_")
            if known is not None and key not in known:
                near = difflib.get_close_matches(key, known, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else f"; use {', '.join(known)}"
                problems.append(Problem(f"unknown {kind} {key!r}{hint}", where, number))
            value = match[2].strip()
            fields[key] = "" if value in ("|", ">") else _unquote(value)
        elif key and line.strip():
            fields[key] = (fields[key] + "\n" + line.strip()).strip()
        elif key:
            fields[key] += "\n"
        elif line.strip():
            problems.append(Problem("expected 'field: value' in front matter", where, number))
    return Split({k: v.strip() for k, v in fields.items()}, "\n".join(lines[end + 1:]), end + 2, tuple(problems))


def dump(fields: dict[str, str], body: str) -> str:
    """Fields (empty ones left out) and a body → the text `split` reads back."""
    front = ["---"]
    for key, value in fields.items():
        if not value:
            continue
        if "\n" in value or value[:1] in "|>\"'" or value != value.strip():
            front.append(f"{key}: |")
            front += ["  " + line if line else "" for line in value.split("\n")]
        else:
            front.append(f"{key}: {value}")
    front.append("---")
    return "\n".join(front) + "\n\n" + body.strip("\n") + "\n"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
