"""Throughput features: worker processes give the same results in the same order, the cache
re-scores only what changed and never trusts a corrupt entry, reports stream."""

import json
import shutil

import pytest

from conftest import SAMPLES
from poise.api import Scorer


@pytest.fixture(scope="module")
def scorer():
    return Scorer()


def dicts(items):
    return [i.to_dict(with_turns=True) if hasattr(i, "to_dict") and hasattr(i, "score") else i.to_dict() for i in items]


def test_two_workers_give_identical_results_in_input_order(scorer):
    one = dicts(scorer.score_files([SAMPLES], workers=1))
    two = dicts(scorer.score_files([SAMPLES], workers=2))
    assert one == two and len(one) >= 15


def test_cache_rescored_only_the_changed_file(tmp_path):
    calls = tmp_path / "calls"
    shutil.copytree(SAMPLES, calls)
    cache = tmp_path / "cache"
    first = Scorer(cache_dir=cache)
    fresh = dicts(first.score_files([calls]))
    assert first.cache.hits == 0 and first.cache.misses > 10
    (calls / "short_calls.jsonl").write_text((calls / "short_calls.jsonl").read_text().replace("order", "parcel"))
    second = Scorer(cache_dir=cache)
    again = dicts(second.score_files([calls]))
    assert second.cache.misses == 1 and second.cache.hits == first.cache.misses - 1
    assert [r["id"] for r in again] == [r["id"] for r in fresh]


def test_rule_change_invalidates_the_cache(tmp_path):
    cache = tmp_path / "cache"
    list(Scorer(cache_dir=cache).score_files([SAMPLES / "angry_customer_bad.json"]))
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "x.yaml").write_text("rules:\n  - {id: team.x, category: courtesy, message: m, patterns: [zebra]}\n")
    other = Scorer(cache_dir=cache, rule_dirs=[rules])
    list(other.score_files([SAMPLES / "angry_customer_bad.json"]))
    assert other.cache.hits == 0 and other.cache.misses == 1


def test_corrupt_cache_entry_is_ignored_and_rewritten(tmp_path):
    cache = tmp_path / "cache"
    good = dicts(Scorer(cache_dir=cache).score_files([SAMPLES / "angry_customer_bad.json"]))
    [entry] = list(cache.rglob("*.jsonl"))
    sound = entry.read_bytes()
    for broken in (b'{"format": 2, "key": "truncated',  # cut short
                   sound.replace(b'"score": ', b'"score": 1', 1),  # one byte changed: the checksum fails
                   sound[:sound.rindex(b"\n", 0, -1) + 1]):  # the trailer lost
        entry.write_bytes(broken)
        again = Scorer(cache_dir=cache)
        assert dicts(again.score_files([SAMPLES / "angry_customer_bad.json"])) == good
        assert again.cache.rejected == 1 and again.cache.hits == 0
        assert entry.read_bytes() == sound  # rewritten


