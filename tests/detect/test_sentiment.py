"""Sentiment adapted to the domain, trajectories, de-escalation that worked, composure."""

from poise.api import Scorer
from poise.detect import sentiment
from poise.transcript import RoleAssignment, Transcript, Turn


def call(*turns, extra=None):
    return Transcript("t", tuple(Turn(s, s.title(), text, extra=(extra or {}).get(i, {}))
                                 for i, (s, text) in enumerate(turns)), roles=RoleAssignment("source"))


def test_agent_apology_and_empathy_are_not_agent_negativity():
    for text in ("I'm sorry for the trouble.", "I understand your frustration.",
                 "I apologize for the inconvenience and the problem with your bill."):
        assert sentiment.lexicon_score(text, "agent") >= 0
        assert sentiment.lexicon_score(text, "customer") < 0  # the raw lexicon would call it negative


def test_customer_trajectory_and_change():
    m = sentiment.compute(call(("customer", "This is terrible, I'm furious."), ("agent", "Let me help."),
                               ("customer", "Okay."), ("agent", "Done."),
                               ("customer", "Great, thank you so much!"), ("agent", "Bye.")), [])
    assert m["sentiment.customer.start"] < -0.5 < 0.5 < m["sentiment.customer.end"]
    assert m["sentiment.customer.change"] > 1


def test_findings_de_escalation_worked_and_composure():
    scorer = Scorer()
    [good] = scorer.score_transcripts([call(
        ("customer", "This is ridiculous and useless, I'm furious!"),
        ("agent", "I completely understand how frustrating that is, let's sort this out together."),
        ("customer", "You people are terrible, I hate this."),
        ("agent", "I hear you, I'm going to fix this for you right now."),
        ("customer", "Okay, thank you, that's great."))])
    rules = {f["rule"] for f in good.findings}
    assert {"de-escalation.worked", "composure.kept"} <= rules
    [bad] = scorer.score_transcripts([call(
        ("customer", "This is ridiculous and useless, I'm furious!"),
        ("agent", "Well that's stupid, I hate these calls too."))])
    assert "composure.mirrored" in {f["rule"] for f in bad.findings}


def test_a_frustrated_customer_turn_counts_as_negative_whatever_the_lexicon_says():
    """VADER scores "Are you serious? I trusted what your employee said." as positive; with a
    customer-frustration finding on it, the turn scores at most FRUSTRATED, so the customer's
    trajectory ends worse. Agent turns, unflagged turns and vendor labels are left alone."""
    transcript = call(("customer", "Hi, thanks for taking my call."), ("agent", "Sure."),
                      ("customer", "Okay."), ("agent", "It's in the agreement."),
                      ("customer", "Are you serious? I trusted what your employee said."), ("agent", "Sorry."))
    assert sentiment.lexicon_score(transcript.turns[4].text, "customer") > 0
    [result] = Scorer().score_transcripts([transcript])
    assert "customer-frustration" in {f["category"] for f in result.findings if f["turn"] == 4}
    m = result.metrics
    assert m["sentiment.turns"][4] == sentiment.FRUSTRATED
    assert m["sentiment.turns"][0] == round(sentiment.lexicon_score(transcript.turns[0].text, "customer"), 3) > 0
    assert m["sentiment.customer.change"] < -0.3 and "customer-sentiment.ended-worse" in {f["rule"] for f in result.findings}
    flagged = [type("F", (), {"category": "customer-frustration", "turn": 4, "polarity": "deduction"})()]
    vendor = call(*[(t.speaker, t.text) for t in transcript.turns], extra={4: {"sentiment": "POSITIVE"}})
    assert sentiment.compute(vendor, flagged, source="vendor")["sentiment.turns"][4] == 0.6  # the vendor's word


def test_vendor_sentiment_is_reported_beside_ours_and_used_on_request():
    transcript = call(("customer", "I am happy"), ("agent", "ok"),
                      extra={0: {"sentiment": "NEGATIVE"}, 1: {"sentiment": "NEUTRAL"}})
    ours = sentiment.compute(transcript, [])
    assert ours["sentiment.turns"][0] > 0 and ours["sentiment.vendor_turns"] == [-0.6, 0.0]
    vendor = sentiment.compute(transcript, [], source="vendor")
    assert vendor["sentiment.turns"] == [-0.6, 0.0] and vendor["sentiment.source"] == "vendor"


def test_the_no_lexicon_word_shortcut_gives_vaders_own_score():
    """lexicon_score skips VADER when no word of the turn is in its lexicon; the score must be
    what VADER itself gives, on real turns and on generated ones."""
    from hypothesis import given, settings, strategies as st

    analyzer = sentiment._analyzer()
    words = ["the", "order", "NOT", "very", "but", "no", "good", "BAD", "kind", "of", "least", "!!", "?",
             ":)", ":-(", "okay.", "great!", "don't", "refund", "(happy)", "ok", "😀", "really", "at"]

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(words), max_size=12))
    def check(tokens):
        text = " ".join(tokens)
        expected = analyzer.polarity_scores(text)["compound"] if text.strip() else 0.0
        assert sentiment.lexicon_score(text, "customer") == expected

    check()
    for text in ("Let me pull up the order number.", "Okay.", "I'll transfer you now, one moment."):
        assert sentiment.lexicon_score(text, "customer") == analyzer.polarity_scores(text)["compound"]
    assert sentiment.lexicon_score("Let me look at the account.", "customer") == 0.0
    assert sentiment.lexicon_score("This is terrible!", "customer") < 0


def test_remembered_scores_are_vaders_and_the_memory_is_bounded():
    """lexicon_score remembers VADER's compound per text (turns recur across calls): the same
    figure as asking VADER, and a bounded cache."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    from poise.detect import sentiment
    sentiment.clear_cache()
    vader = SentimentIntensityAnalyzer()
    texts = ["Thank you so much!", "This is terrible, I'm furious.", "Okay, great.", "Thank you so much!"]
    assert [sentiment.lexicon_score(t, "customer") for t in texts] == \
        [vader.polarity_scores(t)["compound"] for t in texts]
    info = sentiment._compound.cache_info()
    assert info.hits == 1 and info.currsize == 3 and info.maxsize is not None
