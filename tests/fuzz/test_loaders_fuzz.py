"""Fuzzing the loaders: whatever a file holds, loading it gives transcripts or one LoadError with
a reason, never another exception (which would stop a batch or end in "internal error").

Each case starts from a real example of a format (tests/fixtures/formats, sample_transcripts)
and breaks it the way real exports break: JSON values of the wrong type, keys missing, lists
where objects belong, numbers out of range; text lines cut, swapped, duplicated or filled with
odd characters; bytes truncated or replaced.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from poise.errors import LoadError
from poise.formats import LoadOptions, decode, load_text
from poise.transcript import Transcript

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ROOT / "tests" / "fixtures" / "formats"
SAMPLES = ROOT / "sample_transcripts"

JSON_SEEDS = [FORMATS / "aws_transcribe_call.json", FORMATS / "ccai_entries.json", FORMATS / "ccai_segments.json",
              FORMATS / "contact_lens_chat.json", FORMATS / "contact_lens_voice.json", FORMATS / "genesys.json",
              SAMPLES / "angry_customer_good.json"]
TEXT_SEEDS = [FORMATS / "csv_calls.tsv", FORMATS / "csv_single_call.csv", FORMATS / "srt_agent_customer.srt",
              FORMATS / "vtt_voice_tags.vtt", FORMATS / "vtt_speaker_lines.vtt", SAMPLES / "billing_dispute_good.txt",
              SAMPLES / "short_calls.jsonl"]
FORCED = [None, "text", "json", "jsonl", "aws-transcribe", "contact-lens", "genesys", "ccai", "vtt", "srt",
          "csv", "script"]

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
                         st.sampled_from(["", " ", "AGENT", "CUSTOMER", "-1", "1e309", "00:00:01,000", "\u202e"]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                                   st.dictionaries(st.text(max_size=8), inner,
                                                                                   max_size=3)),
                           max_leaves=6)


def loads_cleanly(text: str, name: str, forced: str | None = None) -> None:
    """The property: transcripts, each with turns, or a LoadError with a message."""
    try:
        transcripts = load_text(text, Path(name), LoadOptions(input_format=forced))
    except LoadError as exc:
        assert str(exc).strip(), "a LoadError must say what is wrong"
        return
    except RecursionError:  # batch.load_files turns this into "nested too deeply"
        return
    assert transcripts and all(isinstance(t, Transcript) and t.turns for t in transcripts)
    for t in transcripts:
        for turn in t.turns:
            assert isinstance(turn.text, str) and turn.text.strip()
            assert turn.speaker in ("agent", "customer", "other")


def _paths(node, prefix=()):
    """Every path into a JSON tree (keys and indexes), the root first."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node[:6]):
            yield from _paths(value, prefix + (i,))


def _mutate(doc, path, action, value):
    doc = copy.deepcopy(doc)
    if not path:
        return value
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "replace":
        parent[last] = value
    elif action == "wrap":
        parent[last] = [parent[last]]
    elif action == "stringify":
        parent[last] = json.dumps(parent[last])
    return doc


@pytest.mark.parametrize("seed", JSON_SEEDS, ids=lambda p: p.name)
@FUZZ
@given(data=st.data())
def test_broken_json_exports_load_or_fail_with_a_reason(seed, data):
    doc = json.loads(seed.read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = list(_paths(doc))
        path = data.draw(st.sampled_from(paths), label="path")
        action = data.draw(st.sampled_from(["delete", "replace", "wrap", "stringify"]) if path
                           else st.just("replace"), label="action")
        doc = _mutate(doc, path, action, data.draw(json_values, label="value"))
    forced = data.draw(st.sampled_from([None, None, "json", "aws-transcribe", "contact-lens", "genesys", "ccai"]),
                       label="forced")
    loads_cleanly(json.dumps(doc), seed.name, forced)


_ODD = st.sampled_from(["", " ", "\t", "-->", "Agent:", "Customer: ", "00:00:01,000 --> 00:00:00,500", "1",
                        '"', ",", ";", "<v Agent>", "</v>", "WEBVTT", "NOTE x", "---", "id: x", "\x00", "\ufeff",
                        "\u2028", "{", "[00:00:99]", "speaker,text", "é" * 3])
_LINE = st.one_of(_ODD, st.text(max_size=30))


@pytest.mark.parametrize("seed", TEXT_SEEDS, ids=lambda p: p.name)
@FUZZ
@given(data=st.data())
def test_broken_text_exports_load_or_fail_with_a_reason(seed, data):
    lines = seed.read_text(encoding="utf-8").splitlines()
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        if not lines:
            lines = [data.draw(_LINE)]
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        edit = data.draw(st.sampled_from(["delete", "replace", "insert", "duplicate", "cut", "swap"]), label="edit")
        if edit == "delete":
            del lines[i]
        elif edit == "replace":
            lines[i] = data.draw(_LINE)
        elif edit == "insert":
            lines.insert(i, data.draw(_LINE))
        elif edit == "duplicate":
            lines.insert(i, lines[i])
        elif edit == "cut":
            lines[i] = lines[i][:data.draw(st.integers(0, max(0, len(lines[i]))))]
        else:
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    forced = data.draw(st.sampled_from(FORCED), label="forced")
    loads_cleanly("\n".join(lines), seed.name, forced)


@FUZZ
@given(raw=st.binary(max_size=400), seed=st.sampled_from(JSON_SEEDS + TEXT_SEEDS), cut=st.integers(0, 2000),
       forced=st.sampled_from(FORCED))
def test_any_bytes_decode_and_load_or_fail_with_a_reason(raw, seed, cut, forced):
    """Truncated files with random bytes after the cut, through the real decoder."""
    data = seed.read_bytes()[:cut] + raw
    try:
        text, warnings = decode(data)
    except LoadError as exc:
        assert str(exc)
        return
    assert all(isinstance(w, str) for w in warnings)
    loads_cleanly(text, seed.name, forced)
