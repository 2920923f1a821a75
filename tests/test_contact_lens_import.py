"""Importing Amazon Connect Contact Lens rules: every shape of the rules language converts to a
poise rule that validates and whose generated example fires, or is reported as skipped with a
reason; the command exits 0 on success and 2 (naming the file) on unreadable input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from poise.detect import Detector
from poise.rules import load_rules
from poise.rules.contact_lens_import import (ContactLensError, ContactLensErrors, Conversion,
                                             convert_files, convert_rule, slugify, to_pattern,
                                             write_conversions)
from poise.ruletest import run_examples
from poise.transcript import RoleAssignment, Transcript, Turn

from conftest import FIXTURES, shared_file

FIX = FIXTURES / "contact_lens_rules"
GOOD = sorted(FIX.glob("*.json"))


@pytest.fixture(scope="module")
def converted() -> dict[str, Conversion]:
    return {Path(c.source).stem: c for c in convert_files(GOOD)}


@pytest.fixture(scope="module")
def loaded(converted, tmp_path_factory):
    """The fixtures written out and read back by the poise loader, with one Detector."""
    out = tmp_path_factory.mktemp("imported")
    write_conversions(converted.values(), out)
    rules = load_rules([out])
    return out, rules, Detector(rules)


def fired(detector: Detector, rule_id: str, text: str, speaker: str = "agent") -> list[str]:
    call = Transcript("t", (Turn(speaker, speaker.title(), text),), roles=RoleAssignment("source"))
    return [f.text for f in detector.analyze(call).findings if f.rule == rule_id and f.kind != "missing"]


def only_rule(conv: Conversion) -> dict:
    assert len(conv.rules) == 1, [r["id"] for r in conv.rules]
    return conv.rules[0]


# -- shapes ------------------------------------------------------------------------------------
def test_plain_phrases_merge_both_conditions_and_map_to_a_poise_behaviour(converted):
    conv = converted["plain-apology"]
    rule = only_rule(conv)
    assert rule["id"] == "contact-lens.agent-apology-check"
    assert (rule["category"], rule["polarity"], rule["speaker"]) == ("apology", "credit", "agent")
    # PatternMatch LIST + ExactMatch strings, deduplicated, end punctuation dropped
    assert rule["patterns"] == ["I apologize", "my apologies", "I'm sorry", "I'm sorry for the wait",
                                "Please accept our apology for the delay"]
    assert "Imported from the Contact Lens rule Agent-Apology-Check" in rule["tip"]
    assert rule["message"].startswith("Agent Apology Check")
    assert rule["examples"] == {"match": ["I apologize."]}
    assert not conv.skipped


def test_wildcards_become_token_patterns(converted, loaded):
    rule = only_rule(converted["wildcard-refund"])
    assert {"tokens": [{"LOWER": {"REGEX": "^refund"}}]} in rule["patterns"]
    assert {"tokens": [{"LOWER": "sorry"}, {"IS_ALPHA": True}]} in rule["patterns"]
    assert {"tokens": [{"LOWER": {"REGEX": "able$"}}, {"LOWER": "charge"}]} in rule["patterns"]
    assert "money back" in rule["patterns"]
    _, _, detector = loaded
    rid = rule["id"]
    assert fired(detector, rid, "I want my refunds now", "customer") == ["refunds"]
    assert fired(detector, rid, "Sorry folks, that was a taxable charge", "customer") == ["Sorry folks",
                                                                                          "taxable charge"]
    assert fired(detector, rid, "I was charged", "customer") == []


@pytest.mark.parametrize("text,pattern,example", [
    ("refund*", {"tokens": [{"LOWER": {"REGEX": "^refund"}}]}, "refund"),
    ("*able", {"tokens": [{"LOWER": {"REGEX": "able$"}}]}, "able"),
    ("re*ed", {"tokens": [{"LOWER": {"REGEX": r"^re\w*ed$"}}]}, "reed"),
    ("sorry *", {"tokens": [{"LOWER": "sorry"}, {"IS_ALPHA": True}]}, "sorry really"),
    ("Can I speak to your manager?", "Can I speak to your manager", "Can I speak to your manager"),
    ("I'm not happy, I need help", {"tokens": [{"LOWER": "i"}, {"LOWER": "'m"}, {"LOWER": "not"},
                                               {"LOWER": "happy"}, {"IS_PUNCT": True, "OP": "?"},
                                               {"LOWER": "i"}, {"LOWER": "need"}, {"LOWER": "help"}]},
     "I'm not happy, I need help"),
])
def test_to_pattern(text, pattern, example):
    got, got_example = to_pattern(text)
    assert got == pattern and got_example == example


def test_proximity_becomes_poise_proximity(converted, loaded):
    conv = converted["proximity-escalation"]
    ids = [r["id"] for r in conv.rules]
    assert ids == ["contact-lens.customer-escalation", "contact-lens.customer-escalation.near-1"]
    near = conv.rules[1]
    assert near["patterns"] == ["manager", "supervisor"]
    assert near["proximity"] == {"patterns": ["speak", "talk to"], "distance": 4}
    assert near["category"] == "customer-frustration" and near["speaker"] == "customer"
    _, _, detector = loaded
    assert fired(detector, near["id"], "Let me speak to your manager", "customer") == ["manager"]
    assert fired(detector, near["id"], "My manager says hello and wants to speak", "customer") == []
    # the inner comma of an ExactMatch sentence is optional, so both spellings match
    plain = conv.rules[0]["id"]
    assert fired(detector, plain, "I'm not happy I need a supervisor", "customer")
    assert fired(detector, plain, "I'm not happy, I need a supervisor", "customer")


def test_participant_role_sets_the_speaker(converted):
    assert only_rule(converted["plain-apology"])["speaker"] == "agent"
    assert {r["speaker"] for r in converted["proximity-escalation"].rules} == {"customer"}
    assert only_rule(converted["unknown-topic"])["speaker"] == "any"  # no filter
    both = converted["role-both"]
    assert only_rule(both)["speaker"] == "any"
    assert any("both AGENT and CUSTOMER" in n for n in both.notes)


def test_category_depends_on_the_role_for_escalation():
    data = json.loads((FIX / "proximity-escalation.json").read_text())
    function = json.loads(data["Function"])
    for condition in function["RuleFunction"]["Operands"]:
        condition["FilterClause"]["Filters"][0]["Data"] = "AGENT"
    data["Function"] = json.dumps(function)
    conv = convert_rule(data, "agent-escalation.json")
    assert {r["category"] for r in conv.rules} == {"contact-lens-customer-escalation"}
    assert {r["speaker"] for r in conv.rules} == {"agent"}


def test_negate_on_a_credit_behaviour_becomes_required(converted, loaded):
    conv = converted["negate-greeting"]
    rule = only_rule(conv)
    assert rule["kind"] == "required" and rule["category"] == "greeting"
    assert any("WITHOUT these phrases" in c for c in conv.comments[rule["id"]])
    _, _, detector = loaded
    call = Transcript("t", (Turn("agent", "Agent", "Account number please."),
                            Turn("customer", "Customer", "It is 42.")), roles=RoleAssignment("source"))
    missing = [f for f in detector.analyze(call).findings if f.rule == rule["id"]]
    assert [(f.kind, f.polarity) for f in missing] == [("missing", "deduction")]


def test_negate_on_a_deduction_behaviour_is_skipped_with_a_reason(converted):
    conv = converted["negate-rudeness"]
    assert only_rule(conv)["patterns"] == ["whatever"]  # the plain condition still converts
    [skipped] = conv.skipped
    assert "negated" in skipped.what and "cannot express" in skipped.reason
    assert "# Skipped" in conv.to_yaml() and "credit an absence" in conv.to_yaml()


def test_unknown_name_gets_a_user_defined_category(converted):
    conv = converted["unknown-topic"]
    rule = only_rule(conv)
    assert rule["category"] == "contact-lens-billing-dispute-post-call"
    assert (rule["polarity"], rule["severity"], rule["negation"]) == ("credit", "info", False)
    assert any("user-defined category" in n and "polarity credit, severity info" in n for n in conv.notes)


def test_non_convertible_conditions_are_reported_never_dropped(converted):
    conv = converted["non-convertible"]
    assert not conv.converted and conv.rules == []
    reasons = " | ".join(str(s) for s in conv.skipped)
    assert "Sentiment" in reasons and "sentiment scores" in reasons
    assert "Interruptions" in reasons and "interruption" in reasons
    assert "NonTalkTime" in reasons and "non-talk time" in reasons


def test_time_filter_and_semantic_match_are_skipped_but_the_phrases_convert(converted):
    conv = converted["time-and-semantic"]
    rule = only_rule(conv)
    assert rule["patterns"] == ["good morning", "thank you for calling"] and "within" not in rule
    whats = [s.what for s in conv.skipped]
    assert any("PostCallContactPeriodSeconds (first 30 s)" in w for w in whats)
    assert any(w.startswith("SemanticMatch") for w in whats)
    assert "PostCallContactPeriodSeconds" in "\n".join(conv.comments[rule["id"]])


def test_and_of_conditions_is_reported_as_loosened(converted):
    conv = converted["and-two-conditions"]
    assert len(conv.rules) == 2
    assert any(s.what.startswith("AND of 2") and "looser" in s.reason for s in conv.skipped)
    assert any("real-time" in n for n in conv.notes)


def test_category_option_overrides_the_mapping():
    [conv] = convert_files([FIX / "unknown-topic.json"], category="courtesy", check_examples=False)
    assert only_rule(conv)["category"] == "courtesy" and only_rule(conv)["polarity"] == "credit"
    [conv] = convert_files([FIX / "unknown-topic.json"], category="billing", check_examples=False)
    assert (only_rule(conv)["polarity"], only_rule(conv)["severity"]) == ("credit", "info")


def test_repeated_names_get_unique_ids(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "rule.json").write_text((FIX / "unknown-topic.json").read_text())
    conversions = convert_files([tmp_path])
    assert [c.rules[0]["id"] for c in conversions] == ["contact-lens.billing-dispute-post-call",
                                                       "contact-lens.billing-dispute-post-call-2"]
    out = tmp_path / "out"
    write_conversions(conversions, out)
    assert len(load_rules([out])) == 2


def test_slugify():
    assert slugify("Agent-Apology-Voice-PostCall") == "agent-apology-voice-post-call"
    assert slugify("FrequentFlyer Discussion") == "frequent-flyer-discussion"
    assert slugify("poorAudioQuality") == "poor-audio-quality"


# -- output validates and its examples pass ----------------------------------------------------
def test_output_validates_and_generated_examples_pass(converted, loaded):
    out, rules, detector = loaded
    written = {p.name for p in out.glob("*.yaml")}
    assert "upset-customer-long-silence.yaml" not in written  # nothing convertible: no file
    assert len(written) == sum(c.converted for c in converted.values())
    assert {r.id for r in rules} == {r["id"] for c in converted.values() for r in c.rules}
    results = list(run_examples(detector))
    assert results and all(r.passed for r in results), [(r.rule.id, r.example.text) for r in results
                                                        if not r.passed]
    assert all(r.examples_match and not r.examples_no_match for r in rules)
    text = (out / "agent-apology-check.yaml").read_text()
    assert "no_match examples must be written by a human" in text


def test_bad_input_names_the_file():
    with pytest.raises(ContactLensErrors) as info:
        convert_files(sorted((FIX / "bad").glob("*.json")))
    messages = [str(p) for p in info.value.problems]
    assert any("bad-json.json" in m and "not valid JSON (line 4" in m for m in messages)
    assert any("not-a-rule.json" in m and "no 'Function' field" in m for m in messages)
    with pytest.raises(ContactLensError, match="'Function' is not valid JSON"):
        convert_rule({"Name": "x", "Function": "{nope"}, "inline.json")


# -- the command -------------------------------------------------------------------------------
def test_cli_converts_and_summarises(run_cli, tmp_path):
    out = tmp_path / "imported"
    result = run_cli("rules", "import-contact-lens", *GOOD, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert (out / "agent-apology-check.yaml").exists()
    assert "non-convertible.json" in result.stdout and "nothing (all skipped)" in result.stdout
    assert "sentiment scores" in result.stdout
    assert "user-defined categories (polarity credit, severity info)" in result.stdout
    assert run_cli("rules", "validate", out).exit_code == 0
    assert run_cli("rules", "test", out).exit_code == 0


def test_cli_bad_json_exits_2_with_the_file_name(run_cli, tmp_path):
    out = tmp_path / "imported"
    result = run_cli("rules", "import-contact-lens", FIX / "plain-apology.json", FIX / "bad" / "bad-json.json",
                     "-o", out)
    assert result.exit_code == 2
    assert "bad-json.json" in result.stderr and "not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()  # nothing is written when an input is unreadable


@pytest.mark.parametrize("args,message", [
    (["missing.json"], "file not found"),
    (["--category", "Not A Name", str(FIX / "unknown-topic.json")], "--category"),
])
def test_cli_other_bad_input_exits_2(run_cli, tmp_path, args, message):
    result = run_cli("rules", "import-contact-lens", *args, "-o", tmp_path / "out")
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


# -- the Amazon Connect rule library ------------------------------------------------------------
def test_every_shared_contact_lens_rule_converts_or_is_skipped_with_a_reason(tmp_path):
    library = shared_file("ref", "contact-lens-rules")
    files = sorted(library.rglob("*.json"))
    assert len(files) >= 50
    conversions = convert_files(files)
    assert len(conversions) == len(files)
    for conv in conversions:
        assert conv.converted or conv.skipped, conv.source
        assert all(s.what and s.reason for s in conv.skipped), conv.source
    out = tmp_path / "library"
    write_conversions(conversions, out)
    rules = load_rules([out])
    assert {r.id for r in rules} == {r["id"] for c in conversions for r in c.rules}
    results = list(run_examples(Detector(rules)))
    assert all(r.passed for r in results), [r.rule.id for r in results if not r.passed]
    skipped_entirely = {Path(c.source).parent.name for c in conversions if not c.converted}
    assert skipped_entirely == {"Interruption", "Non-TalkTime", "Sentiment-Neg-Last-45s",
                                "Sentiment-Negative-Positive", "Sentiment"}
    by_name = {c.name: c for c in conversions}
    assert by_name["Agent-Apology-Voice-PostCall"].rules[0]["category"] == "apology"
    assert by_name["Polite-Conclusion-Voice-PostCall"].rules[0]["category"] == "closing"
    assert by_name["Escalation-Voice-PostCall"].rules[0]["category"] == "customer-frustration"


def test_malformed_structures_are_skipped_or_refused_never_a_crash():
    """Junk anywhere inside Function: a ContactLensError or a Conversion, never another exception."""
    import copy
    import random

    rnd = random.Random(3)
    junk = [None, 1, "x", [], {}, [1], {"Type": "LIST"}, {"Type": "PLAIN", "Value": 5}, True, "*",
            {"Operator": "AND"}, {"a": 1}]

    def mutate(node):
        items = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) \
            if isinstance(node, list) else []
        for key, value in items:
            if rnd.random() < 0.1:
                node[key] = rnd.choice(junk)
            else:
                mutate(value)

    originals = [json.loads(p.read_text()) for p in GOOD]
    for _ in range(300):
        data = copy.deepcopy(rnd.choice(originals))
        function = json.loads(data["Function"])
        mutate(function)
        data["Function"] = function
        try:
            conv = convert_rule(data, "fuzz.json")
        except ContactLensError:
            continue
        assert conv.converted or conv.skipped