def test_cache_clear_command(tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("Agent: Thank you for calling, how can I help?\nCustomer: Hi.\n")
    assert run_cli("score", "a.txt").exit_code == 0
    assert list((tmp_path / ".poise-cache").rglob("*.jsonl"))
    result = run_cli("cache", "clear")
    assert "removed 1 cached result" in result.stdout and not (tmp_path / ".poise-cache").exists()
    run_cli("score", "a.txt", "--no-cache")
    assert not (tmp_path / ".poise-cache").exists()


def test_streamed_json_report_is_one_valid_document(tmp_path, run_cli):
    out = tmp_path / "r.json"
    run_cli("score", SAMPLES, "-o", out, "--workers", "2", "--no-cache")
    doc = json.loads(out.read_text())
    assert doc["summary"]["calls"] == len(doc["calls"]) >= 15


def test_lean_results_keep_what_batch_reports_need(scorer):
    [full] = [r for r in scorer.score_files([SAMPLES / "angry_customer_bad.json"])]
    lean = full.lean()
    assert lean.score == full.score and len(lean.findings) == len(full.findings)
    assert all("text" not in t for t in lean.turns)
    assert [[ln["item"] for ln in s["lines"]] for s in lean.sections] == \
        [[ln["item"] for ln in s["lines"]] for s in full.sections]
    assert not any("evidence" in ln for s in lean.sections for ln in s["lines"])
    assert [t["line"] for t in lean.turns] == [t["line"] for t in full.turns]


def test_streamed_formats_keep_no_results_but_the_same_summary(scorer, tmp_path):
    """-f jsonl|csv|json -o FILE: the Sinks keep no result (memory flat with the batch), and the
    JSON document's summary and the warnings list are the same as when every result is kept."""
    from poise.report import ReportContext
    from poise.report.sinks import Sinks
    from poise.results import summary

    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "latin1.txt").write_bytes("Agent: Thank you for calling, caf\xe9 support.\nCustomer: Hi.\n"
                                       .encode("cp1252"))  # not UTF-8: read as cp1252, with a warning
    results = [r for r in scorer.score_files([SAMPLES, calls]) if hasattr(r, "score")]
    assert any(r.warnings for r in results)
    ctx = ReportContext(rules_hash=scorer.rules_hash, scorecard_name="s", scorecard_hash="h",
                        poise_version="0", section_names=())
    streamed = Sinks([("json", tmp_path / "a.json"), ("jsonl", tmp_path / "a.jsonl")], ctx)
    kept = Sinks([("json", tmp_path / "b.json"), ("html", tmp_path / "b.html")], ctx)
    table = Sinks([("table", None)], ctx)
    for r in results:
        streamed.add(r)
        kept.add(r)
        table.add(r)
    assert streamed.kept is None and streamed.calls == len(results)
    # the HTML report lists every call: spooled to disk, lean, and whole for its transcripts
    assert len(kept.kept) == len(results) and kept.kept.keeps_full
    assert [r.to_dict(with_turns=True) for r in kept.kept] == [r.lean().to_dict(with_turns=True) for r in results]
    assert table.kept is None and table.view.calls == len(results)  # the terminal view does not
    assert [(w.source, w.id, w.warnings) for w in streamed.warned] == \
        [(r.source, r.id, tuple(r.warnings)) for r in results if r.warnings]
    streamed.close([])
    doc = json.loads((tmp_path / "a.json").read_text())
    assert doc["summary"] == summary(results) and len(doc["calls"]) == len(results)


def test_refreshing_the_pipeline_changes_nothing_but_the_vocabulary(scorer):
    """Scorer.refresh_every: a fresh pipeline between files every N calls (spaCy's vocabulary
    only grows) gives the same results, and really replaces the pipeline."""
    refreshing = Scorer(refresh_every=3)
    first = refreshing.detector
    words_before = len(first.nlp.vocab.strings)
    got = dicts(refreshing.score_files([SAMPLES]))
    assert got == dicts(scorer.score_files([SAMPLES]))
    assert refreshing.detector is not first  # 19 calls, a refresh every 3: several rebuilds
    assert len(refreshing.detector.nlp.vocab.strings) < len(first.nlp.vocab.strings)
    assert len(first.nlp.vocab.strings) > words_before


def test_the_streamed_terminal_view_prints_what_the_full_results_give(scorer, capsys, monkeypatch):
    """The terminal overview gathered call by call (BatchView, keeping only the worst rows)
    prints exactly what rendering the kept results prints: summary, worst calls (truncated),
    histogram, frequent findings, metric distributions, groups."""
    from poise.report import ReportContext, console, terminal

    results = [r for r in scorer.score_files([SAMPLES]) if hasattr(r, "score")]
    assert len(results) > 15
    ctx = ReportContext(rules_hash=scorer.rules_hash, scorecard_name="s", scorecard_hash="h",
                        poise_version="0", section_names=(), group_by="team")
    monkeypatch.setenv("COLUMNS", "140")

    def printed(what) -> str:
        console.cache_clear()
        terminal.render(what, [], ctx, limit=4)
        return capsys.readouterr().out

    view = terminal.BatchView(limit=4, group_by="team")
    for r in results:
        view.add(r)
    assert len(view._rows) <= 2 * 4  # only the worst rows are kept
    streamed, full = printed(view), printed(list(results))
    assert streamed == full
    assert f"(4 of {len(results)})" in streamed and "Most frequent deductions" in streamed
    assert "By team" in streamed and "Conversation metrics" in streamed
    ordered = sorted(results, key=lambda r: (r.score is None, r.score if r.score is not None else 0.0, r.id))
    assert [row.id for row in view.worst()] == [r.id for r in ordered[:4]]
    assert ordered[0].id[:20] in streamed


