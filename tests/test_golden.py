"""Golden files: each input under golden/ next to a readable dump of the Manuscript it gives.

Collected automatically; `pytest --update-golden` rewrites the dumps, then review the diff.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from publisher import read
from publisher.errors import Warnings
from publisher.manuscript import Manuscript

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p for p in GOLDEN.rglob("*") if p.suffix in (".txt", ".md") and not p.name.endswith(".expected.txt"))


def dump(manuscript: Manuscript, warnings: list[str]) -> str:
    meta = manuscript.metadata
    lines = [f"title: {meta.title}", f"authors: {list(meta.authors)}"]
    if meta.story:
        lines += [f"story.{label.lower()}: {text}" for label, text in meta.story.fields()]
    front = manuscript.front_matter
    for name in ("summary_html", "disclaimer_html", "dedication_html"):
        if getattr(front, name):
            lines.append(f"{name[:-5]}: {getattr(front, name)}")
    lines += [f"note {note.label}: {note.html}" for note in front.notes]
    for chapter in manuscript.chapters:
        lines.append(f"\n== {chapter.number}. {chapter.title} ({chapter.words} words)")
        for name in ("summary_html", "notes_html", "end_notes_html"):
            if getattr(chapter, name):
                lines.append(f"  {name[:-5]}: {getattr(chapter, name)}")
        lines.append(chapter.body_html.strip())
    lines += [f"warning: {w.split(': ', 1)[1]}" for w in warnings]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(GOLDEN)) for c in CASES])
def test_golden(case, update_golden):
    warn = Warnings()
    actual = dump(read(case, warn), warn.messages)
    expected_path = case.with_name(case.name + ".expected.txt")
    if update_golden:
        expected_path.write_text(actual, encoding="utf-8")
    elif not expected_path.exists():
        pytest.fail(f"{expected_path.relative_to(GOLDEN.parent.parent)} does not exist: run  pytest --update-golden  "
                    "and review what it writes", pytrace=False)
    assert actual == expected_path.read_text(encoding="utf-8")
