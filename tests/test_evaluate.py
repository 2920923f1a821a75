"""``poise eval``: precision/recall against labelled turns, the politeness task, and the
converters in eval/ that turn public corpora into labelled records."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, shared_file
from poise.detect import Detector
from poise.evaluate import (POLITENESS_WEIGHTS, evaluate_files, gate, politeness_score,
                            politeness_task)
from poise.detect.finding import Finding
from poise.rules import CATEGORIES, load_ruleset

RULES = """
rules:
  - id: apology.sorry
    category: apology
    message: Apologised
    patterns: ["I'm sorry", "I apologize"]
  - id: courtesy.thanks
    category: courtesy
    message: Thanked
    patterns: ["thank you", "thanks"]
  - id: ownership.take
    category: ownership
    message: Took ownership
    patterns: ["I'll take care of"]
  - id: ownership.buck
    category: ownership
    polarity: deduction
    message: Passed the buck
    patterns: ["not my department"]
  - id: rudeness.idiot
    category: rudeness
    message: Rude
    patterns: ["idiot"]
  - id: greeting.required
    category: greeting
    kind: required
    within: {first_turns: 1}
    message: Greeted
    patterns: ["good morning"]
"""


def record(rid: str, *turns: tuple[str, str], turn: int | None = None, **labels) -> dict:
    labels = {"turn": len(turns) - 1 if turn is None else turn, **labels}
    return {"id": rid, "turns": [{"speaker": s, "text": t} for s, t in turns], "labels": labels}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "pack.yaml").write_text(RULES)
    return folder


@pytest.fixture
def detector(rules_dir: Path) -> Detector:
    return Detector(load_ruleset([rules_dir], defaults=False))


def by_category(evaluation) -> dict:
    return {c.category: c for c in evaluation.categories}


# -- the arithmetic ----------------------------------------------------------------------------
def test_precision_recall_and_f1_are_counted_per_category(tmp_path, detector):
    judged = ["apology", "courtesy"]
    data = write_jsonl(tmp_path / "set.jsonl", [
        record("tp", ("customer", "You charged me twice."), ("agent", "I'm sorry about that."),
               positive=["apology"], judged=judged),
        record("fn", ("agent", "My apologies for that."), positive=["apology"], judged=judged),
        record("fp", ("agent", "I'm sorry, what was the name?"), positive=[], judged=judged),
        record("tn", ("agent", "Let me look."), positive=[], judged=judged),
        record("both", ("agent", "Thank you, I'm sorry for the wait."), positive=["apology", "courtesy"],
               judged=judged),
    ])
    result = evaluate_files([data], detector)
    apology, courtesy = by_category(result)["apology"], by_category(result)["courtesy"]
    assert (apology.judged, apology.tp, apology.fp, apology.fn) == (5, 2, 1, 1)
    assert apology.precision == pytest.approx(2 / 3) and apology.recall == pytest.approx(2 / 3)
    assert apology.f1 == pytest.approx(2 / 3)
    assert apology.support == 3 and apology.predicted == 3
    assert (courtesy.tp, courtesy.fp, courtesy.fn) == (1, 0, 0)
    micro = result.micro
    assert (micro.tp, micro.fp, micro.fn, micro.judged) == (3, 1, 1, 10)
    assert micro.precision == pytest.approx(0.75)


def test_precision_is_undefined_when_nothing_is_predicted(tmp_path, detector):
    data = write_jsonl(tmp_path / "set.jsonl", [
        record("a", ("agent", "Let me look."), positive=["apology"], judged=["apology"])])
    apology = by_category(evaluate_files([data], detector))["apology"]
    assert apology.precision is None and apology.recall == 0 and apology.f1 == 0


def test_only_judged_categories_are_counted(tmp_path, detector):
    data = write_jsonl(tmp_path / "set.jsonl", [
        record("judged-apology-only", ("agent", "Thanks, idiot."), positive=[], judged=["apology"]),
        record("all-judged", ("agent", "Thanks, idiot."), positive=[]),
    ])
    counts = by_category(evaluate_files([data], detector))
    assert counts["apology"].judged == 2
    # the courtesy and rudeness findings count only on the record that judged everything
    assert counts["courtesy"].judged == 1 and counts["courtesy"].fp == 1
    assert counts["rudeness"].fp == 1
    assert set(counts) == set(CATEGORIES)


def test_positive_categories_are_judged_even_when_judged_omits_them(tmp_path, detector):
    data = write_jsonl(tmp_path / "set.jsonl", [
        record("a", ("agent", "Thanks!"), positive=["courtesy"], judged=[])])
    courtesy = by_category(evaluate_files([data], detector))["courtesy"]
    assert (courtesy.judged, courtesy.tp) == (1, 1)


def test_a_deduction_in_a_credit_category_is_not_a_detection(tmp_path, detector):
    data = write_jsonl(tmp_path / "set.jsonl", [
        record("buck-labelled-ownership", ("agent", "That's not my department."),
               positive=["ownership"], judged=["ownership"]),
        record("buck-not-ownership", ("agent", "That's not my department."), positive=[],
               judged=["ownership"]),
        record("real-ownership", ("agent", "I'll take care of it."), positive=["ownership"],
               judged=["ownership"]),
    ])
    ownership = by_category(evaluate_files([data], detector))["ownership"]
    assert (ownership.tp, ownership.fp, ownership.fn) == (1, 0, 1)


def test_findings_on_other_turns_and_call_level_findings_never_count(tmp_path, detector):
    data = write_jsonl(tmp_path / "set.jsonl", [
        # the agent apologised on turn 0; the labelled turn is 2
        record("other-turn", ("agent", "I'm sorry."), ("customer", "Fine."), ("agent", "Okay."),
               positive=["apology", "greeting"], judged=["apology", "greeting"]),
    ])
    result = evaluate_files([data], detector, keep_errors=True)
    counts = by_category(result)
    assert counts["apology"].fn == 1 and counts["apology"].tp == 0
    # "Missing: Greeted" is a call-level greeting deduction: not a greeting on the turn, and not
    # listed as found on the turn either
    assert counts["greeting"].fn == 1
    assert all("greeting" not in " ".join(e.fired) for e in result.false_negatives)


def test_labelled_turn_index_refers_to_the_turns_as_written(tmp_path, detector):
    data = write_jsonl(tmp_path / "set.jsonl", [
        record("empty-first", ("customer", "  "), ("customer", "Hello?"), ("agent", "I'm sorry."),
               positive=["apology"], judged=["apology"])])
    result = evaluate_files([data], detector, keep_errors=True)
    assert by_category(result)["apology"].tp == 1


def test_other_label_keys_are_ignored(tmp_path, detector):
    data = write_jsonl(tmp_path / "set.jsonl", [
        record("a", ("agent", "I'm sorry."), positive=["apology"], judged=["apology"],
               note="for people", hard_negative=["courtesy"])])
    assert by_category(evaluate_files([data], detector))["apology"].tp == 1


def test_parallel_workers_give_the_same_figures_and_errors_in_order(tmp_path, detector, monkeypatch):
    import poise.evaluate as evaluate
    monkeypatch.setattr(evaluate, "CHUNK_LINES", 3)
    texts = ["I'm sorry.", "Thanks!", "Okay.", "That's not my department.", "Thank you, I apologize."]
    records = [record(f"r{i}", ("agent", texts[i % len(texts)]), positive=["apology"] if i % 2 else [])
               for i in range(20)]
    records[7]["labels"]["politeness"] = 0.5
    data = write_jsonl(tmp_path / "set.jsonl", records)
    one = evaluate_files([data], detector, keep_errors=True, workers=1)
    two = evaluate_files([data], detector, keep_errors=True, workers=2)
    assert two.to_dict(show_errors=True) == one.to_dict(show_errors=True)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(data.read_text() + "{oops\n")
    with pytest.raises(evaluate.EvalInputError, match=r"bad.jsonl:21: malformed JSON"):
        evaluate_files([bad], detector, workers=2)


def test_category_option_restricts_the_table(tmp_path, detector):
    data = write_jsonl(tmp_path / "set.jsonl", [record("a", ("agent", "Thanks, I'm sorry."), positive=[])])
    result = evaluate_files([data], detector, categories=["apology"])
    assert [c.category for c in result.categories] == ["apology"]


def test_gate_checks_only_categories_with_support(tmp_path, detector):
    data = write_jsonl(tmp_path / "set.jsonl", [
        record("a", ("agent", "I'm sorry."), positive=["apology"], judged=["apology", "courtesy"]),
        record("b", ("agent", "Thanks."), positive=[], judged=["apology", "courtesy"]),
        record("c", ("agent", "Okay."), positive=["ownership"], judged=["ownership"]),
    ])
    result = evaluate_files([data], detector)
    # courtesy has precision 0 but no support; ownership predicts nothing: recall only
    assert gate(result, min_precision=0.9) == []
    assert gate(result, min_recall=0.5) == ["ownership: recall 0.000 < 0.5"]


# -- the command -------------------------------------------------------------------------------
@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    judged = ["apology", "courtesy"]
    return write_jsonl(tmp_path / "labelled.jsonl", [
        record("r-tp", ("agent", "I'm sorry about the bill."), positive=["apology"], judged=judged),
        record("r-fn", ("agent", "My apologies."), positive=["apology"], judged=judged),
        record("r-fp", ("agent", "Thanks, bye."), positive=[], judged=judged),
    ])


def cli_args(labelled: Path, rules_dir: Path, *more: str) -> list[str]:
    return ["eval", str(labelled), "--no-default-rules", "--rules", str(rules_dir), *more]


def test_eval_prints_a_table_per_category(labelled, rules_dir, run_cli):
    result = run_cli(*cli_args(labelled, rules_dir))
    assert result.exit_code == 0, result.stderr
    assert "apology" in result.stdout and "micro-average" in result.stdout
    assert "50.0%" in result.stdout and "—" in result.stdout  # courtesy recall is undefined


def test_json_output_has_per_category_figures_and_nulls(labelled, rules_dir, run_cli):
    result = run_cli(*cli_args(labelled, rules_dir, "--format", "json"))
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert {"files", "records", "rules", "rules_hash", "categories", "micro", "politeness", "gate"} <= set(doc)
    assert "errors" not in doc and doc["records"] == 3 and doc["politeness"] is None
    rows = {c["category"]: c for c in doc["categories"]}
    assert rows["apology"] == {"category": "apology", "judged": 3, "support": 2, "predicted": 1,
                               "tp": 1, "fp": 0, "fn": 1, "precision": 1.0, "recall": 0.5,
                               "f1": 0.6667}
    assert rows["courtesy"]["recall"] is None and rows["courtesy"]["precision"] == 0.0
    assert doc["gate"] == {"passed": True, "failures": []}


def test_show_errors_lists_the_records_words_and_turn_text(labelled, rules_dir, run_cli):
    doc = json.loads(run_cli(*cli_args(labelled, rules_dir, "--format", "json", "--show-errors")).stdout)
    (fp,) = doc["errors"]["false_positives"]
    assert fp["record"] == "r-fp" and fp["category"] == "courtesy" and fp["fired"] == ["Thanks"]
    assert fp["text"] == "Thanks, bye." and fp["location"].endswith("labelled.jsonl:3")
    (fn,) = doc["errors"]["false_negatives"]
    assert (fn["record"], fn["category"], fn["text"]) == ("r-fn", "apology", "My apologies.")
    table = run_cli(*cli_args(labelled, rules_dir, "--show-errors")).stdout
    assert "False positives (1)" in table and "False negatives (1)" in table
    assert "r-fp" in table and "Thanks, bye." in table and "My apologies." in table


def test_fail_under_recall_exits_1_and_says_which_category(labelled, rules_dir, run_cli):
    result = run_cli(*cli_args(labelled, rules_dir, "--fail-under-recall", "0.8"))
    assert result.exit_code == 1
    assert "apology: recall 0.500 < 0.8" in result.stderr
    assert run_cli(*cli_args(labelled, rules_dir, "--fail-under-recall", "0.5")).exit_code == 0
    assert run_cli(*cli_args(labelled, rules_dir, "--fail-under-precision", "0.9")).exit_code == 0


def test_threshold_outside_0_to_1_is_a_usage_error(labelled, rules_dir, run_cli):
    assert run_cli(*cli_args(labelled, rules_dir, "--fail-under-recall", "80")).exit_code == 2


@pytest.mark.parametrize("line, message", [
    ('{"turns": [{"speaker": "agent", "text": "hi"}], "labels": {"turn": 0}', "malformed JSON"),
    ('{"turns": [{"speaker": "agent", "text": "hi"}]}', "no 'labels' object"),
    ('{"turns": [{"speaker": "agent", "text": "hi"}], "labels": {"turn": 3}}', "out of range"),
    ('{"turns": [{"speaker": "agent", "text": "hi"}], "labels": {"turn": 0, "positive": ["apologies"]}}',
     "unknown category 'apologies' (did you mean 'apology'?)"),
    ('{"turns": [{"speaker": "agent", "text": ""}], "labels": {"turn": 0}}', "empty turn"),
    ('{"turns": [{"speaker": "agent", "text": "hi"}], "labels": {"turn": 0, "postive": []}}',
     "did you mean 'positive'?"),
    ('{"turns": [{"speaker": 3, "text": "hi"}], "labels": {"turn": 0}}', "transcript schema"),
])
def test_a_bad_record_is_a_usage_error_naming_file_and_line(tmp_path, rules_dir, run_cli, line, message):
    good = json.dumps(record("ok", ("agent", "hi")))
    path = tmp_path / "bad.jsonl"
    path.write_text(good + "\n" + line + "\n")
    result = run_cli("eval", path, "--no-default-rules", "--rules", rules_dir)
    assert result.exit_code == 2
    assert f"{path}:2:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_and_unknown_category_are_usage_errors(tmp_path, labelled, rules_dir, run_cli):
    missing = run_cli("eval", tmp_path / "nope.jsonl", "--no-default-rules", "--rules", rules_dir)
    assert missing.exit_code == 2 and "nope.jsonl" in missing.stderr
    unknown = run_cli(*cli_args(labelled, rules_dir, "--category", "curtesy"))
    assert unknown.exit_code == 2 and "did you mean 'courtesy'" in unknown.stderr


# -- politeness --------------------------------------------------------------------------------
def finding(category: str, polarity: str) -> Finding:
    return Finding(rule="r", category=category, polarity=polarity, severity="minor", turn=0,
                   speaker="agent", start=0, end=1, text="x", message="m")


def test_politeness_score_adds_credits_and_subtracts_deductions_once_each():
    assert politeness_score([]) == 0
    assert politeness_score([finding("courtesy", "credit"), finding("courtesy", "credit")]) == 1
    assert politeness_score([finding("courtesy", "credit"), finding("rudeness", "deduction")]) == -1
    assert politeness_score([finding("ownership", "deduction")]) == -1
    assert politeness_score([finding("next-steps", "credit")]) == 0


def test_politeness_weights_cover_every_behaviour():
    assert set(POLITENESS_WEIGHTS) == set(CATEGORIES)


def test_politeness_task_takes_rank_quartiles():
    # (human score, predictor score, any finding)
    samples = [(-2.0, -1, True), (-1.5, 0, False), (-1.0, 1, True), (0.0, 0, False),
               (0.1, 1, True), (1.0, 1, True), (1.5, 0, False), (2.0, 2, True)]
    result = politeness_task(samples)
    assert result.per_class == 2 and result.evaluated == 4
    assert (result.correct_impolite, result.correct_polite) == (2, 1)
    assert result.accuracy == 0.75
    assert result.records_no_finding == 3 and result.quartile_no_finding == 2
    assert result.with_findings == 2 and result.accuracy_with_findings == 1.0
    assert (result.bottom_max, result.top_min) == (-1.5, 1.5)


def test_politeness_records_report_quartile_accuracy(tmp_path, rules_dir, run_cli):
    def polite(rid, text, score):
        return record(rid, ("agent", text), politeness=score, judged=[])
    data = write_jsonl(tmp_path / "polite.jsonl", [
        polite("p1", "Thank you so much, could you check?", 1.5),
        polite("p2", "Thanks, I'm sorry to ask again.", 1.2),
        polite("m1", "Could you check the page?", 0.2),
        polite("m2", "Thanks, idiot.", 0.1),
        polite("i1", "Fix it, idiot.", -1.4),
        polite("i2", "Why did you revert it?", -1.0),
        polite("m3", "Please see above.", 0.0),
        polite("m4", "Where is it?", -0.2),
    ])
    result = run_cli("eval", data, "--no-default-rules", "--rules", rules_dir, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["categories"] == [] and doc["micro"]["judged"] == 0
    p = doc["politeness"]
    assert (p["records"], p["evaluated"], p["per_class"]) == (8, 4, 2)
    assert p["accuracy"] == 1.0
    assert p["records_no_finding"] == 4 and p["quartile_no_finding"] == 1
    table = run_cli("eval", data, "--no-default-rules", "--rules", rules_dir).stdout
    assert "Politeness" in table and "100.0%" in table


# -- converters --------------------------------------------------------------------------------
def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "eval" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("raw, clean", [
    ("{F Uh, } [ I, + I ] think so. /", "Uh, I, I think so."),
    ("Okay. -/", "Okay."),
    ("{D Well, } it's <laughter> fine -- # you know # /", "Well, it's fine you know"),
    ("((Hm)) what {C and } <<talks to child>> yeah", "Hm what and yeah"),
    ("No. Huh-uh. *two utts", "No. Huh-uh."),
    ("th- the {E I mean } car [[ note ]] ok", "th- the I mean car ok"),
    ("Oh, I'm sorry.", "Oh, I'm sorry."),
    ("<noise> /", ""),
])
def test_switchboard_markup_is_cleaned_to_plain_words(raw, clean):
    assert load_script("convert_swda").clean_text(raw) == clean


SWDA_SAMPLE = ('conv_id\tutt_idx\tspeaker\ttext\tda_tag\r\n'
               '2005\t0\tA\tOkay.\t"fo_o_fw_""_by_bc"\r\n'
               '2005\t1\tB\t{F Uh, } I broke it. /\tsd\r\n'
               '2005\t2\tA\tOh, I\'m sorry.\tfa\r\n'
               '2005\t3\tB\tThanks a lot. /\tft\r\n'
               '2006\t0\tA\tSo you mean it broke.\tbf\r\n')


def test_swda_converter_makes_one_record_per_utterance_with_context(tmp_path):
    tsv = tmp_path / "utterances.tsv"
    tsv.write_bytes(SWDA_SAMPLE.encode())
    out = tmp_path / "swda.jsonl"
    assert load_script("convert_swda").main([str(tsv), "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["sw2005-0", "sw2005-1", "sw2005-2", "sw2005-3", "sw2006-0"]
    assert records[0]["turns"] == [{"speaker": "agent", "text": "Okay."}]
    assert records[0]["metadata"]["da_tag"] == 'fo_o_fw_"_by_bc'
    assert records[2]["turns"] == [{"speaker": "customer", "text": "Uh, I broke it."},
                                   {"speaker": "agent", "text": "Oh, I'm sorry."}]
    assert records[2]["labels"] == {"turn": 1, "positive": ["apology"],
                                    "judged": ["apology", "courtesy", "active-listening"]}
    assert records[3]["labels"]["positive"] == ["courtesy"]
    # a new conversation starts without context
    assert len(records[4]["turns"]) == 1 and records[4]["labels"]["positive"] == ["active-listening"]


@pytest.mark.parametrize("split, ids", [("dev", ["sw2006-0"]),
                                        ("test", ["sw2005-0", "sw2005-1", "sw2005-2", "sw2005-3"])])
def test_swda_converter_splits_by_conversation(tmp_path, split, ids):
    tsv = tmp_path / "utterances.tsv"
    tsv.write_bytes(SWDA_SAMPLE.encode())
    out = tmp_path / "swda.jsonl"
    assert load_script("convert_swda").main([str(tsv), "-o", str(out), "--split", split]) == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ids


def test_politeness_converter_makes_one_agent_turn_per_request(tmp_path):
    csv_text = ('Community,Id,Request,Score1,Score2,Score3,Score4,Score5,TurkId1,TurkId2,TurkId3,'
                'TurkId4,TurkId5,Normalized Score\n'
                'Wikipedia,629705,"Where did you learn English? How come, then?",13,9,11,11,5,A,B,C,D,E,'
                '-1.12\n'
                'Wikipedia,244336,Thanks very much for your edit. Could you look at <url>?,23,16,24,21,25,'
                'A,B,C,D,E,1.31\n')
    path = tmp_path / "wikipedia.annotated.csv"
    path.write_text(csv_text)
    out = tmp_path / "politeness.jsonl"
    assert load_script("convert_politeness").main([str(path), "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records[0] == {"id": "wikipedia-629705",
                          "metadata": {"community": "Wikipedia", "request_id": "629705"},
                          "turns": [{"speaker": "agent", "text": "Where did you learn English? How come, then?"}],
                          "labels": {"turn": 0, "politeness": -1.12, "judged": []}}
    assert records[1]["labels"]["politeness"] == 1.31


@pytest.mark.parametrize("split, ids", [("dev", ["wikipedia-1", "wikipedia-3"]), ("test", ["wikipedia-2"]),
                                        ("all", ["wikipedia-1", "wikipedia-2", "wikipedia-3"])])
def test_politeness_converter_splits_alternate_rows(tmp_path, split, ids):
    header = 'Community,Id,Request,Normalized Score\n'
    rows = "".join(f"Wikipedia,{i},Could you look at <url>?,0.{i}\n" for i in (1, 2, 3))
    path = tmp_path / "wikipedia.annotated.csv"
    path.write_text(header + rows)
    out = tmp_path / "politeness.jsonl"
    assert load_script("convert_politeness").main([str(path), "-o", str(out), "--split", split]) == 0
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ids


@pytest.mark.parametrize("script", ["convert_swda", "convert_politeness"])
def test_converters_have_help(script):
    done = subprocess.run([sys.executable, str(ROOT / "eval" / f"{script}.py"), "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "usage:" in done.stdout


def test_switchboard_slice_converts_and_evaluates_with_the_default_rules(tmp_path, run_cli):
    tsv = shared_file("eval", "swda-train", "utterances.tsv")
    out = tmp_path / "swda.jsonl"
    assert load_script("convert_swda").main([str(tsv), "-o", str(out), "--limit", "3000"]) == 0
    result = run_cli("eval", out, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["records"] == 3000
    rows = {c["category"]: c for c in doc["categories"]}
    assert set(rows) == {"apology", "courtesy", "active-listening"}
    assert all(r["judged"] == 3000 for r in rows.values())
    assert rows["active-listening"]["support"] > 0


def test_swda_ceiling_is_the_best_f1_a_text_only_method_can_reach():
    """Identical words must get the same answer: "i'm sorry" is tagged fa twice and sd once, so
    calling it positive gives 2 TP + 1 FP; "excuse me" (1 fa, 3 other) is better left out."""
    ceiling = load_script("swda_ceiling").ceiling
    rows = [{"text": t, "da_tag": tag} for t, tag in [
        ("I'm sorry.", "fa"), ("{F Oh, } I'm sorry. /", "fa"), ("I'm sorry", "sd"), ("I'm sorry.", "fa"),
        ("Excuse me.", "fa"), ("Excuse me?", "br"), ("excuse me", "sd"), ("Excuse me,", "sv"),
        ("Sorry about that.", "fa"), ("<noise> /", "fa"), ("Thanks.", "ft")]]
    res = ceiling(rows, "fa")
    # groups: "i'm sorry" 2/3, "oh i'm sorry" 1/1, "excuse me" 1/4, "sorry about that" 1/1; the
    # empty utterance is dropped. Best: everything but "excuse me": TP 4, FP 1, FN 1 -> 8/10.
    assert res["support"] == 5 and (res["tp"], res["fp"], res["fn"]) == (4, 1, 1)
    assert res["f1"] == 0.8 and res["positive_texts"] == 3
    assert (1, 3, "excuse me") in res["conflicts"] and (2, 1, "i'm sorry") in res["conflicts"]