def test_a_fully_cached_batch_needs_no_pipeline_and_no_workers(tmp_path):
    """When every file is in the result cache, the results come from it in this process: the
    spaCy pipeline is never built (a CI re-run of unchanged calls takes a fraction of a second)."""
    cache = tmp_path / "cache"
    fresh = dicts(Scorer(cache_dir=cache).score_files([SAMPLES], workers=2))
    again = Scorer(cache_dir=cache)
    assert dicts(again.score_files([SAMPLES], workers=2)) == fresh
    assert again._detector is None and again.cache.misses == 0 and again.cache.hits >= 15
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "new.txt").write_text("Agent: Thanks for calling, how can I help?\nCustomer: Hi.\n")
    mixed = Scorer(cache_dir=cache)
    got = dicts(mixed.score_files([SAMPLES, tmp_path / "more"], workers=2))
    assert got[:-1] == fresh and mixed._detector is not None  # one new file: the pipeline is built


def test_a_big_file_is_split_across_workers_with_identical_results(tmp_path):
    """One file of many calls (a JSONL export) is read once and its calls go to the workers in
    chunks: the same results in the same order as one worker, the file cached as a whole."""
    from poise.batch import score_in_order
    export = tmp_path / "export.jsonl"
    lines = (SAMPLES / "short_calls.jsonl").read_text().splitlines()
    export.write_text("\n".join(line.replace('"id": "', f'"id": "{n}-') for n in range(7) for line in lines) + "\n")
    one = dicts(Scorer().score_files([export, SAMPLES / "angry_customer_bad.json"], workers=1))
    assert len(one) == 22
    cache = tmp_path / "cache"
    split = Scorer(cache_dir=cache)
    done = []
    got = dicts(score_in_order(split, [export, SAMPLES / "angry_customer_bad.json"], workers=2,
                               on_file=done.append, split_bytes=1000, chunk_calls=4))
    assert got == one and done == [1, 1]
    again = Scorer(cache_dir=cache)
    assert dicts(again.score_files([export], workers=1)) == one[:21] and again.cache.hits == 1


def test_a_split_file_stopped_half_way_leaves_no_cache_entry(tmp_path):
    """The cache entry of a split file is written chunk by chunk as results come back: a batch
    stopped in the middle (Ctrl-C, a failing report) leaves neither an entry nor a temp file,
    and a finished one is read back one result at a time."""
    from poise.batch import score_in_order
    export = tmp_path / "export.jsonl"
    lines = (SAMPLES / "short_calls.jsonl").read_text().splitlines()
    export.write_text("\n".join(line.replace('"id": "', f'"id": "{n}-') for n in range(7) for line in lines) + "\n")
    cache = tmp_path / "cache"
    scorer = Scorer(cache_dir=cache)
    run = score_in_order(scorer, [export], workers=2, split_bytes=1000, chunk_calls=4)
    first = [next(run) for _ in range(6)]  # past the first chunk
    run.close()
    assert len(first) == 6 and not [p for p in cache.rglob("*") if p.is_file()]
    whole = dicts(score_in_order(scorer, [export], workers=2, split_bytes=1000, chunk_calls=4))
    [entry] = list(cache.rglob("*.jsonl"))
    assert len(entry.read_text().splitlines()) == len(whole) + 2  # header, one line a call, trailer
    items = scorer.cache.iter(scorer._cache_key(export), str(export))
    assert not isinstance(items, list) and dicts(items) == whole


