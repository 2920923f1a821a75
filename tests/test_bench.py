"""Smoke tests for the benchmark harness in bench/: the generator is deterministic and produces
calls poise loads, the synthetic phrase rules load, and every measurement row yields a positive
rate and ratios. No timing or ratio threshold is asserted: machines are noisy."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _module(name: str):
    """bench/NAME.py (bench/ is a folder of scripts that import each other by plain name)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    module = importlib.import_module(name)
    assert Path(module.__file__).parent == BENCH, f"{name} is not bench/{name}.py"
    return module


@pytest.fixture(scope="module")
def generate():
    return _module("generate")


@pytest.fixture(scope="module")
def phrase_rules():
    return _module("phrase_rules")


@pytest.fixture(scope="module")
def bench_run():
    return _module("run")


def test_generator_is_deterministic_for_a_seed(generate, tmp_path):
    a = generate.generate(20, seed=3, packs=None)
    b = generate.generate(20, seed=3, packs=None)
    assert a == b
    assert generate.generate(20, seed=4, packs=None) != a
    first = generate.write_calls(a, tmp_path / "a.jsonl")
    second = generate.write_calls(b, tmp_path / "b.jsonl")
    assert first.read_bytes() == second.read_bytes()


def test_generator_cli_writes_the_same_bytes_for_a_seed(generate, tmp_path):
    for name in ("x.jsonl", "y.jsonl"):
        assert generate.main(["--calls", "5", "--seed", "11", "--no-packs", "-o", str(tmp_path / name)]) == 0
    assert (tmp_path / "x.jsonl").read_bytes() == (tmp_path / "y.jsonl").read_bytes()
    assert len((tmp_path / "x.jsonl").read_text().splitlines()) == 5


def test_generated_calls_load_as_native_json(generate, tmp_path):
    from poise.formats import load_file

    calls = generate.generate(20, seed=7, packs=None)
    transcripts = load_file(generate.write_calls(calls, tmp_path / "calls.jsonl"))
    assert [t.id for t in transcripts] == [c["id"] for c in calls]
    for call, t in zip(calls, transcripts):
        assert 20 <= len(call["turns"]) <= 80
        assert len(t.turns) == len(call["turns"])
        assert [turn.speaker for turn in t.turns[:4]] == ["agent", "customer", "agent", "customer"]
        assert set(call["metadata"]) == {"agent", "team"} and t.metadata == call["metadata"]
        assert all(turn.start is not None and turn.end >= turn.start for turn in t.turns)
    folder = generate.write_calls(calls[:3], tmp_path / "files", "dir")
    files = sorted(folder.glob("*.json"))
    assert len(files) == 3
    assert [load_file(f)[0].id for f in files] == [c["id"] for c in calls[:3]]


def test_generator_draws_phrases_from_rule_packs(generate, tmp_path):
    pack = tmp_path / "packs"
    pack.mkdir()
    (pack / "apology.yaml").write_text(
        "defaults: {category: apology}\n"
        "rules:\n"
        "  - id: apology.zebra\n"
        "    message: m\n"
        "    patterns: ['zebra crossing apology', {phrases: ['quokka regret']}]\n"
        "    examples: {match: ['So sorry about the quokka.'], no_match: []}\n", encoding="utf-8")
    agent, customer = generate.pack_sentences(pack)
    assert "\x00zebra crossing apology" in agent and "So sorry about the quokka." in agent
    assert customer == []
    text = json.dumps(generate.generate(30, seed=1, packs=pack)).lower()
    assert "zebra crossing apology" in text or "quokka" in text


def test_synthetic_phrase_rules_load(phrase_rules, tmp_path):
    folder = phrase_rules.write_phrase_rules(tmp_path / "rules", 60, packs=None)
    n_rules, n_phrases = phrase_rules.phrase_count(folder)
    assert n_rules == 60
    assert n_phrases >= n_rules


