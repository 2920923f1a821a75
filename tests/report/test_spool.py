"""ResultSpool: the results of the reports that list every call, kept on disk, not in memory.

Every report must read the same from the spool (lean results, whole ones for the HTML
transcripts) as from the results themselves, and the batch must not hold results in memory."""

from __future__ import annotations

import gc
import re
import weakref
from pathlib import Path

import pytest

from poise.api import Scorer
from poise.report import ReportContext, renderer
from poise.report.sinks import Sinks
from poise.report.spool import ResultSpool, order
from poise.results import CallResult

SAMPLES = Path(__file__).resolve().parents[2] / "sample_transcripts"


@pytest.fixture(scope="module")
def results() -> list[CallResult]:
    return [r for r in Scorer().score_files([SAMPLES]) if isinstance(r, CallResult)]


@pytest.fixture
def ctx() -> ReportContext:
    return ReportContext(rules_hash="r", scorecard_name="s", scorecard_hash="h", poise_version="0",
                         section_names=())


def spooled(results, full=True) -> ResultSpool:
    spool = ResultSpool(full=full)
    for r in results:
        spool.append(r)
    return spool


def test_spool_gives_back_each_lean_and_whole_result(results):
    spool = spooled(results)
    assert len(spool) == len(results) >= 15
    assert [r.to_dict(with_turns=True) for r in spool] == [r.lean().to_dict(with_turns=True) for r in results]
    assert all(spool.full(i).to_dict(with_turns=True) == r.to_dict(with_turns=True) for i, r in enumerate(results))
    assert any(t.get("text") for t in spool.full(0).turns) and not any("text" in t for t in spool[0].turns)
    assert [r.id for r in spool] == [r.id for r in spool]  # a second pass reads the same again


def test_spool_is_a_sequence(results):
    spool = spooled(results[:5], full=False)
    assert spool[-1].id == results[4].id and [r.id for r in spool[1:3]] == [r.id for r in results[1:3]]
    with pytest.raises(IndexError):
        spool[5]
    with pytest.raises(IndexError):
        spool[-6]
    assert spool.full(2).to_dict(with_turns=True) == results[2].lean().to_dict(with_turns=True)  # lean only
    key = (lambda r: (r.score is None, r.score or 0.0, r.id))
    assert order(spool, key) == sorted(range(5), key=lambda i: key(results[i]))


@pytest.mark.parametrize("fmt", ["html", "md", "junit", "sarif", "github"])
def test_reports_read_the_same_from_the_spool_as_from_the_results(results, ctx, fmt, monkeypatch):
    from poise.report import html
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(html, "TRANSCRIPT_LIMIT", 6)  # some calls in full, the others as rows
    spool = spooled(results)
    assert renderer(fmt)(spool, [], ctx) == renderer(fmt)(results, [], ctx)


def test_a_batch_with_an_html_report_keeps_no_result_in_memory(tmp_path, ctx):
    """Results arrive one at a time and go to disk: none is alive after Sinks.add."""
    scorer = Scorer()
    sinks = Sinks([("html", tmp_path / "r.html"), ("md", tmp_path / "r.md")], ctx)
    added, texts = [], []
    for item in scorer.score_files([SAMPLES]):
        if isinstance(item, CallResult):
            sinks.add(item)
            added.append(weakref.ref(item))
            texts.append((item.score, item.turns[-1]["text"]))
    del item
    gc.collect()
    assert sinks.calls == len(added) >= 15
    assert [ref() for ref in added if ref() is not None] == []
    sinks.close([])
    text = (tmp_path / "r.html").read_text()
    assert text.count('<details class="call"') == sinks.calls and "angry" in text
    # the worst call's transcript is in the page, read back whole from the spool
    worst_last_turn = min(texts, key=lambda t: t[0])[1]
    words = re.findall(r"[A-Za-z]{4,}", worst_last_turn)
    assert words and all(w in text for w in words)  # (highlights cut the text between words)
    assert text.count('<ol class="transcript">') == sinks.calls
