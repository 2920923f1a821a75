"""Rule files: what validate says about bad ones (file:line:column, plain reason), and safety."""

import textwrap

import pytest

from poise.rules import RuleErrors, load_rules
from poise.rules.regex_safety import check_regex

GOOD = """\
rules:
  - id: apology.sincere
    category: apology
    message: Apologised
    patterns: ["sorry for the"]
"""


def problems(tmp_path, text: str, name: str = "pack.yaml") -> list[str]:
    (tmp_path / name).write_text(textwrap.dedent(text))
    with pytest.raises(RuleErrors) as info:
        load_rules([tmp_path])
    return [str(p) for p in info.value.problems]


def test_valid_file_loads_with_defaults(tmp_path):
    (tmp_path / "pack.yaml").write_text(GOOD)
    [rule] = load_rules([tmp_path])
    assert (rule.polarity, rule.severity, rule.speaker, rule.kind, rule.negation) == (
        "credit", "minor", "agent", "match", True)
    assert rule.line == 2 and rule.source.endswith("pack.yaml")


def test_unknown_key_names_file_line_column_and_suggests(tmp_path):
    [msg] = problems(tmp_path, GOOD + "    patern: [x]\n")
    assert msg.endswith("pack.yaml:6:5: unknown key 'patern' (did you mean 'patterns'?)")


def test_bad_token_pattern_is_explained(tmp_path):
    [msg] = problems(tmp_path, GOOD.replace('["sorry for the"]', "[{tokens: [{LOWR: sorry}]}]"))
    assert "pack.yaml:5:" in msg and "bad token pattern" in msg and "LOWR" in msg


def test_duplicate_id_points_at_the_first_definition(tmp_path):
    msgs = problems(tmp_path, GOOD + GOOD.replace("rules:\n", ""))
    assert len(msgs) == 1 and "duplicate rule id 'apology.sincere' (first defined at" in msgs[0]
    assert "pack.yaml:6" in msgs[0]


def test_after_with_an_unknown_category_is_an_error(tmp_path):
    [msg] = problems(tmp_path, GOOD + "    after: {category: customer-frustation}\n")
    assert "'after' refers to 'customer-frustation'" in msg
    assert "did you mean 'customer-frustration'" in msg


def test_after_cycle_is_an_error(tmp_path):
    text = """
    rules:
      - {id: a.one, category: x-one, polarity: credit, message: m, patterns: [a], after: x-two}
      - {id: a.two, category: x-two, polarity: credit, message: m, patterns: [b], after: x-one}
    """
    [msg] = problems(tmp_path, text)
    assert "cycle" in msg and "a.one" in msg and "a.two" in msg


def test_invalid_and_catastrophic_regexes_are_refused(tmp_path):
    text = GOOD.replace('["sorry for the"]', "[{tokens: [{TEXT: {REGEX: '(a+)+b'}}]}, {tokens: [{TEXT: {REGEX: '(['}}]}]")
    msgs = problems(tmp_path, text)
    assert any("catastrophic backtracking" in m for m in msgs)
    assert any("invalid regex" in m for m in msgs)


@pytest.mark.parametrize("regex", [r"(a+)+", r"(\w*\s?)*x", r"(a|a)*"])
def test_regex_checker_flags_exponential_shapes(regex):
    assert check_regex(regex) is not None


@pytest.mark.parametrize("regex", [r"^sorr(y|ies)$", r"\d{4}", r"(re)?fund(s|ed)?"])
def test_regex_checker_accepts_plain_shapes(regex):
    assert check_regex(regex) is None


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    [msg] = problems(tmp_path, "rules:\n  - id: a\n    patterns: [x\n  - id: b\n")
    assert "pack.yaml:4:" in msg and "YAML syntax error" in msg


def test_python_tags_are_refused_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    [msg] = problems(tmp_path, f"!!python/object/apply:os.system ['touch {marker}']\n")
    assert "could not determine a constructor" in msg
    assert not marker.exists()


def test_missing_fields_and_bad_values_are_all_reported(tmp_path):
    text = """
    rules:
      - id: Bad Id
        category: my-own
        severity: huge
        speaker: robot
        kind: sometimes
        patterns: []
    """
    msgs = "\n".join(problems(tmp_path, text))
    for expected in ("lower-case dotted words", "'polarity' must be credit or deduction",
                     "severity 'huge'", "speaker 'robot'", "kind 'sometimes'", "missing 'message'"):
        assert expected in msgs


def test_user_category_with_polarity_is_accepted(tmp_path):
    (tmp_path / "p.yaml").write_text("rules:\n  - {id: team.brand, category: branding, polarity: credit, "
                                     "message: Said the brand, patterns: [acme]}\n")
    assert load_rules([tmp_path])[0].category == "branding"


def test_later_folder_overrides_rule_by_id(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "p.yaml").write_text(GOOD)
    (b / "p.yaml").write_text(GOOD.replace("Apologised", "Team wording"))
    [rule] = load_rules([a, b])
    assert rule.message == "Team wording"


def test_metric_rule_needs_a_when_expression(tmp_path):
    [msg] = problems(tmp_path, "rules:\n  - {id: m.x, category: apology, kind: metric, message: m, when: 'lots'}\n")
    assert "when: NAME OP NUMBER" in msg


def test_yes_no_on_off_stay_words_in_rule_files(tmp_path):
    (tmp_path / "p.yaml").write_text(
        "rules:\n  - id: n.x\n    category: negative-language\n    message: m\n"
        "    patterns: [{tokens: [{LOWER: {IN: [no, on, off]}}, {LOWER: way}]}]\n    quoted: false\n")
    [rule] = load_rules([tmp_path])
    assert rule.patterns[0].value == [{"LOWER": {"IN": ["no", "on", "off"]}}, {"LOWER": "way"}]
    assert rule.quoted is False


def test_long_bounded_repeats_are_refused(tmp_path):
    [msg] = problems(tmp_path, GOOD.replace('["sorry for the"]', '[{tokens: [{LOWER: sorry}, {OP: "{0,40}"}, {LOWER: wait}]}]'))
    assert "keep bounded repeats at most 16" in msg
