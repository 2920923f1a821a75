"""Dependency rules: active with a parser (tested on Docs built with explicit heads and deps),
skipped with one clear warning without one."""

from spacy.tokens import Doc

from poise.transcript import RoleAssignment, Transcript, Turn

from .helpers import detector

OWNERSHIP = """
rules:
  - id: ownership.i-act
    category: ownership
    message: Committed to act
    patterns:
      - dependency:
          - {RIGHT_ID: verb, RIGHT_ATTRS: {LOWER: {IN: [fix, handle, sort]}}}
          - {LEFT_ID: verb, REL_OP: ">", RIGHT_ID: subject, RIGHT_ATTRS: {DEP: nsubj, LOWER: i}}
"""


def parsed(det, words, heads, deps):
    return Doc(det.nlp.vocab, words=words, heads=heads, deps=deps)


def test_dependency_pattern_matches_a_parsed_doc(tmp_path):
    det = detector(tmp_path, OWNERSHIP, parser=True)
    # "I will personally fix your bill": fix <- nsubj I, even with words between them
    doc = parsed(det, ["I", "will", "personally", "fix", "your", "bill"],
                 [3, 3, 3, 3, 5, 3], ["nsubj", "aux", "advmod", "ROOT", "poss", "dobj"])
    call = Transcript("t", (Turn("agent", "Agent", doc.text),), roles=RoleAssignment("source"))
    [finding] = det.analyze_docs(call, [doc]).findings
    assert finding.rule == "ownership.i-act" and finding.text == "I will personally fix"


def test_dependency_pattern_needs_the_right_subject(tmp_path):
    det = detector(tmp_path, OWNERSHIP, parser=True)
    # "You fix your bill": the subject is "you", not "I"
    doc = parsed(det, ["You", "fix", "your", "bill"], [1, 1, 3, 1], ["nsubj", "ROOT", "poss", "dobj"])
    call = Transcript("t", (Turn("agent", "Agent", doc.text),), roles=RoleAssignment("source"))
    assert det.analyze_docs(call, [doc]).findings == ()


def test_dependency_rules_are_skipped_with_a_warning_without_a_parser(tmp_path):
    det = detector(tmp_path, OWNERSHIP)
    assert det.compiled.skipped_dependency == ["ownership.i-act"]
    [warning] = det.warnings
    assert "no parser" in warning and "--model" in warning
    call = Transcript("t", (Turn("agent", "Agent", "I will fix it"),), roles=RoleAssignment("source"))
    assert det.analyze(call).findings == ()


def test_a_scorer_warns_the_same_before_its_pipeline_is_built(tmp_path):
    """Scorer builds its pipeline on first use; its warnings are the Detector's from the start."""
    from poise.api import Scorer
    det = detector(tmp_path, OWNERSHIP)
    scorer = Scorer(rule_dirs=[tmp_path], default_rules=False)
    assert scorer._detector is None
    assert scorer.warnings == det.warnings and scorer.rules_hash == det.rules_hash
    assert scorer.detector.warnings == det.warnings  # and once built
