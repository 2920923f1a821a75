"""The shipped rule packs: valid, every example passes (examples are tests), and every rule
carries enough examples and a coaching tip."""

from functools import lru_cache

import pytest

from poise.detect import Detector
from poise.rules import default_rules_dir, load_rules
from poise.ruletest import run_examples


@lru_cache(maxsize=1)
def shipped():
    rules = load_rules([default_rules_dir()])
    return rules, Detector(rules)


def _ids():
    return [r.id for r in shipped()[0]]


@pytest.mark.parametrize("rule_id", _ids())
def test_rule_examples_pass(rule_id):
    rules, detector = shipped()
    rule = next(r for r in rules if r.id == rule_id)
    failed = [r for r in run_examples(detector, [rule]) if not r.passed]
    assert not failed, "\n".join(
        f"{'should' if f.expected else 'should not'} match: {f.example.text!r}"
        f"{' (after ' + repr(f.example.customer) + ')' if f.example.customer else ''}; fired: {f.fired}"
        for f in failed)


@pytest.mark.parametrize("rule_id", _ids())
def test_rule_has_four_examples_each_way_and_a_tip(rule_id):
    rule = next(r for r in shipped()[0] if r.id == rule_id)
    assert len(rule.examples_match) >= 4, "needs at least 4 match examples"
    assert len(rule.examples_no_match) >= 4, "needs at least 4 no_match examples"
    assert len(rule.tip) >= 30, "needs a tip a trainer can read aloud"


def test_shipped_packs_cover_every_behaviour():
    from poise.rules.model import CATEGORIES
    assert {r.category for r in shipped()[0]} >= set(CATEGORIES)
