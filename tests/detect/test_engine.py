"""Every rule feature of the engine, on small inline rule packs."""

import pytest

from .helpers import call, detector, fired

APOLOGY = """
rules:
  - id: apology.sincere
    category: apology
    message: Apologised
    patterns: ["sorry for the", "I apologize for"]
    unless: ["sorry you feel"]
"""


def test_agent_rule_ignores_the_customers_words(tmp_path):
    det = detector(tmp_path, APOLOGY)
    assert fired(det, call(("customer", "Sorry for the noise."), ("agent", "Sorry for the wait."))) == [
        ("apology.sincere", 1, "Sorry for the")]


def test_customer_and_any_speaker_scopes(tmp_path):
    det = detector(tmp_path, """
rules:
  - {id: frustration.third, category: customer-frustration, message: m, patterns: ["third time"]}
  - {id: any.refund, category: info-refund, polarity: credit, speaker: any, message: m, patterns: ["refund"]}
""")
    found = fired(det, call(("customer", "Third time I call about a refund."), ("agent", "A refund, third time?")))
    assert found == [("frustration.third", 0, "Third time"), ("any.refund", 0, "refund"), ("any.refund", 1, "refund")]


def test_phrases_match_case_insensitively(tmp_path):
    det = detector(tmp_path, APOLOGY)
    assert fired(det, call(("agent", "i APOLOGIZE FOR that")))[0][2] == "i APOLOGIZE FOR"


@pytest.mark.parametrize("text", ["I'm not sorry for the wait.", "I'm never sorry for the delay",
                                  "I am no longer sorry for the mixup"])
def test_negated_credit_is_dropped(tmp_path, text):
    assert fired(detector(tmp_path, APOLOGY), call(("agent", text))) == []


def test_negation_does_not_cross_a_clause_boundary(tmp_path):
    found = fired(detector(tmp_path, APOLOGY), call(("agent", "No, I'm sorry for the confusion.")))
    assert [f[0] for f in found] == ["apology.sincere"]


def test_negation_can_be_switched_off(tmp_path):
    det = detector(tmp_path, APOLOGY.replace('unless: ["sorry you feel"]', "negation: false"))
    assert len(fired(det, call(("agent", "I'm not sorry for the wait.")))) == 1


def test_unless_cancels_in_the_same_sentence_only(tmp_path):
    det = detector(tmp_path, """
rules:
  - id: apology.any
    category: apology
    message: m
    patterns: ["I'm sorry"]
    unless: ["you feel that way"]
""")
    assert fired(det, call(("agent", "I'm sorry you feel that way."))) == []
    assert len(fired(det, call(("agent", "I'm sorry. Do you feel that way too? I can see you feel that way.")))) == 1


def test_quoted_words_do_not_count(tmp_path):
    det = detector(tmp_path, APOLOGY)
    assert fired(det, call(("agent", 'The note says "sorry for the mess" on it.'))) == []


def test_fillers_are_skipped_and_offsets_point_at_the_original_words(tmp_path):
    text = "So, um, I apologize, uh, for the mixup."
    det = detector(tmp_path, APOLOGY)
    [(rule, turn, words)] = fired(det, call(("agent", text)))
    assert words == "I apologize, uh, for"
    finding = det.analyze(call(("agent", text))).findings[0]
    assert text[finding.start:finding.end] == words


WINDOWS = """
rules:
  - {id: greet.first, category: greeting, message: m, patterns: [hello], within: {first_turns: 1}}
  - {id: close.last, category: closing, message: m, patterns: [bye], within: {last_turns: 1}}
  - {id: early.pct, category: courtesy, message: m, patterns: [thanks], within: {first_percent: 25}}
  - {id: late.pct, category: courtesy, message: m, patterns: [cheers], within: {last_percent: 25}}
"""


def test_turn_windows_count_the_rules_speaker_turns(tmp_path):
    det = detector(tmp_path, WINDOWS)
    transcript = call(("customer", "hello bye"), ("agent", "hello there"), ("customer", "hi"),
                      ("agent", "hello again, bye"), ("agent", "bye now"))
    assert sorted(fired(det, transcript)) == [("close.last", 4, "bye"), ("greet.first", 1, "hello")]


def test_percent_windows_count_all_turns(tmp_path):
    det = detector(tmp_path, WINDOWS)
    turns = [("agent", "thanks cheers")] + [("customer", "ok")] * 6 + [("agent", "thanks cheers")]
    assert sorted(fired(det, call(*turns))) == [("early.pct", 0, "thanks"), ("late.pct", 7, "cheers")]


AFTER = """
rules:
  - {id: cf.angry, category: customer-frustration, message: m, patterns: [ridiculous]}
  - id: deesc.sort
    category: de-escalation
    message: m
    patterns: ["sort this out"]
    after: {category: customer-frustration, turns: 2}
"""