def test_every_row_measures_a_positive_rate_and_ratios(bench_run, phrase_rules, tmp_path):
    defaults = phrase_rules.write_phrase_rules(tmp_path / "defaults", 25, seed=5, packs=None)
    res = bench_run.measure(calls=20, repeats=1, seed=7, default_rules=defaults, synthetic_rules=40,
                            workdir=tmp_path, packs=None, warmup=False)
    keys = [r["key"] for r in res["rows"]]
    assert keys == ["tokenize", "regex.default", "regex.300", "engine.default", "engine.300",
                    "engine.300.core", "load", "e2e.files", "e2e.jsonl", "e2e.300"]
    assert res["calls"] == 20 and res["words"] > 0 and res["turns"] >= 400
    for row in res["rows"]:
        assert row["skipped"] is None, row
        assert row["words_per_s"] > 0, row
        assert row["vs_tokenize"] > 0 and row["vs_regex"] > 0, row
        assert len(row["seconds"]) == 1
    assert res["targets"]["engine.300 vs tokenize"]["measured"] > 0
    json.dumps(res)  # --json output is serialisable
    table = bench_run.render_markdown(res)
    assert all(f"`{key}`" in table for key in keys)
    bench_run.render(res)  # the rich table renders


def test_profile_reports_the_engine(bench_run, tmp_path):
    text = bench_run.profile("engine.300", calls=3, n_rules=20, limit=5, packs=None)
    assert "analyze_many" in text


def test_scale_measures_workers_and_peak_memory(bench_run, phrase_rules, tmp_path):
    """--scale: the 1- and 2-worker runs and the peak-RSS runs happen in child processes and
    give positive figures (no threshold: machines are noisy)."""
    rules = phrase_rules.write_phrase_rules(tmp_path / "rules", 10, seed=5, packs=None)
    res = bench_run.measure_scale(calls=6, rss_calls=(4, 8), repeats=1, default_rules=rules, packs=None,
                                  workdir=tmp_path, ceiling_loop=100_000, rss_formats=("jsonl", "html"))
    w = res["workers"]
    assert set(w["seconds"]) == {"1", "2"} and all(len(v) == 1 for v in w["seconds"].values())
    assert w["speedup"] > 0 and w["cpu_ceiling"] > 0 and w["words"] > 0 and w["startup_seconds"] > 0
    assert w["speedup_after_startup"] != 0
    assert [r["calls"] for r in res["rss"]] == [4, 8] and all(r["peak_rss_mib"] > 10 for r in res["rss"])
    assert res["rss_ratio"] > 0
    assert list(res["rss_by_format"]) == ["jsonl", "html"] and res["rss_by_format"]["jsonl"]["rss"] == res["rss"]
    assert [r["calls"] for r in res["rss_by_format"]["html"]["rss"]] == [4, 8]
    text = bench_run.render_scale(res)
    assert "speed-up" in text and "-o r.html" in text and text.count("peak RSS ratio") == 2
    json.dumps(res)


def test_a_failing_child_run_is_reported(bench_run, tmp_path):
    with pytest.raises(RuntimeError, match="exited 3: unreadable"):
        bench_run.run_subprocess(["score", tmp_path / "missing"], tmp_path)


def test_startup_measures_each_command_in_a_fresh_process(bench_run, tmp_path):
    """--startup: --help and a one-call score (rule cache warm and cold) against spacy.blank, each
    timed in a child process; the ratios are the best times over the baseline's best time."""
    res = bench_run.measure_startup(repeats=1, workdir=tmp_path)
    rows = res["rows"]
    assert list(rows) == list(bench_run.STARTUP_ROWS) and res["words"] > 20
    for key in ("score.warm", "score.cold"):
        assert rows[key]["x_blank_wall"] == round(rows[key]["wall_best"] / rows["spacy.blank"]["wall_best"], 2)
        # poise imports spaCy and builds the same blank pipeline, then does more: never faster
        assert rows[key]["cpu_best"] > rows["spacy.blank"]["cpu_best"] > rows["python"]["cpu_best"] > 0
    text = bench_run.render_startup(res)
    assert "poise --help" in text and "rule cache empty" in text and "×" in text
    json.dumps(res)


def test_run_timed_reports_a_failing_command(bench_run, tmp_path):
    with pytest.raises(RuntimeError, match="exited 3"):
        bench_run.run_timed([sys.executable, "-c", "raise SystemExit(3)"], tmp_path)
