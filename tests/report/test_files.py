"""File reports: JSON (against the shipped schema), JSONL, CSV, Markdown; atomic writes; PII."""

import csv
import io
import json
from importlib import resources

import jsonschema
import pytest

from conftest import billing_call
from poise.report import atomic_write

CALL = billing_call("call-1", good=False)
GOOD = billing_call("call-2", good=True)


@pytest.fixture
def calls(tmp_path):
    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "bad.txt").write_text(CALL)
    (folder / "good.txt").write_text(GOOD)
    (folder / "broken.json").write_text("{")
    return folder


def report_schema():
    return json.loads(resources.files("poise").joinpath("schemas/report.schema.json").read_text())


def test_json_report_matches_the_shipped_schema(calls, tmp_path, run_cli):
    out = tmp_path / "report.json"
    result = run_cli("score", calls, "--format", "json", "--output", out)
    assert result.exit_code == 3  # broken.json is unreadable, the rest is reported
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, report_schema())
    assert doc["summary"]["calls"] == 2 and doc["summary"]["unreadable"] == 1
    assert doc["errors"][0]["path"].endswith("broken.json")
    assert {c["id"] for c in doc["calls"]} == {"call-1", "call-2"}


def test_reports_mask_personal_data_by_default(calls, tmp_path, run_cli):
    out = tmp_path / "report.jsonl"
    run_cli("score", calls / "bad.txt", "--output", out)
    text = out.read_text()
    assert "555-867-5309" not in text and "4111" not in text
    run_cli("score", calls / "bad.txt", "--output", out, "--no-redact", "--format", "jsonl")
    record = json.loads(out.read_text())
    assert record["redacted"] is False


def test_finding_offsets_point_into_the_masked_turn_text(calls, run_cli):
    result = run_cli("score", calls / "bad.txt", "--format", "jsonl")
    record = json.loads(result.stdout)
    assert record["findings"], "the bad call must have findings"
    # the JSON lines carry no turn texts, so check offsets through the library
    from poise.api import Scorer
    [r] = [x for x in Scorer().score_files([calls / "bad.txt"])]
    for f in r.findings:
        if f["turn"] is not None:
            assert r.turns[f["turn"]]["text"][f["start"]:f["end"]] == f["text"]


def test_csv_has_one_row_per_call_with_section_scores_and_opens_in_excel(calls, tmp_path, run_cli):
    out = tmp_path / "calls.csv"
    run_cli("score", calls, "--output", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["id"] for r in rows} == {"call-1", "call-2"}
    assert any(k.startswith("section: ") for k in rows[0])
    by_id = {r["id"]: r for r in rows}
    assert float(by_id["call-2"]["score"]) > float(by_id["call-1"]["score"])


def test_csv_findings_has_one_row_per_finding(calls, tmp_path, run_cli):
    out = tmp_path / "findings.csv"
    run_cli("score", calls / "bad.txt", "--output", out, "--csv-findings")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows and {"rule", "category", "turn", "text"} <= set(rows[0])
    assert all(r["call_id"] == "call-1" for r in rows)


def test_csv_cells_that_look_like_formulas_are_defused():
    from poise.report.csv_report import _safe
    assert _safe("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _safe("fine") == "fine"


def test_markdown_summary_for_a_pull_request(calls, tmp_path, run_cli):
    out = tmp_path / "summary.md"
    run_cli("score", calls, "--output", out)
    text = out.read_text()
    assert text.startswith("## poise professionalism report")
    assert "| call-1 |" in text and "Unreadable files" in text and "broken.json" in text


def test_several_outputs_at_once(calls, tmp_path, run_cli):
    a, b = tmp_path / "r.json", tmp_path / "r.csv"
    result = run_cli("score", calls / "good.txt", "-o", a, "-o", b)
    assert result.exit_code == 0 and a.exists() and b.exists()


def test_output_with_unknown_extension_is_a_usage_error(calls, tmp_path, run_cli):
    result = run_cli("score", calls / "good.txt", "-o", tmp_path / "r.xyz")
    assert result.exit_code == 2 and "--format" in result.stderr


def test_atomic_write_never_leaves_a_half_written_file(tmp_path, monkeypatch):
    path = tmp_path / "report.json"
    path.write_text("old complete report")
    import os

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(path, "new report")
    assert path.read_text() == "old complete report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
