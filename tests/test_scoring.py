"""Scorecards: questions, N/A, deductions and caps, auto-fail, bands, and validation errors."""

import textwrap

import pytest

from poise.rules import RuleErrors
from poise.scoring import load_scorecard, score_call

CARD = """
name: test card
bands: [{name: Good, min: 75}, {name: Bad, min: 0}]
auto_fail:
  - {category: rudeness, min_severity: critical, reason: Profanity}
sections:
  - name: Opening
    weight: 1
    questions:
      - {id: o.greet, text: Greeted, present: {category: greeting}, points: 10}
  - name: Empathy
    weight: 1
    questions:
      - {id: e.emp, text: Empathy, present: {category: empathy}, applies_when: {category: customer-frustration}, points: 10}
  - name: Language
    weight: 2
    base: 20
    deductions:
      - {category: blame, points: 8}
      - {category: negative-language, points: 3, max: 6}
    deduction_cap: 15
"""


def card(tmp_path, text=CARD):
    path = tmp_path / "card.yaml"
    path.write_text(textwrap.dedent(text))
    return load_scorecard(path)


def f(category, polarity="credit", severity="minor", turn=1, text="words", rule=None):
    return {"rule": rule or f"{category}.x", "category": category, "polarity": polarity,
            "severity": severity, "turn": turn, "text": text}


def test_present_question_earns_points_and_names_the_evidence(tmp_path):
    score, band, sections, reason = score_call(card(tmp_path), [f("greeting", text="thanks for calling")])
    opening = sections[0]
    assert opening.score == 100.0
    [line] = opening.lines
    assert line.status == "PRESENT" and line.evidence[0] == {"rule": "greeting.x", "turn": 1, "text": "thanks for calling"}


def test_question_without_its_condition_is_na_and_leaves_the_potential(tmp_path):
    score, band, sections, _ = score_call(card(tmp_path), [f("greeting")])
    assert sections[1].score is None and sections[1].lines[0].status == "N/A"
    # Opening 100 (weight 1) + Language 100 (weight 2); Empathy N/A is left out entirely
    assert score == 100.0 and band == "Good"


def test_applicable_question_not_present_scores_zero(tmp_path):
    score, _, sections, _ = score_call(card(tmp_path), [f("greeting"), f("customer-frustration", "deduction", turn=0)])
    assert sections[1].score == 0.0 and sections[1].lines[0].status == "NOT_PRESENT"
    assert score == round((100 + 0 + 2 * 100) / 4, 1)


def test_deductions_per_finding_with_item_max_and_section_cap(tmp_path):
    findings = [f("greeting")] + [f("negative-language", "deduction")] * 3 + [f("blame", "deduction")] * 2
    _, _, sections, _ = score_call(card(tmp_path), findings)
    language = sections[2]
    # negative-language 3 + 3 (max 6), blame 8 + 8 = 22, capped at 15 of 20
    assert language.deducted == 15 and language.score == 25.0
    statuses = [line.status for line in language.lines]
    assert statuses.count("DEDUCTION") == 4 and "CAPPED" in statuses


def test_credits_do_not_trigger_deductions(tmp_path):
    _, _, sections, _ = score_call(card(tmp_path), [f("blame", "credit")])
    assert sections[2].deducted == 0


def test_auto_fail_sets_zero_and_says_why(tmp_path):
    score, band, _, reason = score_call(card(tmp_path), [f("greeting"), f("rudeness", "deduction", "critical", text="damn")])
    assert score == 0.0 and band == "Bad" and reason == "Profanity: 'damn'"


def test_minor_rudeness_does_not_auto_fail(tmp_path):
    score, _, _, reason = score_call(card(tmp_path), [f("greeting"), f("rudeness", "deduction", "major")])
    assert reason is None and score > 0


def test_not_applicable_rules_make_their_question_na(tmp_path):
    _, _, sections, _ = score_call(card(tmp_path), [], not_applicable=["greeting.open"],
                                   rule_categories={"greeting.open": "greeting"})
    assert sections[0].score is None


@pytest.mark.parametrize("edit,message", [
    ("weight: 1\n    questions:", "card.yaml:"),
    ("present: {category: greeting}", "unknown category 'greting' (did you mean 'greeting'?)"),
    ("base: 20", "unknown key 'bse' in section 'Language' (did you mean 'base'?)"),
])
def test_invalid_scorecards_get_file_line_errors(tmp_path, edit, message):
    broken = {"weight: 1\n    questions:": CARD.replace("weight: 1\n    questions:\n      - {id: o.greet", "weight: -1\n    questions:\n      - {id: o.greet"),
              "present: {category: greeting}": CARD.replace("{category: greeting}", "{category: greting}"),
              "base: 20": CARD.replace("base: 20", "bse: 20")}[edit]
    with pytest.raises(RuleErrors) as info:
        card(tmp_path, broken)
    text = str(info.value)
    assert message in text and "card.yaml:" in text


def test_shipped_scorecard_loads():
    from poise.api import default_scorecard_path
    sc = load_scorecard(default_scorecard_path())
    assert [b.name for b in sc.bands] == ["Excellent", "Good", "Needs coaching", "Unacceptable"]
    assert len(sc.sections) == 7 and sc.auto_fail


def test_section_and_finding_dicts_carry_every_field():
    """to_dict / section_to_dict are written out by hand (faster than dataclasses.asdict): a field
    added to the dataclasses must show up in the JSON too."""
    from dataclasses import asdict, fields

    from poise.detect.finding import Finding
    from poise.scoring import ScoreLine, SectionScore, section_to_dict

    line = ScoreLine("Courtesy", "please", -1.0, "DEDUCTION", ({"rule": "r", "turn": 1, "text": "x"},))
    section = SectionScore("Courtesy", 1.0, 50.0, 2.0, 1.0, 2.0, (line,))
    data = section_to_dict(section)
    assert set(data) == {f.name for f in fields(SectionScore)}
    assert set(data["lines"][0]) == {f.name for f in fields(ScoreLine)}
    assert data["lines"][0]["evidence"] == [{"rule": "r", "turn": 1, "text": "x"}]
    finding = Finding("r", "courtesy", "credit", "low", 0, "agent", 0, 5, "hello", "m", link="https://x")
    assert finding.to_dict() == asdict(finding)
    assert "link" not in Finding("r", "c", "credit", "low", None, None, None, None, "", "m").to_dict()