def test_one_worker_streams_a_file_through_its_cache_entry(tmp_path):
    """iter_path: results come out one at a time and go into the cache entry as they do; the
    entry exists only once the file is finished, and is then read back lazily."""
    cache = tmp_path / "cache"
    scorer = Scorer(cache_dir=cache)
    path = SAMPLES / "short_calls.jsonl"
    run = scorer.iter_path(path)
    first = next(run)
    assert first.id and not list(cache.rglob("*.jsonl"))
    run.close()
    assert not [p for p in cache.rglob("*") if p.is_file()]  # abandoned: no entry, no temp file
    whole = dicts(scorer.iter_path(path))
    assert len(whole) > 1 and len(list(cache.rglob("*.jsonl"))) == 1
    again = Scorer(cache_dir=cache)
    assert dicts(again.iter_path(path)) == whole and again.cache.hits == 1 and again._detector is None


def test_a_big_unreadable_file_is_reported_in_its_place(tmp_path):
    from poise.batch import score_in_order
    bad = tmp_path / "a-broken.jsonl"
    bad.write_text('{"id": "x", "turns": [}\n' * 100)
    items = list(score_in_order(Scorer(), [bad, SAMPLES / "angry_customer_bad.json"], workers=2, split_bytes=100))
    assert items[0].path == str(bad) and "malformed" in items[0].reason
    assert items[1].id == "BLF-20241121-1609"


def test_a_bad_line_late_in_a_big_export_makes_it_unreadable_before_any_call_goes_out(tmp_path):
    """A split JSONL export is loaded a chunk of lines at a time, but checked whole first: a
    malformed line 40 lines in yields the file's error and none of its calls, as when it was
    loaded whole."""
    from poise.batch import score_in_order
    lines = (SAMPLES / "short_calls.jsonl").read_text().splitlines()
    good = [line.replace('"id": "', f'"id": "{n}-') for n in range(14) for line in lines]
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(good[:40] + ['{"id": "late", "turns": [}'] + good[40:]) + "\n")
    items = list(score_in_order(Scorer(), [export, SAMPLES / "angry_customer_bad.json"], workers=2,
                                split_bytes=1000, chunk_calls=4))
    assert len(items) == 2 and items[0].path == str(export)
    assert items[0].reason.startswith("malformed JSON Lines at line 41")
    assert items[1].id == "BLF-20241121-1609"


@pytest.mark.parametrize("size", [1, 3, 64])
def test_chunked_loading_gives_what_loading_whole_gives(tmp_path, size):
    """load_text_chunks (a JSONL file a few lines at a time, other formats cut after loading) ==
    load_file, for every sample and for JSONL with blank lines, calls without ids (named by line),
    not-UTF-8 bytes and lone surrogates (warnings)."""
    from poise.formats import LoadOptions, load_file, load_text_chunks, read_text
    odd = tmp_path / "odd.jsonl"
    odd.write_bytes(b'{"turns": [{"speaker": "agent", "text": "Caf\xe9 open"}]}\n\n\n'
                    b'{"id": "s", "turns": [{"speaker": "agent", "text": "a \\ud800 b"}]}\n'
                    b'{"turns": [{"speaker": "customer", "text": "hi"}, {"speaker": "agent", "text": "Hello"}]}\n')
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix != ".md") + [odd]
    for path in files:
        options = LoadOptions()
        whole = load_file(path, options)
        text, warnings = read_text(path, options.max_file_size)
        chunks = list(load_text_chunks(text, path, options, size, warnings))
        assert all(0 < len(c) <= size for c in chunks), path
        assert [t for c in chunks for t in c] == whole, path
    odd_calls = load_file(odd, LoadOptions())
    assert [t.id for t in odd_calls] == ["odd:1", "s", "odd:5"]
    assert all(any("cp1252" in w for w in t.warnings) for t in odd_calls)
    assert any("surrogate" in w for w in odd_calls[1].warnings)
