"""Typography per language: quotes, dashes, ellipses, no-break spaces."""
import pytest

from publisher.typography import typeset


@pytest.mark.parametrize("language, source, expected", [
    ("en", '<p>"Yes," she said -- it\'s the \'90s... \'Twas so.</p>', "<p>“Yes,” she said — it’s the ’90s… ’Twas so.</p>"),
    ("en-GB", "<p>'Quite,' said Mr. Darcy.</p>", "<p>‘Quite,’ said Mr.\u00a0Darcy.</p>"),
    ("de", '<p>"Hallo," sagte er, \'gut\'. Geht\'s?</p>', "<p>„Hallo,“ sagte er, ‚gut‘. Geht’s?</p>"),
    ("fr", '<p>"Bonjour !" dit-il.</p>', "<p>«\u202fBonjour\u202f!\u202f» dit-il.</p>"),
])
def test_quotes_for_the_language(language, source, expected):
    assert typeset(source, language) == expected


def test_code_is_left_alone():
    assert typeset('<p><code>"x" -- y</code></p>') == '<p><code>"x" -- y</code></p>'
