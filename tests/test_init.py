"""``poise init``: the starter config, team rule and CI workflow."""

from __future__ import annotations

from pathlib import Path

import yaml

from poise.config import SETTINGS, load_config
from poise.init import CONFIG_FILE, RULES_FILE, STARTER_FILES, WORKFLOW_FILE, config_text, write_starter


def test_init_writes_the_three_files(tmp_path, run_cli):
    result = run_cli("init", tmp_path)
    assert result.exit_code == 0, result.stderr
    for name in STARTER_FILES:
        assert (tmp_path / name).is_file()
        assert str(tmp_path / name) in result.stdout
    assert {CONFIG_FILE, RULES_FILE, WORKFLOW_FILE} == {"poise.yaml", "poise-rules/team.yaml",
                                                         ".github/workflows/poise.yml"}


def test_init_refuses_to_overwrite_without_force(tmp_path, run_cli):
    assert run_cli("init", tmp_path).exit_code == 0
    config = tmp_path / CONFIG_FILE
    config.write_text("fail_under: 50\n")
    result = run_cli("init", tmp_path)
    assert result.exit_code == 2
    assert "already exist" in result.stderr and "--force" in result.stderr
    assert config.read_text() == "fail_under: 50\n"  # untouched
    result = run_cli("init", tmp_path, "--force")
    assert result.exit_code == 0, result.stderr
    assert config.read_text() == config_text()


def test_init_writes_nothing_when_any_file_exists(tmp_path, run_cli):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / WORKFLOW_FILE).write_text("name: ours\n")
    assert run_cli("init", tmp_path).exit_code == 2
    assert not (tmp_path / CONFIG_FILE).exists() and not (tmp_path / RULES_FILE).exists()


def test_init_creates_a_missing_folder(tmp_path):
    written = write_starter(tmp_path / "new" / "repo")
    assert [p.relative_to(tmp_path / "new" / "repo").as_posix() for p in written] == list(STARTER_FILES)


def test_generated_config_loads_and_shows_every_setting(tmp_path):
    write_starter(tmp_path)
    path = tmp_path / CONFIG_FILE
    text = path.read_text()
    for key in SETTINGS:
        assert f"\n{key}:" in text or f"\n# {key}:" in text, f"{key} is not in the starter config"
    config = load_config(path=path)
    assert config.get("fail_under") == 75
    assert config.get("fail_on") == "major"
    assert config.get("rules") == [str((tmp_path / "poise-rules").resolve())]
    assert config.get("ignore") == {"scripts/training/*-bad.script.md": ["all"]}
    for key in ("fail_under", "fail_on", "rules", "ignore"):
        assert config.settings[key].origin.startswith("poise.yaml:")
    untouched = set(SETTINGS) - {"fail_under", "fail_on", "rules", "ignore"}
    assert all(config.settings[key].origin == "default" for key in untouched)


def test_commented_defaults_load_when_uncommented(tmp_path):
    """Every '# key: value' line is a valid setting: uncommenting any of them keeps the file valid."""
    lines = []
    for line in config_text().splitlines():
        key = line[2:].split(":", 1)[0] if line.startswith("# ") else ""
        lines.append(line[2:] if key in SETTINGS and line[2:].startswith(f"{key}:") else line)
    path = tmp_path / "poise.yaml"
    path.write_text("\n".join(lines) + "\n")
    config = load_config(path=path)
    assert config.get("max_drop") == 5 and config.get("workers") == 4
    assert config.get("max_file_size") == "50MB"


def test_example_team_rule_passes_its_examples(tmp_path):
    from poise.detect import Detector
    from poise.rules import load_rules
    from poise.ruletest import run_examples
    write_starter(tmp_path)
    rules = load_rules([tmp_path / "poise-rules"])
    assert [r.id for r in rules] == ["team.internal-jargon"]
    [rule] = rules
    assert len(rule.examples_match) == 4 and len(rule.examples_no_match) == 4
    results = list(run_examples(Detector(rules)))
    assert len(results) == 8
    assert all(r.passed for r in results), [(r.example.text, r.expected, r.fired) for r in results if not r.passed]


def test_rules_test_command_passes_on_the_starter_rules(tmp_path, run_cli, monkeypatch):
    write_starter(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run_cli("rules", "test", "poise-rules/")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_workflow_runs_check_and_uploads_sarif_and_junit(tmp_path):
    write_starter(tmp_path)
    workflow = yaml.safe_load((tmp_path / WORKFLOW_FILE).read_text())
    assert workflow["permissions"]["security-events"] == "write"
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    steps = workflow["jobs"]["poise"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    runs = " ".join(" ".join(str(s.get("run", "")).split()) for s in steps)
    assert "pip install poise" in runs
    assert "poise check calls/ scripts/ --format sarif --output poise.sarif --format junit --output poise-junit.xml" in runs
    [upload] = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload["with"]["sarif_file"] == "poise.sarif"
    assert "cancelled()" in upload["if"]  # uploads even when the gate failed the previous step
    [junit] = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert junit["with"]["path"] == "poise-junit.xml"
    # the result and rule caches are restored before the check runs
    [cache] = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert ".poise-cache" in cache["with"]["path"] and "~/.cache/poise" in cache["with"]["path"]
    assert steps.index(cache) < next(i for i, s in enumerate(steps) if "poise check" in str(s.get("run", "")))


def test_starter_files_are_plain_relative_paths():
    for name in STARTER_FILES:
        assert not Path(name).is_absolute() and ".." not in Path(name).parts


def test_docs_show_the_workflow_init_writes_and_valid_yaml():
    import re
    from conftest import ROOT
    from poise.init import WORKFLOW_TEXT
    docs = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    body = WORKFLOW_TEXT[WORKFLOW_TEXT.index("name: poise"):]
    assert body in docs  # docs/ci.md shows the same workflow poise init writes
    blocks = re.findall(r"```yaml\n(.*?)```", docs, flags=re.S)
    assert len(blocks) >= 4
    for block in blocks:
        assert yaml.safe_load(block) is not None
