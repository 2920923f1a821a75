"""The ``poise score`` command: what it prints and which exit code it gives."""

import json

from conftest import SAMPLES

GOOD = "Agent: Thank you for calling, how can I help?\nCustomer: My bill is wrong.\n"


def test_score_prints_a_table_of_calls_with_score_and_band(tmp_path, run_cli):
    (tmp_path / "call-a.txt").write_text(GOOD)
    (tmp_path / "call-b.txt").write_text(GOOD + "Agent: I'm sorry, let me fix that for you now.\n")
    scored = {r["id"]: r for r in map(json.loads, run_cli("score", tmp_path, "--format", "jsonl").stdout.splitlines())}
    result = run_cli("score", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "Calls, worst first" in result.stdout
    for call_id in ("call-a", "call-b"):
        assert call_id in result.stdout
        assert f"{scored[call_id]['score']:.1f}" in result.stdout and scored[call_id]["band"] in result.stdout


def test_score_of_one_call_prints_the_call_view(tmp_path, run_cli):
    (tmp_path / "call-a.txt").write_text(GOOD)
    result = run_cli("score", tmp_path / "call-a.txt")
    assert result.exit_code == 0, result.stderr
    assert "call-a" in result.stdout and "Transcript" in result.stdout and "Coaching tips" in result.stdout
    assert "AGENT:" in result.stdout and "My bill" in result.stdout
    # the customer's problem is marked as context ("!"), wrapped in «» when colour is off
    assert "is wrong" in result.stdout and "customer-issue" in result.stdout


def test_table_output_names_unreadable_files_on_stderr_with_exit_3(tmp_path, run_cli):
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "bad.json").write_text("{nope")
    result = run_cli("score", tmp_path)
    assert result.exit_code == 3
    assert "unreadable:" in result.stderr and "bad.json" in result.stderr and "malformed JSON" in result.stderr
    assert "good" in result.stdout and "Traceback" not in result.stderr


def test_jsonl_output_is_one_object_per_call(tmp_path, run_cli):
    (tmp_path / "a.txt").write_text(GOOD)
    (tmp_path / "b.txt").write_text(GOOD)
    result = run_cli("score", tmp_path, "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    assert all(r["source"].endswith(".txt") for r in records)


def test_unreadable_input_gives_exit_3_and_names_the_file(tmp_path, run_cli):
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "bad.json").write_text("{nope")
    result = run_cli("score", tmp_path, "--format", "jsonl")
    assert result.exit_code == 3
    assert "bad.json" in result.stderr and "malformed JSON" in result.stderr
    assert json.loads(result.stdout)["id"] == "good"
    assert "Traceback" not in result.stderr


def test_usage_error_gives_exit_2(run_cli):
    result = run_cli("score", "--format", "nonsense", ".")
    assert result.exit_code == 2


def test_bad_max_file_size_is_a_usage_error(tmp_path, run_cli):
    (tmp_path / "a.txt").write_text(GOOD)
    result = run_cli("score", tmp_path, "--max-file-size", "lots")
    assert result.exit_code == 2 and "--max-file-size" in result.stderr


def test_forced_input_format_overrides_sniffing(tmp_path, run_cli):
    (tmp_path / "a.txt").write_text(GOOD)
    result = run_cli("score", tmp_path / "a.txt", "--input-format", "json")
    assert result.exit_code == 3 and "a.txt" in result.stderr


def test_sample_transcripts_all_load(run_cli):
    result = run_cli("score", SAMPLES, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) >= 15
    assert all(r["roles"]["method"] != "none" for r in records)  # an agent was found in every call
    formats = {r["format"] for r in records}
    assert {"text", "json", "aws-transcribe", "contact-lens", "genesys", "ccai", "vtt", "srt", "csv"} <= formats


def test_an_output_that_cannot_be_written_is_a_usage_error_before_scoring(tmp_path, run_cli, monkeypatch):
    """-o into a path whose folder is a file, or onto a folder: exit 2 at once, no call scored."""
    from poise import api
    scored = []
    monkeypatch.setattr(api.Scorer, "iter_path", lambda self, path: scored.append(path) or iter(()))
    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "a.txt").write_text("Agent: Hello, thanks for calling.\nCustomer: Hi.\n")
    (tmp_path / "file").write_text("x")
    for target, why in ((tmp_path / "file" / "r.html", "cannot make its folder"),
                        (tmp_path / "calls", "it is a folder")):
        result = run_cli("score", tmp_path / "calls", "-o", target, "-f", "html", "--no-cache")
        assert result.exit_code == 2 and why in result.stderr and "internal error" not in result.stderr
    assert scored == []


def test_a_full_disk_while_spooling_results_is_a_plain_message(tmp_path, run_cli, monkeypatch):
    """The spool of the reports that list every call fails to write (no room in TMPDIR): a plain
    message naming TMPDIR, exit 2, and neither the report nor a temp file left behind."""
    from poise.report import spool

    class Full:
        def seek(self, *a):
            pass

        def write(self, blob):
            raise OSError(28, "No space left on device")

        def close(self):
            pass

    monkeypatch.setattr(spool.tempfile, "TemporaryFile", lambda **kw: Full())
    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "a.txt").write_text("Agent: Hello, thanks for calling.\nCustomer: Hi.\n")
    out = tmp_path / "out" / "r.html"
    result = run_cli("score", tmp_path / "calls", "-o", out, "--no-cache", "--workers", "1")
    assert result.exit_code == 2 and "No space left on device" in result.stderr and "TMPDIR" in result.stderr
    assert not out.exists() and list((tmp_path / "out").iterdir()) == []
