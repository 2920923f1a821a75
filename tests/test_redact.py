"""Personal data is masked in every output by default."""

import pytest
from hypothesis import given, settings, strategies as st

from poise.redact import luhn_ok, redact, redact_value


@pytest.mark.parametrize("text,masked", [
    ("my card is 4111 1111 1111 1111 thanks", "my card is [CARD] thanks"),
    ("ssn 123-45-6789", "ssn [SSN]"),
    ("call me on 555-867-5309", "call me on [PHONE]"),
    ("or (555) 123-4567", "or [PHONE]"),
    ("mail ana.ruiz@example.com now", "mail [EMAIL] now"),
    ("it's ana dot ruiz at gmail dot com", "it's [EMAIL]"),
    ("account 88231945", "account [NUMBER]"),
    ("my account is [PII] thanks", "my account is [PII] thanks"),
    ("order 4417 from march 3", "order 4417 from march 3"),
    ("call date 2024-11-21 09:15", "call date 2024-11-21 09:15"),
])
def test_personal_data_is_masked(text, masked):
    assert redact(text).text == masked


def test_a_number_failing_luhn_is_not_called_a_card():
    assert not luhn_ok("4111111111111112")
    assert redact("ref 4111 1111 1111 1112").text == "ref [NUMBER]"


def test_offsets_move_with_the_masked_text():
    text = "call 555-867-5309, sorry for the wait"
    r = redact(text)
    start = text.index("sorry")
    assert r.text[r.offset(start):r.offset(start + 9, end=True)] == "sorry for"
    assert r.text[r.offset(7):r.offset(9, end=True)] == "[PHONE]"


def test_metadata_is_masked_recursively():
    assert redact_value({"caller": {"phone": "555-867-5309"}, "n": 3}) == {"caller": {"phone": "[PHONE]"}, "n": 3}


_PIECES = st.sampled_from(["4111 1111 1111 1111", "4111-1111-1111-1112", "123-45-6789", "(555) 123-4567",
                           "+1 555.123.4567", "2024-11-21", "2024-11-21T10:00", "john.smith@example.com", "@",
                           "john dot smith at gmail dot com", "JOHN AT GMAIL DOT COM", " at ", " dot ", "AT",
                           "123456", "12 34 56 78", "٣٤٥٦٧٨٩", "my", "number", "is", ",", ".", " ", "\n"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=12).map("".join))
def test_skipping_patterns_a_text_cannot_match_changes_nothing(text):
    """redact() runs a pattern only when the text has what it needs (a digit, '@', a spoken
    'at ... dot'); the result is the one running every pattern gives."""
    import poise.redact as r
    fast = r.redact(text)
    original = r._possible
    r._possible = lambda text: {r._DIGIT, r._AT, r._SPOKEN}
    try:
        slow = r.redact(text)
    finally:
        r._possible = original
    assert fast == slow