def test_after_requires_the_category_in_previous_turns(tmp_path):
    det = detector(tmp_path, AFTER)
    calm = call(("customer", "Hi."), ("agent", "Let's sort this out."))
    assert fired(det, calm) == []
    angry = call(("customer", "This is ridiculous."), ("agent", "Let's sort this out."))
    assert [f[0] for f in fired(det, angry)] == ["cf.angry", "deesc.sort"]
    too_late = call(("customer", "This is ridiculous."), ("agent", "ok"), ("customer", "ok"),
                    ("agent", "Let's sort this out."))
    assert [f[0] for f in fired(det, too_late)] == ["cf.angry"]


def test_after_can_name_a_rule_id(tmp_path):
    det = detector(tmp_path, AFTER.replace("category: customer-frustration, turns: 2", "rule: cf.angry"))
    assert len(fired(det, call(("customer", "ridiculous"), ("agent", "we'll sort this out")))) == 2


def test_proximity_needs_the_other_pattern_nearby(tmp_path):
    det = detector(tmp_path, """
rules:
  - id: next.refund
    category: next-steps
    message: m
    patterns: ["refund"]
    proximity: {patterns: ["business days", "by friday"], distance: 4}
""")
    assert len(fired(det, call(("agent", "The refund arrives in 3 business days.")))) == 1
    assert fired(det, call(("agent", "The refund is approved and you will see it on your statement within five business days."))) == []


REQUIRED = """
rules:
  - id: greeting.open
    category: greeting
    kind: required
    within: {first_turns: 2}
    message: Greeted the customer
    missing_message: No greeting in the first two agent turns
    patterns: ["thank you for calling"]
"""


def test_required_rule_credits_presence_and_deducts_absence(tmp_path):
    det = detector(tmp_path, REQUIRED)
    good = det.analyze(call(("agent", "Thank you for calling!"), ("customer", "hi")))
    assert [(f.polarity, f.kind, f.turn) for f in good.findings] == [("credit", "match", 0)]
    late = det.analyze(call(("agent", "Hi."), ("agent", "What?"), ("agent", "Thank you for calling.")))
    [missing] = late.findings
    assert (missing.polarity, missing.kind, missing.turn) == ("deduction", "missing", None)
    assert missing.message == "No greeting in the first two agent turns"


def test_required_rule_without_its_speaker_is_not_applicable(tmp_path):
    analysis = detector(tmp_path, REQUIRED).analyze(call(("customer", "hello?")))
    assert analysis.findings == () and analysis.not_applicable == ("greeting.open",)


def test_forbidden_rule_is_always_a_deduction(tmp_path):
    det = detector(tmp_path, """
rules:
  - {id: script.noslang, category: courtesy, kind: forbidden, severity: major, message: m, patterns: ["no worries"]}
""")
    [f] = det.analyze(call(("agent", "No worries at all."))).findings
    assert (f.polarity, f.kind, f.severity) == ("deduction", "forbidden", "major")


def test_metric_rule_counts_findings_at_call_level(tmp_path):
    det = detector(tmp_path, APOLOGY + """
  - id: non-apology.over
    category: non-apology
    kind: metric
    when: "count.apology > 2"
    message: Over-apologised
""")
    two = call(("agent", "Sorry for the wait."), ("agent", "Sorry for the mixup."))
    assert [f.rule for f in det.analyze(two).findings] == ["apology.sincere"] * 2
    three = call(*two.turns and [("agent", "Sorry for the wait.")] * 3)
    findings = det.analyze(three).findings
    assert findings[-1].rule == "non-apology.over" and findings[-1].text == "count.apology = 3"


def test_overlapping_matches_of_one_category_count_once_longest_wins(tmp_path):
    det = detector(tmp_path, """
rules:
  - {id: a.short, category: apology, message: m, patterns: ["so sorry"]}
  - {id: a.long, category: apology, message: m, patterns: ["so sorry for the trouble"]}
""")
    assert fired(det, call(("agent", "I'm so sorry for the trouble."))) == [
        ("a.long", 0, "so sorry for the trouble")]


def test_non_apology_suppresses_the_apology_it_overlaps(tmp_path):
    det = detector(tmp_path, """
rules:
  - {id: a.sorry, category: apology, message: m, patterns: ["I'm sorry"]}
  - {id: na.feel, category: non-apology, message: m, patterns: ["sorry you feel that way"]}
""")
    analysis = det.analyze(call(("agent", "I'm sorry you feel that way.")), explain=True)
    assert [f.rule for f in analysis.findings] == ["na.feel"]
    cancelled = [c.cancelled for c in analysis.candidates if c.cancelled]
    assert cancelled and "suppressed by non-apology" in cancelled[0]


def test_token_patterns_with_lemmas(tmp_path):
    det = detector(tmp_path, """
rules:
  - id: own.fix
    category: ownership
    message: m
    patterns:
      - tokens: [{LOWER: i}, {LOWER: {IN: ["'ll", will]}}, {LEMMA: {IN: [fix, handle]}}]
""")
    assert [f[2] for f in fired(det, call(("agent", "I'll handle it, I will fix it.")))] == ["I'll handle", "I will fix"]
