"""Typography per language: quotes, dashes, ellipses, no-break spaces."""
import pytest
from hypothesis import given, settings, strategies as st

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


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Mr.\\<>/&;:!?'\"`-“”‘’«»…—–0123456789\n*_#[](){}|~^$%@=+"))),
       st.sampled_from(["en", "fr", "de"]))
def test_text_passed_over_is_what_smartypants_would_give(text, language):
    """typeset() hands smartypants only text with something to set: the rest comes out the same."""
    import re

    from publisher import typography

    quick = typeset(text, language)
    saved, typography._TOUCHED = typography._TOUCHED, re.compile("")  # every text through smartypants
    try:
        assert quick == typeset(text, language)
    finally:
        typography._TOUCHED = saved
