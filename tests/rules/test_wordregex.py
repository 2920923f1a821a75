"""Token patterns run as word regexes must find what spaCy's Matcher finds: the same longest
match at every start. Checked against the real Matcher on generated patterns and sentences."""

import spacy
from hypothesis import given, settings, strategies as st
from spacy.matcher import Matcher

from poise.rules.wordregex import WordString, compile_patterns

WORDS = ["i", "we", "'ll", "will", "sorry", "for", "the", "wait", "not", "you", ",", ".", "so", "really"]
NLP = spacy.blank("en")
NLP.add_pipe("sentencizer")

word = st.sampled_from(WORDS)
value = st.one_of(word, st.builds(lambda ws: {"IN": ws}, st.lists(word, min_size=1, max_size=3)),
                  st.builds(lambda ws: {"NOT_IN": ws}, st.lists(word, min_size=1, max_size=3)))
token = st.one_of(
    st.builds(lambda v, op: {"LOWER": v, **({"OP": op} if op else {})}, value,
              st.sampled_from([None, None, "?", "*", "+", "!", "{0,2}", "{1,2}"])),
    st.builds(lambda p: {"IS_PUNCT": p}, st.booleans()),
    st.builds(lambda v: {"LOWER": v, "IS_SENT_START": True}, word),
)
pattern = st.lists(token, min_size=1, max_size=4)
sentence = st.lists(word, min_size=1, max_size=12).map(lambda ws: " ".join(ws))


def longest_by_start(pairs):
    best = {}
    for s, e in pairs:
        best[s] = max(best.get(s, 0), e)
    return best


@settings(max_examples=300, deadline=None)
@given(pattern, sentence)
def test_word_regex_finds_what_the_matcher_finds(tokens, text):
    doc = NLP(text)
    matcher = Matcher(NLP.vocab)
    matcher.add("p", [tokens])
    expected = longest_by_start((s, e) for _, s, e in matcher(doc) if e > s)
    regex = compile_patterns([tokens])
    assert regex is not None
    words = WordString([t.lower_ for t in doc], [t.is_sent_start for t in doc])
    assert longest_by_start(words.spans(regex)) == expected


def test_a_sentence_mark_never_lets_a_not_in_word_through():
    doc = NLP("I'll call the store.")
    regex = compile_patterns([[{"LOWER": {"NOT_IN": ["i"]}}, {"LOWER": "'ll"}]])
    words = WordString([t.lower_ for t in doc], [t.is_sent_start for t in doc])
    assert words.spans(regex) == []


def test_patterns_with_other_attributes_are_left_to_the_matcher():
    assert compile_patterns([[{"POS": "VERB"}]]) is None
    assert compile_patterns([[{"ORTH": "Sorry"}]]) is None
