"""The HTML report's per-call conversation view: an SVG timeline (speech per speaker, silences,
holds, interruptions, time axis), a sentiment sparkline and the conversation metrics; for calls
without timings the N/A note and still the sparkline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from poise.api import Scorer
from poise.report import ReportContext, html
from poise.results import CallResult

SAMPLES = Path(__file__).resolve().parents[2] / "sample_transcripts"
CTX = ReportContext(rules_hash="abc", scorecard_name="default", scorecard_hash="f00", poise_version="0.0.test")
NA = "No timings in this source: conversation metrics are N/A"


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def sample(scorer, name) -> CallResult:
    return next(r for r in scorer.score_files([SAMPLES / name]) if isinstance(r, CallResult))


def call_section(text: str, index: int = 1) -> str:
    start = text.index(f'<details class="call" id="call-{index}">')
    return text[start:text.index("</details>", start)]


def test_timed_call_has_an_svg_timeline_with_both_speakers_a_hold_and_an_axis(scorer):
    result = sample(scorer, "hold_transfer_good.vtt")
    assert result.metrics["hold_list"]
    body = call_section(html.render([result], [], CTX))
    svg = re.search(r'<svg class="chart timeline".*?</svg>', body, re.S).group(0)
    assert svg.count('class="turn ag"') == sum(1 for t in result.turns if t["speaker"] == "agent"
                                                 and t.get("start") is not None and t["end"] > t["start"])
    assert 'class="turn cu"' in svg
    assert '<g class="hold">' in svg and ">hold</text>" in svg
    assert "<title>hold at " in svg
    assert ">0:00</text>" in svg  # time axis ticks in m:ss
    assert NA not in body
    assert '<table class="metrics">' in body and "Talk ratio" in body and "Holds" in body


def test_silences_and_interruptions_are_drawn(scorer):
    result = sample(scorer, "billing_dispute_bad.json")
    body = call_section(html.render([result], [], CTX))
    m = result.metrics
    assert body.count('<rect class="silence"') == len(m.get("silences") or [])
    assert body.count('<polygon class="interrupt') == len(m.get("interruption_list") or [])
    agent = sum(1 for i in m.get("interruption_list") or [] if i["by"] == "agent")
    assert body.count('<polygon class="interrupt ag"') == agent


def test_untimed_call_says_na_and_still_has_the_sparkline(scorer):
    result = sample(scorer, "billing_dispute_good.txt")
    body = call_section(html.render([result], [], CTX))
    assert NA in body
    assert "<svg class=\"chart timeline\"" not in body
    assert '<svg class="chart sparkline"' in body and "<polyline" in body
    assert '<table class="metrics">' not in body


@pytest.mark.parametrize("name", ["hold_transfer_good.vtt", "billing_dispute_good.txt"])
def test_sparkline_has_a_point_per_turn_with_sentiment_for_each_speaker(scorer, name):
    result = sample(scorer, name)
    body = call_section(html.render([result], [], CTX))
    scores = result.metrics["sentiment.turns"]
    for role in ("agent", "customer"):
        expected = sum(1 for t, v in zip(result.turns, scores) if t["speaker"] == role and v is not None)
        group = re.search(rf'<g class="spark \w+" data-speaker="{role}">.*?</g>', body, re.S)
        if not expected:
            assert group is None
            continue
        points = re.search(r'<polyline points="([^"]*)"', group.group(0)).group(1).split()
        assert len(points) == expected
        ys = [float(p.split(",")[1]) for p in points]
        assert all(8 <= y <= 78 for y in ys)  # inside the −1…+1 band
    assert "<title>turn 1 · " in body


def test_calls_beyond_the_transcript_limit_get_no_timeline(scorer, monkeypatch):
    monkeypatch.setattr(html, "TRANSCRIPT_LIMIT", 0)
    text = html.render([sample(scorer, "hold_transfer_good.vtt")], [], CTX)
    assert "timeline" not in call_section(text) and "<polyline" not in text


def test_timeline_text_is_escaped(scorer):
    result = sample(scorer, "hold_transfer_good.vtt")
    result.metrics["interruption_list"] = [{"by": "<script>x</script>", "at": 1.0, "seconds": 0.5}]
    text = html.render([result], [], CTX)
    assert "<script>x</script>" not in text and "&lt;script&gt;x&lt;/script&gt; interrupts" in text
