"""CI report formats: JUnit XML, SARIF 2.1.0 (validated against the official schema) and GitHub
Actions workflow commands, built from real CallResults and a hand-made gate."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml

from conftest import FIXTURES
from poise.batch import InputError
from poise.report import EXTENSIONS, FILE_FORMATS, ReportContext, renderer
from poise.report import github as gh
from poise.report import junit, sarif

CALL = """---
id: call-1
agent: Dana
---
Agent: Thank you for calling Acme, my name is Dana, how can I help?
Customer: This is ridiculous, you charged me twice!
Agent: You should have read the terms. Calm down.
Customer: Fine.
Agent: Okay. Bye.
"""
BLAME_LINE = 7

SCRIPT = """# Billing script

## Greeting

- Hi.

## Hold

- Hold on.
- Whatever, that's not my problem. <!-- poise: ignore rudeness -->

## Closing

- Okay, bye.
"""
HOLD_LINE = 9

NATIVE = {"id": "json-1", "turns": [
    {"speaker": "agent", "text": "Hello, thanks for calling."},
    {"speaker": "customer", "text": "My order is late."},
    {"speaker": "agent", "text": "You should have ordered earlier."},
]}


@pytest.fixture(scope="module")
def scorer():
    from poise.api import Scorer
    return Scorer()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("repo")
    (root / "calls").mkdir()
    (root / "scripts").mkdir()
    (root / "calls" / "call.txt").write_text(CALL)
    (root / "calls" / "order.json").write_text(json.dumps(NATIVE))
    (root / "calls" / "broken.json").write_text("{")
    (root / "scripts" / "welcome.script.md").write_text(SCRIPT)
    return root


@pytest.fixture(scope="module")
def scored(scorer, workspace):
    items = list(scorer.score_files([workspace / "calls", workspace / "scripts"]))
    results = [i for i in items if not isinstance(i, InputError)]
    errors = [i for i in items if isinstance(i, InputError)]
    return {r.id: r for r in results}, errors


@pytest.fixture
def in_repo(workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    return workspace


def _finding(result, rule):
    return next(f for f in result.findings if f["rule"] == rule)


def _gate(results, workspace, passed=False):
    call, script = results["call-1"], results["welcome"]
    blame = _finding(call, "blame.customer-should-have")
    hold = _finding(script, "hold-etiquette.unannounced-hold")  # minor, but failing the gate
    return {
        "passed": passed,
        "summary": "3 gate failure(s) in 2 call(s); 1 unreadable file(s)",
        "thresholds": {"fail_under": 75.0, "fail_on": "minor", "baseline": None, "max_drop": None},
        "failures": [
            {"call": "call-1", "source": call.source, "kind": "score",
             "message": f"score {call.score:g} is below --fail-under 75", "finding": None, "line": None},
            {"call": "call-1", "source": call.source, "kind": "finding", "finding": dict(blame), "line": BLAME_LINE,
             "message": f"major blame (blame.customer-should-have): {blame['message']} \"{blame['text']}\""},
            {"call": "welcome", "source": script.source, "kind": "finding", "finding": dict(hold), "line": HOLD_LINE,
             "message": f"minor hold-etiquette (hold-etiquette.unannounced-hold): {hold['message']}"},
            {"call": None, "source": str(workspace / "calls" / "broken.json"), "kind": "unreadable",
             "message": "unreadable: bad JSON", "finding": None, "line": None},
        ],
    }


def _ctx(gate=None):
    return ReportContext(rules_hash="abc123", scorecard_name="default", scorecard_hash="h",
                         poise_version="9.9.9", gate=gate or {})


def _ordered(results):
    return [results["call-1"], results["json-1"], results["welcome"]]


def test_formats_are_registered():
    assert FILE_FORMATS["junit"] == "junit" and FILE_FORMATS["sarif"] == "sarif" and FILE_FORMATS["github"] == "github"
    assert EXTENSIONS[".xml"] == "junit" and EXTENSIONS[".sarif"] == "sarif"
    assert renderer("sarif") is sarif.render


def test_the_fixture_calls_have_what_the_tests_rely_on(scored):
    results, errors = scored
    assert set(results) == {"call-1", "json-1", "welcome"}
    assert [e.path.endswith("broken.json") for e in errors] == [True]
    call, script = results["call-1"], results["welcome"]
    assert call.turns[_finding(call, "blame.customer-should-have")["turn"]]["line"] == BLAME_LINE
    assert script.turns[_finding(script, "hold-etiquette.unannounced-hold")["turn"]]["line"] == HOLD_LINE
    assert any(f["rule"].startswith("rudeness.") for f in script.suppressed)
    assert any(f["category"] == "customer-frustration" for f in call.findings)


# -- JUnit -------------------------------------------------------------------------------------

def _suite(text):
    xml = JUnitXml.fromstring(text)
    suites = list(xml) if isinstance(xml, JUnitXml) else [xml]
    assert len(suites) == 1
    return suites[0]


def test_junit_with_a_gate_counts_and_names_call_and_finding(scored, in_repo):
    results, errors = scored
    text = junit.render(_ordered(results), errors, _ctx(_gate(results, in_repo)))
    suite = _suite(text)
    assert suite.name == "poise"
    assert (suite.tests, suite.failures, suite.errors) == (4, 2, 1)
    cases = {case.name: case for case in suite}
    assert set(cases) == {"call-1", "json-1", "welcome", "calls/broken.json"}
    call = cases["call-1"]
    assert call.classname == "calls/call.txt"
    [failure] = call.result
    assert isinstance(failure, Failure)
    assert "call-1" in failure.message and "below --fail-under 75" in failure.message
    assert "blame.customer-should-have" in failure.text and '"You should have read"' in failure.text
    assert "escalation-trigger.calm-down" in failure.text  # every deduction is listed as text
    assert set(failure.type.split(",")) == {"score", "finding"}
    assert "score: " in call.system_out and f"band: {results['call-1'].band}" in call.system_out
    [script_failure] = cases["welcome"].result
    assert "welcome" in script_failure.message and "hold-etiquette.unannounced-hold" in script_failure.message
    assert cases["welcome"].classname == "scripts/welcome.script.md"
    assert cases["json-1"].is_passed
    [error] = cases["calls/broken.json"].result
    assert isinstance(error, Error) and "unreadable" in error.message


def test_junit_score_run_fails_calls_with_major_or_critical_deductions(scored, in_repo):
    results, errors = scored
    suite = _suite(junit.render(_ordered(results), [], _ctx()))
    cases = {case.name: case for case in suite}
    majors = {r.id for r in results.values() if any(f["severity"] in ("major", "critical") for f in r.deductions)}
    assert majors == {"call-1", "json-1", "welcome"}
    assert (suite.tests, suite.failures, suite.errors) == (3, 3, 0)
    for name in majors:
        [failure] = cases[name].result
        assert failure.message.startswith(f"{name}: ") and failure.type == "deduction"
    assert "blame.customer-should-have" in cases["call-1"].result[0].message
    # a minor-only call passes: drop the major deductions of the script
    script = results["welcome"]
    minor_only = replace(script, findings=tuple(f for f in script.findings if f["severity"] not in ("major", "critical")))
    assert _suite(junit.render([minor_only], [], _ctx())).failures == 0


def test_junit_drops_characters_xml_cannot_carry(scored, in_repo):
    results, _ = scored
    call = results["call-1"]
    findings = tuple({**f, "text": "bad\x07\x00words"} if f["rule"] == "blame.customer-should-have" else f
                     for f in call.findings)
    text = junit.render([replace(call, findings=findings, id="call\x01-1")], [], _ctx())
    suite = _suite(text)  # parses
    assert [c.name for c in suite] == ["call-1"]
    assert '"badwords"' in text


# -- SARIF -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def _valid(validator, doc):
    problems = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not problems, "\n".join(f"{list(e.path)}: {e.message}" for e in problems[:10])


def _results_for(doc, rule):
    return [r for r in doc["runs"][0]["results"] if r["ruleId"] == rule]


def test_sarif_validates_against_the_official_schema(scored, in_repo, sarif_validator):
    results, errors = scored
    for gate in (_gate(results, in_repo), {}):
        text = sarif.render(_ordered(results), errors, _ctx(gate))
        doc = json.loads(text)
        _valid(sarif_validator, doc)
        assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and doc["version"] == "2.1.0"
        assert len(doc["runs"]) == 1


@pytest.mark.parametrize("with_calls", [True, False])
def test_sarif_written_piece_by_piece_is_the_indented_document(scored, in_repo, with_calls):
    """sarif.write spools the results and copies them into the indented log: the bytes are those
    of json.dumps(document, indent=2), with and without results (and with a gate)."""
    results, errors = scored
    calls = _ordered(results) if with_calls else []
    ctx = _ctx(_gate(results, in_repo))
    assert sarif.render(calls, errors, ctx) == \
        json.dumps(sarif.document(calls, errors, ctx), ensure_ascii=False, indent=2, default=str) + "\n"


def test_junit_written_piece_by_piece_is_one_indented_tree(scored, in_repo):
    """junit.write spools the test cases and writes the suite's counts before them: the document
    is the indented tree ElementTree would write whole."""
    results, errors = scored
    text = junit.render(_ordered(results), errors, _ctx(_gate(results, in_repo)))
    root = ET.fromstring(text.split("\n", 1)[1])
    ET.indent(root, space="  ")
    assert text == '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert suite.get("tests") == str(len(cases)) == str(len(_ordered(results)) + len(errors))
    assert suite.get("failures") == str(sum(c.find("failure") is not None for c in cases))
    assert suite.get("errors") == str(len(errors)) == str(sum(c.find("error") is not None for c in cases))
    empty = junit.render([], [], _ctx())
    assert ET.fromstring(empty.split("\n", 1)[1]).find("testsuite").get("tests") == "0"
    assert "<testcase" not in empty and "poise-cases-" not in empty


def test_sarif_rules_results_and_locations(scored, in_repo):
    results, errors = scored
    doc = sarif.document(_ordered(results), errors, _ctx(_gate(results, in_repo)))
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "poise" and driver["version"] == "9.9.9"
    rules = driver["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for result in run["results"]:  # every result points at its rule
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    reported = {r["ruleId"] for r in run["results"]}
    assert {r["id"] for r in rules} == reported

    # a script finding with a known line
    [hold] = _results_for(doc, "hold-etiquette.unannounced-hold")
    location = hold["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "scripts/welcome.script.md"
    assert location["region"] == {"startLine": HOLD_LINE}
    assert hold["message"]["text"].endswith(': "Hold on"')
    assert hold["level"] == "error"  # minor, but it failed the gate
    rule = rules[hold["ruleIndex"]]
    assert rule["properties"]["category"] == "hold-etiquette" and rule["properties"]["severity"] == "minor"
    assert rule["properties"]["polarity"] == "deduction"
    assert rule["help"]["text"] and rule["shortDescription"]["text"]

    # a text call: line of the turn, severity -> level
    [blame] = [r for r in _results_for(doc, "blame.customer-should-have") if r["properties"]["call"] == "call-1"]
    assert blame["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "calls/call.txt"
    assert blame["locations"][0]["physicalLocation"]["region"]["startLine"] == BLAME_LINE
    [dismissive] = _results_for(doc, "escalation-trigger.dismissive")
    assert dismissive["level"] == "error"  # major

    # call-level finding in a script -> line 1; a JSON call (no lines) -> no region
    [greeting] = [r for r in _results_for(doc, "greeting.opening") if r["properties"]["call"] == "welcome"]
    assert greeting["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    json_results = [r for r in run["results"] if r["properties"]["call"] == "json-1"]
    assert json_results and all("region" not in r["locations"][0]["physicalLocation"] for r in json_results)

    # credits and the customer's frustration are not problems
    for r in run["results"]:
        props = rules[r["ruleIndex"]]["properties"]
        assert props["polarity"] == "deduction" and props["category"] != "customer-frustration"
    assert not any(r["ruleId"].startswith("customer-frustration") for r in run["results"])
    credits = sum(len(result.credits) for result in results.values())
    deductions = sum(len(result.deductions) for result in results.values())
    assert credits and len(run["results"]) == deductions + 1 + sum(
        1 for result in results.values() for f in result.suppressed if sarif.is_reported_deduction(f))

    # the score gate failure is a result of its own
    [score] = _results_for(doc, "poise.fail-under")
    assert score["level"] == "error" and "below --fail-under 75" in score["message"]["text"]

    # unreadable files are tool notifications
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "calls/broken.json"


def test_sarif_levels_without_a_gate(scored, in_repo):
    results, _ = scored
    doc = sarif.document(_ordered(results), [], _ctx())
    [hold] = _results_for(doc, "hold-etiquette.unannounced-hold")
    assert hold["level"] == "warning"
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is True
    assert "toolExecutionNotifications" not in doc["runs"][0]["invocations"][0]
    assert not _results_for(doc, "poise.fail-under")


def test_sarif_suppressions(scored, in_repo, sarif_validator):
    results, _ = scored
    script = results["welcome"]
    inline = [r for r in sarif.document([script], [], _ctx())["runs"][0]["results"] if "suppressions" in r]
    assert inline and all(r["ruleId"].startswith("rudeness.") for r in inline)
    for r in inline:
        [suppression] = r["suppressions"]
        assert suppression["kind"] == "inSource" and "poise: ignore" in suppression["justification"]
    # an ignore in the configuration is an external suppression
    hold = _finding(script, "hold-etiquette.unannounced-hold")
    ignored = replace(script, findings=tuple(f for f in script.findings if f is not hold),
                      suppressed=script.suppressed + ({**hold, "suppressed_by": "ignore in poise.yaml"},))
    doc = sarif.document([ignored], [], _ctx())
    _valid(sarif_validator, doc)
    [result] = _results_for(doc, "hold-etiquette.unannounced-hold")
    assert result["suppressions"] == [{"kind": "external", "justification": "ignore in poise.yaml"}]


def test_sarif_fingerprints_survive_moved_lines(scorer, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = tmp_path / "welcome.script.md"
    first.write_text(SCRIPT)
    [before] = list(scorer.score_files([first]))
    first.write_text(SCRIPT.replace("## Hold\n", "## Hold\n\n<!-- a comment -->\n\n"))
    [after] = list(scorer.score_files([first]))

    def prints(result):
        doc = sarif.document([result], [], _ctx())
        return {r["ruleId"]: (r["partialFingerprints"], r["locations"][0]["physicalLocation"].get("region"))
                for r in doc["runs"][0]["results"] if "suppressions" not in r}

    old, new = prints(before), prints(after)
    rule = "hold-etiquette.unannounced-hold"
    assert old[rule][1] != new[rule][1]  # the line moved
    assert old[rule][0] == new[rule][0]  # the fingerprint did not
    assert {k: v[0] for k, v in old.items()} == {k: v[0] for k, v in new.items()}


def test_sarif_rule_links_and_paths_outside_the_current_folder(scored, workspace, tmp_path, monkeypatch, sarif_validator):
    results, _ = scored
    call = results["call-1"]
    findings = tuple({**f, "link": "https://wiki.example.com/qa/blame"} if f["rule"] == "blame.customer-should-have"
                     else f for f in call.findings)
    monkeypatch.chdir(tmp_path)  # the call lies outside the current folder
    doc = sarif.document([replace(call, findings=findings)], [], _ctx())
    _valid(sarif_validator, doc)
    [rule] = [r for r in doc["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "blame.customer-should-have"]
    assert rule["helpUri"] == "https://wiki.example.com/qa/blame"
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file:///") and uri.endswith("/calls/call.txt")


def test_display_path(tmp_path):
    assert sarif.display_path(str(tmp_path / "a" / "b.txt"), tmp_path) == "a/b.txt"
    assert sarif.display_path("a/../c.txt", tmp_path) == "c.txt"
    outside = sarif.display_path(str(tmp_path.parent / "x.txt"), tmp_path)
    assert outside.startswith("/") and outside.endswith("/x.txt")


# -- GitHub Actions ----------------------------------------------------------------------------

def test_github_escaping():
    assert gh.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert gh.escape_data("a: b, c") == "a: b, c"
    assert gh.escape_property("dir,with:odd%\nname") == "dir%2Cwith%3Aodd%25%0Aname"
    line = gh.command("error", "bad\nthing: 100%", file="a,b:c.txt", line=3, title="poise x,y")
    assert line == "::error file=a%2Cb%3Ac.txt,line=3,title=poise x%2Cy::bad%0Athing: 100%25"
    assert gh.command("notice", "ok") == "::notice::ok"


def test_github_annotations_with_a_failed_gate(scored, in_repo):
    results, errors = scored
    lines = gh.render(_ordered(results), errors, _ctx(_gate(results, in_repo))).splitlines()
    assert ('::error file=calls/call.txt,line=7,title=poise blame.customer-should-have::'
            'Blamed the customer for what they should have done: "You should have read"') in lines
    assert any(line.startswith("::error file=scripts/welcome.script.md,line=9,title=poise "
                               "hold-etiquette.unannounced-hold::") for line in lines)
    assert any(line.startswith("::error file=calls/call.txt,title=poise fail-under::score ") for line in lines)
    assert any(line.startswith("::error file=calls/broken.json,title=poise unreadable::") for line in lines)
    # other deductions of minor+ severity are warnings, with the line of the turn
    assert any(line.startswith("::warning file=calls/call.txt,line=7,title=poise escalation-trigger.calm-down::")
               for line in lines)
    assert any(line.startswith("::warning file=scripts/welcome.script.md,line=10,title=poise "
                               "escalation-trigger.dismissive::") for line in lines)
    # suppressed findings, credits, the customer's frustration: no annotation
    assert not any("rudeness." in line or "courtesy." in line or "customer-frustration" in line for line in lines)
    # a gate failure is not also a warning
    assert not any(line.startswith("::warning file=calls/call.txt") and "blame.customer-should-have" in line
                   for line in lines)
    assert any(line.startswith("::warning file=calls/order.json,title=poise blame.") for line in lines)  # no line
    assert lines[-1] == "::error::poise: 3 gate failure(s) in 2 call(s); 1 unreadable file(s)"
    assert all(line.startswith(("::error", "::warning", "::notice")) for line in lines)
    errors_first = [line.split(" ")[0].split("::")[1] for line in lines[:-1]]
    assert errors_first == sorted(errors_first)  # errors, then warnings


def test_github_passed_gate_and_score_run_end_with_a_notice(scored, in_repo):
    results, _ = scored
    passed = {"passed": True, "summary": "all 3 call(s) pass", "thresholds": {}, "failures": []}
    lines = gh.render(_ordered(results), [], _ctx(passed)).splitlines()
    assert lines[-1] == "::notice::poise: all 3 call(s) pass"
    assert not any(line.startswith("::error") for line in lines)
    lines = gh.render(_ordered(results), [], _ctx()).splitlines()
    assert lines[-1].startswith("::notice::poise: 3 call(s) scored, mean ")


def test_github_summary_is_escaped(scored, in_repo):
    results, _ = scored
    gate = {"passed": False, "summary": "dropped 50%\nsee log", "thresholds": {}, "failures": []}
    assert gh.render([results["json-1"]], [], _ctx(gate)).splitlines()[-1] == "::error::poise: dropped 50%25%0Asee log"


# -- through the command line ------------------------------------------------------------------

def test_score_writes_sarif_and_junit_by_extension(workspace, in_repo, run_cli, sarif_validator):
    result = run_cli("score", "calls/call.txt", "scripts/welcome.script.md",
                     "--output", "out/poise.sarif", "--output", "out/poise.xml")
    assert result.exit_code == 0, result.stderr
    doc = json.loads((in_repo / "out" / "poise.sarif").read_text())
    _valid(sarif_validator, doc)
    assert _results_for(doc, "hold-etiquette.unannounced-hold")[0]["locations"][0]["physicalLocation"]["region"] \
        == {"startLine": HOLD_LINE}
    assert _suite((in_repo / "out" / "poise.xml").read_text()).failures == 2
