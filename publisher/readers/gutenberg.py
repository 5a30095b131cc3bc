"""A Project Gutenberg plain-text file's lines → its header facts and the book's own lines.

PG wraps every book in a banner ("The Project Gutenberg eBook of …"), a header of labelled
lines (Title, Author, Translator, Release date [eBook #N], Language, Credits…), a
``*** START OF …`` marker, and after ``*** END OF …`` the licence. The book is what lies
between the markers; the header's facts become metadata; the banner, the markers and the
licence are dropped by rule and listed in the trace. Files whose header or footer was cut
off (or that use the older spellings) are handled too.
"""
from __future__ import annotations

import re

from .draft import DROPPED, LABEL, Trace

_START = re.compile(r"^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK\b.*$|"
                    r"^\s*\*END\*THE SMALL PRINT!.*$", re.IGNORECASE)
_END = re.compile(r"^\s*\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK\b.*$|"
                  r"^\s*End of (?:the )?Project Gutenberg'?s?\s.*$", re.IGNORECASE)
_BANNER = re.compile(r"project gutenberg", re.IGNORECASE)
_FIELD = re.compile(r"^(Title|Author|Translator|Illustrator|Editor|Release [Dd]ate|Language|Credits|"
                    r"Produced by|Most recently updated|Original publication)\s*:\s*(.*)$")
_NUMBER = re.compile(r"\[E-?Book #(\d+)\]", re.IGNORECASE)
# PG header label → the story-header field it fills (the others are kept as notes).
FIELDS = {"Title": "title", "Author": "author", "Language": "language", "Translator": "note:Translator",
          "Illustrator": "note:Illustrator", "Editor": "note:Editor", "Credits": "note:Credits",
          "Produced by": "note:Credits"}


def is_gutenberg(lines: list[str]) -> bool:
    head = "\n".join(lines[:80])
    return bool(_BANNER.search(head)) and any(_START.match(line) or _END.match(line) for line in lines)


def split(lines: list[str], trace: Trace) -> tuple[dict[str, str], list[str], str]:
    """(header fields, the book's lines, "Project Gutenberg eBook #N" or "") of a PG file."""
    start = next((i for i, line in enumerate(lines) if _START.match(line)), None)
    end = next((i for i in range(len(lines) - 1, -1, -1) if _END.match(lines[i])), None)
    if end is not None and start is not None and end < start:
        end = None
    header_lines = lines[:start] if start is not None else []
    body = lines[(start + 1 if start is not None else 0):(end if end is not None else len(lines))]
    fields: dict[str, str] = {}
    number = ""
    current = None
    for line in header_lines:
        match = _FIELD.match(line.strip())
        if match:
            label = match[1].capitalize() if match[1].lower() != "produced by" else "Produced by"
            current = FIELDS.get(label, "")
            value = match[2].strip()
            found = _NUMBER.search(value)
            if found:
                number = found[1]
            trace.add(LABEL, line)  # the facts go into the metadata, not the text
            if current:
                fields[current] = value
        elif current and line.startswith((" ", "\t")) and line.strip():
            fields[current] = f"{fields[current]} {line.strip()}"
            trace.add(LABEL, line)
        else:
            current = None
            trace.add(DROPPED, line)  # the banner and its licence summary
    if start is not None:
        trace.add(DROPPED, lines[start])
    if end is not None:
        for line in lines[end:]:
            trace.add(DROPPED, line)  # the closing marker and the licence
    fields = {key: " ".join(value.split()) for key, value in fields.items() if value.strip()}
    return fields, body, f"Project Gutenberg eBook #{number}" if number else "Project Gutenberg"
