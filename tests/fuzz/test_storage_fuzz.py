"""Fuzzing what poise writes to disk and reads back during a batch: the result cache's entries
(JSON Lines with a checksummed trailer) and the report spool (compressed pickles). Whatever a
result holds — any Unicode, lone surrogates from a JSON escape, newlines, nested metadata —
it comes back equal; and a damaged cache entry is refused, never half-read."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from poise.batch import InputError
from poise.cache import ResultCache
from poise.report.spool import ResultSpool
from poise.results import CallResult

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(st.characters(codec=None, blacklist_categories=()), max_size=30)  # surrogates included
scalar = st.one_of(st.none(), st.booleans(), st.integers(-2**53, 2**53), text,
                   st.floats(allow_nan=False, allow_infinity=False))
metadata = st.dictionaries(text, st.recursive(scalar, lambda inner: st.lists(inner, max_size=3)
                                              | st.dictionaries(text, inner, max_size=3), max_leaves=6), max_size=4)
turn = st.fixed_dictionaries({"speaker": st.sampled_from(["agent", "customer", "other"]), "text": text,
                              "line": st.one_of(st.none(), st.integers(1, 10**6)),
                              "start": st.one_of(st.none(), st.floats(0, 1e5)),
                              "end": st.one_of(st.none(), st.floats(0, 1e5))})
finding = st.fixed_dictionaries({"rule": text, "category": st.sampled_from(["apology", "blame", "customer-issue"]),
                                 "polarity": st.sampled_from(["credit", "deduction"]),
                                 "severity": st.sampled_from(["info", "minor", "major", "critical"]),
                                 "turn": st.one_of(st.none(), st.integers(0, 5)), "text": text, "message": text})
section = st.fixed_dictionaries({"name": text, "score": st.one_of(st.none(), st.floats(0, 100)),
                                 "lines": st.lists(st.fixed_dictionaries({"item": text, "status": text,
                                                                          "evidence": st.lists(metadata, max_size=2)}),
                                                   max_size=3)})


@st.composite
def results(draw) -> CallResult:
    return CallResult(id=draw(text), source="calls/a.json", format="json", metadata=draw(metadata),
                      roles={"agent": "Agent"}, turns=tuple(draw(st.lists(turn, max_size=5))),
                      findings=tuple(draw(st.lists(finding, max_size=4))),
                      score=draw(st.one_of(st.none(), st.floats(0, 100))),
                      band=draw(st.one_of(st.none(), text)), auto_fail=draw(st.one_of(st.none(), text)),
                      sections=tuple(draw(st.lists(section, max_size=2))),
                      warnings=tuple(draw(st.lists(text, max_size=2))), words=draw(st.integers(0, 10**6)),
                      metrics=draw(st.dictionaries(text, st.one_of(scalar, st.lists(scalar, max_size=3)), max_size=4)))


def _json_equal(result: CallResult) -> dict:
    """The result as the JSON cache gives it back (tuples read as lists)."""
    return json.loads(json.dumps(result.to_dict(with_turns=True), default=str))


@FUZZ
@given(st.lists(st.one_of(results(), text.map(lambda reason: InputError("calls/a.json", reason))), max_size=5))
def test_a_cache_entry_gives_back_what_was_put(items):
    with tempfile.TemporaryDirectory() as root:
        cache = ResultCache(root, "k")
        cache.put("ab" * 32, items)
        got = cache.get("ab" * 32, "calls/a.json")
    assert got is not None and len(got) == len(items)
    for before, after in zip(items, got):
        if isinstance(before, InputError):
            assert after == before
        else:
            assert after.to_dict(with_turns=True) == _json_equal(before)


@FUZZ
@given(st.lists(results(), min_size=1, max_size=3), st.data())
def test_a_damaged_cache_entry_is_refused(items, data):
    with tempfile.TemporaryDirectory() as root:
        cache = ResultCache(root, "k")
        cache.put("cd" * 32, items)
        [path] = list(Path(root).rglob("*.jsonl"))
        raw = path.read_bytes()
        at = data.draw(st.integers(0, len(raw) - 1))
        kind = data.draw(st.sampled_from(["flip", "cut"]))
        damaged = raw[:at] if kind == "cut" else raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:]
        path.write_bytes(damaged)
        got = cache.get("cd" * 32, "calls/a.json")
    if kind == "cut" and at == len(raw) - 1:  # only the final newline lost: nothing is missing
        assert [r.to_dict(with_turns=True) for r in got] == [_json_equal(r) for r in items]
    else:
        assert got is None and cache.rejected == 1


def test_a_cache_entry_whose_count_was_changed_is_refused(tmp_path):
    """The trailer's item count is not under the checksum; it is held to the entry's lines."""
    cache = ResultCache(tmp_path, "k")
    cache.put("ef" * 32, [InputError("a", "x"), InputError("a", "y")])
    [path] = list(tmp_path.rglob("*.jsonl"))
    path.write_bytes(path.read_bytes().replace(b'{"items": 2', b'{"items": 1'))
    assert cache.get("ef" * 32, "a") is None and cache.rejected == 1


@FUZZ
@given(st.lists(results(), max_size=5))
def test_the_spool_gives_back_each_result_exactly(items):
    spool = ResultSpool(full=True)
    try:
        for r in items:
            spool.append(r)
        assert [spool.full(i) for i in range(len(items))] == items
        assert list(spool) == [r.lean() for r in items]
    finally:
        spool.close()
