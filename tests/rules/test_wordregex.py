"""Token patterns run as word regexes must find what spaCy's Matcher finds: the same longest
match at every start. Checked against the real Matcher on generated patterns and sentences."""

import spacy
from hypothesis import assume, given, settings, strategies as st
from spacy.matcher import Matcher

from poise.rules.wordregex import WordString, compile_patterns, first_words

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


@settings(max_examples=400, deadline=None)
@given(st.lists(pattern, min_size=1, max_size=3), sentence)
def test_trying_only_the_first_words_finds_every_match(patterns, text):
    """first_words: when every pattern of a regex has a finite set of first words, trying the
    regex only at tokens with one of them finds exactly what scanning every word finds."""
    doc = NLP(text)
    regex = compile_patterns(patterns)
    words = WordString([t.lower_ for t in doc], [t.is_sent_start for t in doc])
    starts = [first_words(p) for p in patterns]
    assume(all(s is not None for s in starts))
    first = set().union(*starts)
    at = [i for i, t in enumerate(doc) if t.lower_ in first]
    assert words.spans_at(regex, at) == words.spans(regex)


def test_first_words_of_optional_and_required_tokens():
    assert first_words([{"LOWER": "so", "OP": "?"}, {"LOWER": {"IN": ["Sorry", "sad"]}}, {"LOWER": "for"}]) == \
        {"so", "sorry", "sad"}
    assert first_words([{"LOWER": "really", "OP": "*"}, {"LOWER": "sorry", "OP": "{0,2}"}]) == {"really", "sorry"}
    assert first_words([{"LOWER": "i"}, {"LOWER": {"NOT_IN": ["x"]}}]) == {"i"}
    assert first_words([{"LOWER": {"NOT_IN": ["x"]}}, {"LOWER": "i"}]) is None
    assert first_words([{"LOWER": "oh", "OP": "?"}, {"IS_PUNCT": True}]) is None
    assert first_words([{"LOWER": "oh", "OP": "!"}]) is None


def test_a_sentence_mark_never_lets_a_not_in_word_through():
    doc = NLP("I'll call the store.")
    regex = compile_patterns([[{"LOWER": {"NOT_IN": ["i"]}}, {"LOWER": "'ll"}]])
    words = WordString([t.lower_ for t in doc], [t.is_sent_start for t in doc])
    assert words.spans(regex) == []


def test_patterns_with_other_attributes_are_left_to_the_matcher():
    assert compile_patterns([[{"POS": "VERB"}]]) is None
    assert compile_patterns([[{"ORTH": "Sorry"}]]) is None


# -- the gates: which gated entries a Doc's words let through -------------------------------------

from poise.rules.compile import _Gates, required_words  # noqa: E402

gated_pattern = st.lists(st.builds(lambda v, op: {"LOWER": v, **({"OP": op} if op else {})}, value,
                                   st.sampled_from([None, "?", "+", "*"])), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(gated_pattern, min_size=1, max_size=3), min_size=1, max_size=6),
       st.lists(word, max_size=10))
def test_gates_open_exactly_the_entries_whose_required_words_are_present(entries, doc_words):
    gates = _Gates()
    for n, patterns in enumerate(entries):
        gates.add(n, [required_words(p) for p in patterns], NLP)
    present = {w.lower() for w in doc_words}

    def could_match(pattern):
        return all(set(words) & present for words in required_words(pattern))

    expected = [n for n, patterns in enumerate(entries)
                if not all(required_words(p) for p in patterns) or any(could_match(p) for p in patterns)]
    assert gates.open([NLP.vocab.strings.add(w) for w in doc_words]) == expected


def test_gated_rules_find_what_an_ungated_matcher_finds():
    """End to end on the default packs' token patterns: gating never loses a match (of a main
    pattern, or of an unless/proximity pattern of a rule whose main pattern matched)."""
    from poise.detect import Detector
    from poise.rules import load_ruleset

    detector = Detector(load_ruleset(), conversation_metrics=False)
    texts = ["I'm sorry, but there's nothing I can do, that's our policy.", "Whatever, figure it out yourself.",
             "Let me go ahead and transfer you to billing.", "You should have received an email by now.",
             "I apologize for the wait, I'll get this sorted today.", "okay", "",
             "Unfortunately that's our policy, but let me go ahead and request an exception for you."]
    compiled = detector.compiled
    checked = 0
    for doc in detector.nlp.pipe(texts):
        found = compiled.match(doc)
        everything = Matcher(detector.nlp.vocab)
        for key, runner in compiled._gated:
            name = detector.nlp.vocab.strings[key]
            index, part = compiled._key[key]
            rule = detector.rules[index]
            patterns = {"main": rule.patterns, "unless": rule.unless,
                        "near": rule.proximity.patterns if rule.proximity else ()}[part]
            everything.add(name, [p.value for p in patterns if p.kind == "tokens"])
        for key, s, e in everything(doc):
            index, part = compiled._key[key]
            if part != "main" and not (index in found and found[index].main):
                continue  # unless/proximity spans only matter (and are only looked for) next to a main match
            checked += 1
            assert (s, e) in getattr(found[index], part) or any(
                a == s and b >= e for a, b in getattr(found[index], part)), (doc.text, key, s, e)
    assert checked >= 5  # the sentences above do exercise gated patterns
