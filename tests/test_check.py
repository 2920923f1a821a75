"""``poise check``: the CI gate, its thresholds, baselines, suppression, config and exit codes."""

import json
import subprocess
import textwrap

import pytest

GOOD = """---
id: refund-call
agent: Sam
---
Agent: Thank you for calling Acme, this is Sam, how can I help you today?
Customer: I was charged twice and I'm really frustrated.
Agent: I'm so sorry for the double charge, I completely understand how frustrating that is.
Agent: Let me fix that for you right now. You'll see the refund within 3 to 5 business days.
Customer: Thanks.
Agent: Thanks for calling Acme, have a great day!
"""

SCRIPT = """---
id: billing-script
---
## Greeting
- Thank you for calling Acme Billing, my name is Sam, how can I help you today?

## Apology
- I'm so sorry for the trouble with your bill.

## Closing
- Thank you for calling Acme, have a great day!
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "calls").mkdir()
    (tmp_path / "scripts").mkdir()
    (tmp_path / "calls" / "refund.txt").write_text(GOOD)
    (tmp_path / "scripts" / "billing.script.md").write_text(SCRIPT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def add_blame(path, line="- You should have read the terms before calling us."):
    text = path.read_text().replace("## Closing", f"{line}\n\n## Closing")
    path.write_text(text)


def test_clean_project_passes(project, run_cli):
    result = run_cli("check", "calls", "scripts", "--fail-on", "major")
    assert result.exit_code == 0, result.stderr
    assert "gate passed" in result.stderr


def test_fail_on_names_the_call_file_line_and_finding(project, run_cli):
    add_blame(project / "scripts" / "billing.script.md")
    result = run_cli("check", "calls", "scripts", "--fail-on", "minor")
    assert result.exit_code == 1
    assert "scripts/billing.script.md:10 [billing-script]" in result.stderr
    assert "blame" in result.stderr and "You should have read" in result.stderr


def test_fail_under_fails_low_scores(project, run_cli):
    result = run_cli("check", "calls", "--fail-under", "101")
    assert result.exit_code == 1 and "is below --fail-under 101" in result.stderr


def test_unreadable_input_exits_3_unless_allowed(project, run_cli):
    (project / "calls" / "broken.json").write_text("{")
    assert run_cli("check", "calls").exit_code == 3
    result = run_cli("check", "calls", "--allow-unreadable")
    assert result.exit_code == 0 and "unreadable" in result.stderr


def test_bad_options_are_usage_errors(project, run_cli):
    assert run_cli("check", "calls", "--fail-on", "awful").exit_code == 2
    assert run_cli("check", "calls", "--max-drop", "3").exit_code == 2
    result = run_cli("check", "calls", "--baseline", "missing.json")
    assert result.exit_code == 2 and "missing.json" in result.stderr


def test_baseline_ignores_old_findings_and_moved_lines(project, run_cli):
    script = project / "scripts" / "billing.script.md"
    add_blame(script)
    assert run_cli("score", "calls", "scripts", "--format", "json", "--output", "baseline.json").exit_code == 0
    # the known blame line moves to another place: not new
    text = script.read_text()
    moved = text.replace("- You should have read the terms before calling us.\n\n", "")
    moved = moved.replace("## Apology\n", "## Apology\n- You should have read the terms before calling us.\n")
    script.write_text(moved)
    result = run_cli("check", "calls", "scripts", "--baseline", "baseline.json")
    assert result.exit_code == 0, result.stderr
    # a second, different blame line is new
    add_blame(script, "- That's your fault, you didn't follow the steps.")
    result = run_cli("check", "calls", "scripts", "--baseline", "baseline.json")
    assert result.exit_code == 1 and "new " in result.stderr and "your fault" in result.stderr.replace("\n", " ")


def test_max_drop_fails_only_beyond_the_allowed_drop(project, run_cli):
    run_cli("score", "calls", "--format", "json", "--output", "baseline.json")
    call = project / "calls" / "refund.txt"
    call.write_text(call.read_text().replace("Thanks for calling Acme, have a great day!", "Okay."))
    before = json.loads((project / "baseline.json").read_text())["calls"][0]["score"]
    # the missing closing is also a new (minor) deduction: look at the score drop alone
    assert run_cli("check", "calls", "--baseline", "baseline.json", "--max-drop", "100",
                   "--fail-on", "critical").exit_code == 0
    result = run_cli("check", "calls", "--baseline", "baseline.json", "--max-drop", "1", "--fail-on", "critical")
    assert result.exit_code == 1 and f"({before:g} ->" in result.stderr


def test_inline_marker_suppresses_and_reports_it(project, run_cli):
    add_blame(project / "scripts" / "billing.script.md",
              "- You should have read the terms. <!-- poise: ignore blame -->")
    result = run_cli("check", "scripts", "--fail-on", "minor", "--format", "json")
    assert result.exit_code == 0, result.stderr
    [call] = json.loads(result.stdout)["calls"]
    [suppressed] = call["suppressed"]
    assert suppressed["category"] == "blame" and "inline marker" in suppressed["suppressed_by"]


def test_config_file_sets_thresholds_and_ignores(project, run_cli):
    add_blame(project / "scripts" / "billing.script.md")
    (project / "poise.yaml").write_text("fail_on: minor\n")
    assert run_cli("check", "scripts").exit_code == 1
    (project / "poise.yaml").write_text("fail_on: minor\nignore:\n  '*.script.md': [blame]\n")
    result = run_cli("check", "scripts", "--format", "json")
    assert result.exit_code == 0, result.stderr
    suppressed = json.loads(result.stdout)["calls"][0]["suppressed"]
    assert "ignore in poise.yaml" in suppressed[0]["suppressed_by"]


def test_cli_flags_override_the_config(project, run_cli):
    (project / "poise.yaml").write_text("fail_under: 101\n")
    assert run_cli("check", "calls").exit_code == 1
    assert run_cli("check", "calls", "--fail-under", "10").exit_code == 0


def test_pyproject_tool_poise_is_read(project, run_cli):
    (project / "pyproject.toml").write_text("[tool.poise]\nfail_under = 101\n")
    assert run_cli("check", "calls").exit_code == 1


def test_bad_config_gives_file_line_and_exit_2(project, run_cli):
    (project / "poise.yaml").write_text("fail_on: minor\nfial_under: 3\n")
    result = run_cli("check", "calls")
    assert result.exit_code == 2
    assert "poise.yaml:2:1: unknown setting 'fial_under' (did you mean 'fail_under'?)" in result.stderr


def test_config_show_says_where_each_value_came_from(project, run_cli):
    (project / "poise.yaml").write_text("# thresholds\nfail_under: 70\n")
    result = run_cli("config", "show")
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "fail_under" in line)
    assert "70.0" in row and "poise.yaml:2" in row


def test_script_without_customer_is_judged_on_its_declared_steps(project, run_cli):
    result = run_cli("score", "scripts", "--format", "json")
    [call] = json.loads(result.stdout)["calls"]
    sections = {s["name"]: s["score"] for s in call["sections"]}
    assert sections["Opening"] == 100.0 and sections["Listening"] is None
    assert call["score"] >= 90


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


def test_end_to_end_baseline_in_a_git_repository(project, run_cli):
    git(project, "init", "-q")
    git(project, "add", "calls", "scripts")
    git(project, "commit", "-qm", "calls and scripts")
    # on main: record the baseline
    assert run_cli("score", "calls", "scripts", "--format", "json", "--output", "baseline.json").exit_code == 0
    # a change adds blame language to the script
    add_blame(project / "scripts" / "billing.script.md")
    result = run_cli("check", "calls", "scripts", "--baseline", "baseline.json", "--max-drop", "5")
    assert result.exit_code == 1
    assert "new minor blame" in result.stderr or "new major blame" in result.stderr
    assert "billing.script.md:10" in result.stderr
    # revert the change: the gate holds again
    git(project, "checkout", "--", "scripts/billing.script.md")
    result = run_cli("check", "calls", "scripts", "--baseline", "baseline.json", "--max-drop", "5")
    assert result.exit_code == 0, result.stderr
