"""The rule cache: cached rules are the rules a full read gives, and nothing stale is ever used."""

import datetime
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from poise.rules import RuleErrors, default_rules_dir, load_rules, load_ruleset
from poise.rules import cache as rule_cache
from poise.rules.cache import RuleCache, rule_from_json, rule_to_json

PACK = """\
rules:
  - id: apology.sincere
    category: apology
    message: Apologised
    tip: Say what you are sorry for.
    patterns: ["sorry for the", {tokens: [{LOWER: my}, {LOWER: {IN: [apologies, apology]}}]}]
    unless: ["sorry for the inconvenience caused by you"]
    within: {first_turns: 3}
    proximity: {patterns: [wait], distance: 4}
    examples:
      match: ["Sorry for the wait.", {customer: "It broke.", agent: "My apologies."}]
      no_match:
        - turns: [{speaker: customer, text: "hi", start: 0, end: 1.5}, {speaker: agent, text: "hello"}]
  - id: courtesy.after
    category: courtesy
    message: Thanked
    patterns: [thanks]
    after: {rule: apology.sincere, turns: 2}
    suppresses: [rudeness]
    missing_message: none
"""


def round_trip(rule):
    return rule_from_json(json.loads(json.dumps(rule_to_json(rule))))


def test_every_default_rule_survives_the_round_trip():
    rules = load_rules([default_rules_dir()])
    assert len(rules) > 90
    for rule in rules:
        assert round_trip(rule) == rule, rule.id


OTHER_KINDS = """\
rules:
  - id: ownership.i-act
    category: ownership
    message: Committed to act
    patterns:
      - dependency:
          - {RIGHT_ID: verb, RIGHT_ATTRS: {LOWER: {IN: [fix, handle]}}}
          - {LEFT_ID: verb, REL_OP: ">", RIGHT_ID: subject, RIGHT_ATTRS: {DEP: nsubj, LOWER: i}}
  - id: call-control.long-hold
    category: call-control
    kind: metric
    message: Long silence
    when: holds.silence > 60 and dead_air.count >= 2
  - id: active-listening.reflection
    category: active-listening
    message: Restated the customer's words
    detector: reflection
    params: {min_shared: 3}
"""


def test_dependency_metric_and_detector_rules_survive_the_round_trip(tmp_path):
    (tmp_path / "pack.yaml").write_text(OTHER_KINDS)
    rules = load_rules([tmp_path])
    assert [r.kind for r in rules] == ["match", "metric", "match"] and rules[2].params["min_shared"] == 3
    assert rules[0].patterns[0].kind == "dependency" and rules[1].metric[0].value == 60
    for rule in rules:
        assert round_trip(rule) == rule, rule.id


def test_second_load_comes_from_the_cache_and_equals_a_full_read(tmp_path):
    (tmp_path / "pack.yaml").write_text(PACK)
    cache = RuleCache(tmp_path / "cache")
    first = load_rules([tmp_path], cache)
    assert (cache.hits, cache.misses) == (0, 1)
    again = RuleCache(tmp_path / "cache")
    second = load_rules([tmp_path], again)
    assert (again.hits, again.misses) == (1, 0)
    assert second == first == load_rules([tmp_path])  # the uncached read
    assert second[0].within.first_turns == 3 and second[0].examples_no_match[0].turns[0][3] == 1.5


def test_an_edited_file_is_read_again(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK)
    load_rules([tmp_path], RuleCache(tmp_path / "cache"))
    pack.write_text(PACK.replace("message: Apologised", "message: Said sorry"))
    cache = RuleCache(tmp_path / "cache")
    [first, _] = load_rules([tmp_path], cache)
    assert first.message == "Said sorry" and cache.misses == 1


def test_the_key_covers_the_path_and_the_code(tmp_path, monkeypatch):
    cache = RuleCache(tmp_path)
    key = cache.key("a/pack.yaml", b"x")
    assert key != cache.key("b/pack.yaml", b"x") and key != cache.key("a/pack.yaml", b"y")
    rule_cache._code_stamp.cache_clear()
    monkeypatch.setattr(rule_cache, "FORMAT", rule_cache.FORMAT + 1)
    try:
        assert cache.key("a/pack.yaml", b"x") != key
    finally:
        rule_cache._code_stamp.cache_clear()


def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path):
    (tmp_path / "pack.yaml").write_text(PACK)
    good = load_rules([tmp_path], RuleCache(tmp_path / "cache"))
    [entry] = list((tmp_path / "cache").rglob("*.json"))
    for bad in ('{"format": 1, "key": "trunc', json.dumps({"format": 1, "key": entry.stem, "rules": [{"id": 1}]}),
                json.dumps({"format": 1, "key": "another", "rules": []})):
        entry.write_text(bad)
        cache = RuleCache(tmp_path / "cache")
        assert load_rules([tmp_path], cache) == good and cache.rejected == 1
        assert json.loads(entry.read_text())["rules"][0]["id"] == "apology.sincere"  # rewritten


