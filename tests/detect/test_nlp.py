"""The default pipeline: spacy.blank("en") + sentencizer + our array-based lookup lemmatizer,
which must give exactly the lemmas of spaCy's own lookup lemmatizer on the same table."""

import spacy
from hypothesis import given, settings, strategies as st
from spacy.lookups import Lookups

from poise.nlp import build_pipeline, lemma_table

OURS = build_pipeline()
SPACY = spacy.blank("en")
SPACY.add_pipe("sentencizer")
_lookups = Lookups()
_lookups.add_table("lemma_lookup", lemma_table())
SPACY.add_pipe("lemmatizer", config={"mode": "lookup"}).initialize(lookups=_lookups)

WORDS = ["customers", "were", "calling", "I've", "been", "waiting", "Orders", "went", "better", "ran",
         "refunds", "the", "PII", "[PII]", "12345", "don't", "emails", "..", "?", "Ms.", "children", "é"]


def test_lemmas_of_a_call_turn():
    doc = OURS("The customers were calling about their orders. I've been waiting!")
    assert [t.lemma_ for t in doc] == ["The", "customer", "be", "call", "about", "their", "order", ".",
                                       "I", "have", "be", "wait", "!"]
    assert [t.is_sent_start for t in doc][:1] == [True] and doc[8].is_sent_start  # sentences kept


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=15))
def test_same_lemmas_as_spacys_lookup_lemmatizer(words):
    text = " ".join(words)
    assert [t.lemma_ for t in OURS(text)] == [t.lemma_ for t in SPACY(text)]


def test_an_empty_turn_is_fine():
    assert [len(d) for d in OURS.pipe(["", "   ", "ok"])] == [0, 1, 1]


def test_no_lemmatizer_when_no_rule_needs_lemmas():
    assert build_pipeline(lemmas=False).pipe_names == ["sentencizer"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS + [".", "!", "?", "Hi", "\n"]), min_size=1, max_size=20))
def test_sentence_bounds_agree_with_spacys_sentences(words):
    from poise.detect.checks import sentence_bounds

    doc = OURS(" ".join(words))
    for token in doc:
        assert sentence_bounds(doc, token.i) == (token.sent.start, token.sent.end)


def test_sentence_bounds_on_a_parsed_doc():
    from spacy.tokens import Doc

    from poise.detect.checks import sentence_bounds

    words = ["I", "am", "sorry", ".", "I", "will", "fix", "it"]
    doc = Doc(OURS.vocab, words=words, heads=[2, 2, 2, 2, 6, 6, 6, 6],
              deps=["nsubj", "cop", "ROOT", "punct", "nsubj", "aux", "ROOT", "dobj"])
    assert [sentence_bounds(doc, i) for i in (0, 3, 4, 7)] == [(0, 4), (0, 4), (4, 8), (4, 8)]
