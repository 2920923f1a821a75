"""Fuzzing the scorer: any call that loads gets a score, findings that point inside their turn,
PII masked, and a result that round-trips through JSON; timings in any order (overlapping,
backwards, zero-length) never break the dynamics."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from poise.api import Scorer
from poise.results import CallResult
from poise.transcript import Transcript, Turn

WORDS = st.sampled_from(["sorry", "I'm", "so", "sorry", "for", "the", "wait", "thank", "you", "calm", "down",
                         "you", "should", "have", "um", "uh", "please", "let", "me", "fix", "that", "can't",
                         "won't", "[PII]", "4111", "1111", "1111", "1111", "john@example.com", "555-123-4567",
                         "!", "?", ".", ",", "'", '"', "—", "🙂", "\u200b", "I'll", "call", "you", "back",
                         "manager", "supervisor", "hold", "one", "moment", "bye", "hello", "Maria"])
TEXT = st.one_of(st.lists(WORDS, min_size=1, max_size=25).map(" ".join), st.text(min_size=1, max_size=60))
TIME = st.one_of(st.none(), st.floats(0, 4000, allow_nan=False))
TURN = st.builds(lambda role, text, start, length: Turn(role, role.title(), text, start,
                                                       None if start is None or length is None else start + length),
                 st.sampled_from(["agent", "customer", "other"]), TEXT, TIME,
                 st.one_of(st.none(), st.floats(-5, 120, allow_nan=False)))


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(turns=st.lists(TURN, min_size=1, max_size=12))
def test_any_call_scores_explainably(scorer, turns):
    turns = [t for t in turns if t.text.strip()] or [Turn("agent", "Agent", "hello")]
    call = Transcript("fuzz", tuple(turns), source="fuzz.json", format="json")
    [result] = list(scorer.score_transcripts([call]))
    assert result.score is None or 0.0 <= result.score <= 100.0
    for f in result.findings:
        if f["turn"] is not None:
            assert 0 <= f["turn"] < len(turns)
    text = json.dumps(result.to_dict(with_turns=True), ensure_ascii=False)
    assert "4111 1111 1111 1111" not in text and "john@example.com" not in text
    again = CallResult.from_dict(json.loads(text))
    assert again.score == result.score and len(again.findings) == len(result.findings)