def test_a_file_with_a_problem_is_never_cached(tmp_path):
    (tmp_path / "pack.yaml").write_text(PACK.replace("category: courtesy", "category: courtesy\n    colour: red"))
    cache = RuleCache(tmp_path / "cache")
    for _ in range(2):
        with pytest.raises(RuleErrors, match="unknown key 'colour'"):
            load_rules([tmp_path], cache)
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_problems_across_files_are_still_found_with_cached_files(tmp_path):
    (tmp_path / "a.yaml").write_text(PACK)
    (tmp_path / "b.yaml").write_text(PACK.split("  - id: courtesy.after")[0])  # the same id again
    cache = RuleCache(tmp_path / "cache")
    for _ in range(2):
        with pytest.raises(RuleErrors, match="duplicate rule id 'apology.sincere'"):
            load_rules([tmp_path], cache)
    assert cache.hits == 2  # both files were clean on their own: cached, and the check still ran


def test_a_value_json_cannot_hold_is_not_cached(tmp_path):
    [rule] = load_rules([default_rules_dir()])[:1]
    cache = RuleCache(tmp_path)
    cache.put("k" * 64, [replace(rule, link=datetime.date(2026, 1, 1))])
    assert not list(tmp_path.rglob("*.json"))


def test_an_unwritable_cache_only_costs_time(tmp_path):
    (tmp_path / "pack.yaml").write_text(PACK)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    assert load_rules([tmp_path], RuleCache(blocker / "rules")) == load_rules([tmp_path])


def test_cache_folder_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("POISE_CACHE_DIR", str(tmp_path))
    assert RuleCache.default().root == tmp_path / "rules"
    monkeypatch.setenv("POISE_CACHE_DIR", "")
    assert RuleCache.default() is None
    monkeypatch.delenv("POISE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert RuleCache.default().root == tmp_path / "xdg" / "poise" / "rules"


def test_load_ruleset_uses_the_user_cache_and_cache_clear_empties_it(tmp_path, monkeypatch, run_cli):
    monkeypatch.setenv("POISE_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.chdir(tmp_path)
    assert load_ruleset() == load_ruleset(cache=False)
    files = len(list((tmp_path / "c" / "rules").rglob("*.json")))
    assert files == len([p for p in default_rules_dir().glob("*.yaml") if p.name != "scorecard.yaml"])
    result = run_cli("cache", "clear")
    assert f"removed {files} cached rule file(s)" in result.stdout
    assert not (tmp_path / "c" / "rules").exists()


# -- the PhraseMatcher is given token ids, not Docs ----------------------------------------------

@pytest.fixture(scope="module")
def nlp():
    import spacy
    return spacy.blank("en")


def lower_ids(nlp, text):
    from poise.rules.compile import phrase_key
    key = phrase_key(nlp, text)
    return list(key) if isinstance(key, list) else [t.lower for t in key]


def test_phrase_ids_of_every_default_phrase_are_the_tokenizers(nlp):
    phrases = [p.value for r in load_rules([default_rules_dir()])
               for p in (*r.patterns, *r.unless, *(r.proximity.patterns if r.proximity else ()))
               if p.kind == "phrase"]
    assert len(phrases) > 2000
    for text in phrases:
        assert lower_ids(nlp, text) == [t.lower for t in nlp.make_doc(text)], text


_SPECIAL = ["dont", "cant", "gonna", "Im", "im", "wont", "cannot", "lemme", "ya", "Mr.", "o'clock"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_SPECIAL), st.text("abcxyzéÅß'-.,!?1 ", min_size=1, max_size=8)),
                min_size=1, max_size=5))
def test_phrase_ids_match_the_tokenizer_on_any_words(nlp, words):
    text = " ".join(words)
    assert lower_ids(nlp, text) == [t.lower for t in nlp.make_doc(text)]


def test_the_cache_keeps_the_most_recently_used_entries(tmp_path, monkeypatch):
    import os
    monkeypatch.setattr(rule_cache, "MAX_ENTRIES", 3)
    cache = RuleCache(tmp_path)
    [rule] = load_rules([default_rules_dir()])[:1]
    for n in range(3):
        cache.put(f"{n}" * 64, [rule])
        os.utime(tmp_path / f"{str(n) * 64}.json", ns=(n * 10**9, n * 10**9))
    assert cache.get("0" * 64) == [rule]  # used: now the most recent
    cache.put("9" * 64, [rule])
    assert sorted(p.name[0] for p in tmp_path.glob("*.json")) == ["0", "2", "9"]
