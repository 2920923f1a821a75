"""The rule-authoring commands: validate, test, list, explain."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"


def test_validate_reports_problems_and_exits_2(tmp_path, run_cli):
    (tmp_path / "p.yaml").write_text("rules:\n  - id: a.b\n    category: apology\n    mesage: hi\n    patterns: [x]\n")
    result = run_cli("rules", "validate", tmp_path)
    assert result.exit_code == 2
    assert "p.yaml:4:5: unknown key 'mesage' (did you mean 'message'?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_passes_on_the_shipped_packs(run_cli):
    result = run_cli("rules", "validate")
    assert result.exit_code == 0, result.stderr
    assert "are valid" in result.stdout


def test_rules_test_fails_with_exit_1_and_shows_the_failing_example(run_cli):
    result = run_cli("rules", "test", FIXTURES / "failing")
    assert result.exit_code == 1
    assert "courtesy.please should not match: 'Please hold while I check.'" in result.stdout
    assert "fired on: 'Please'" in result.stdout
    assert "1 passed, 1 failed" in result.stdout


def test_rules_test_coverage_lists_rules_that_never_fire(tmp_path, run_cli):
    (tmp_path / "call.txt").write_text("Agent: Hello.\nCustomer: Hi.\n")
    result = run_cli("rules", "test", FIXTURES / "failing", "--coverage", tmp_path)
    assert "1 of 1 rule(s) never fired" in result.stdout and "courtesy.please" in result.stdout


def test_rules_list_shows_ids_and_messages(run_cli):
    result = run_cli("rules", "list", "--no-default-rules", "--rules", FIXTURES / "failing")
    assert result.exit_code == 0 and "courtesy.please" in result.stdout and "Said please" in result.stdout


def test_explain_shows_tokens_and_cancellations(tmp_path, run_cli):
    (tmp_path / "p.yaml").write_text(
        "rules:\n  - {id: a.s, category: apology, message: m, patterns: ['sorry for']}\n")
    result = run_cli("rules", "explain", "I'm not sorry for that", "--no-default-rules", "--rules", tmp_path)
    assert result.exit_code == 0
    assert "Tokens" in result.stdout and "negated" in result.stdout
