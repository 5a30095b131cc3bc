"""book.toml → Metadata: keys, kinds, suggestions, identifiers."""
from __future__ import annotations

import pytest

from publisher.errors import ManuscriptError
from publisher.metadata import derive_identifier, parse_book_toml


def test_full_book_toml():
    config = parse_book_toml('''
title = "T"
subtitle = "S"
authors = ["A", "B", "C"]
language = "en-GB"
summary = """Two
lines."""
isbn = "978-0-00-000000-2"
series = "Lamps"
series_index = 2
subjects = ["Fiction"]
[story]
fandoms = ["F"]
rating = "T"
status = "complete"
[notes]
Beta = "Thanks"
''')
    meta = config.metadata
    assert meta.byline == "A, B and C"
    assert meta.identifier == "urn:isbn:9780000000002"
    assert meta.language == "en-GB" and meta.series_index == 2
    assert meta.story.fields() == [("Fandom", "F"), ("Rating", "T"), ("Status", "complete")]
    assert config.summary == "Two\nlines." and config.notes == {"Beta": "Thanks"}


def test_identifier_is_stable_and_depends_on_the_book():
    assert derive_identifier("T", ("A",)) == derive_identifier("T", ("A",))
    assert derive_identifier("T", ("A",)) != derive_identifier("U", ("A",))


@pytest.mark.parametrize("text, message", [
    ('title = "T"\nauthr = "x"', "book.toml:2: unknown key 'authr' (did you mean 'author'?)"),
    ('title = "T"\n[story]\nfandom = ["x"]', "book.toml:3: unknown key 'story.fandom' (did you mean 'fandoms'?)"),
    ('title = "T"\nsubjects = "x"', "book.toml:2: 'subjects' must be a list of strings"),
    ('title = ""', 'book.toml: the book has no title: add  title = "..."'),
    ('title = "T"\nauthor = "a"\nauthors = ["b"]', "book.toml:3: give either 'author' or 'authors', not both"),
    ('title = "T\n', "book.toml:1: invalid TOML, column 11: Illegal character '\\n'"),
])
def test_problems_name_file_and_line(text, message):
    with pytest.raises(ManuscriptError) as error:
        parse_book_toml(text, "book.toml")
    assert str(error.value.problems[0]) == message
