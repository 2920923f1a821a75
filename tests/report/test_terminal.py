"""The terminal reports: the batch overview (``poise score``) and the one-call view (``poise show``)."""

from __future__ import annotations

import re

import pytest

from poise.batch import InputError
from poise.report import ReportContext, terminal
from poise.results import CallResult

CTX = ReportContext(rules_hash="abc123def4567890", scorecard_name="test scorecard", scorecard_hash="f00",
                    poise_version="0.0.test")



def finding(rule, turn, start=None, end=None, text="", *, category=None, polarity="deduction",
            severity="major", message=None, tip="", kind="match", turns=None):
    category = category or rule.split(".")[0]
    if turns is not None and start is not None and not text:
        text = turns[turn]["text"][start:end]
    return {"rule": rule, "category": category, "polarity": polarity, "severity": severity, "turn": turn,
            "speaker": "agent" if turn is not None else None, "start": start, "end": end, "text": text,
            "message": message or f"message of {rule}", "tip": tip, "kind": kind}


def section(name, score, lines=(), weight=10.0):
    return {"name": name, "weight": weight, "score": score, "earned": (score or 0.0) / 10, "deducted": 0.0,
            "potential": 0.0 if score is None else 10.0, "lines": list(lines)}


def call(id="call-1", score=50.0, band="Unacceptable", *, findings=(), turns=(), sections=(),
         metadata=None, source=None, auto_fail=None, warnings=()):
    return CallResult(id=id, source=source or f"calls/{id}.json", format="json",
                      metadata=metadata if metadata is not None else {"agent": "Alex"}, roles={},
                      turns=tuple(turns), findings=tuple(findings), score=score, band=band,
                      auto_fail=auto_fail, sections=tuple(sections), warnings=tuple(warnings),
                      words=20, duration=75.0)


def turn(speaker, text, start=None):
    return {"speaker": speaker, "label": speaker, "text": text, "start": start, "end": None, "line": None}


def band_of(score):
    return "Excellent" if score >= 90 else "Good" if score >= 75 else "Needs coaching" if score >= 60 \
        else "Unacceptable"


def batch(*scores, **extra):
    return [call(f"call-{i}", s, band_of(s) if s is not None else None, **extra) for i, s in enumerate(scores)]


# -- the batch view -----------------------------------------------------------------------------
def test_batch_table_lists_calls_worst_first_with_unscored_last(screen):
    results = [call("middling", 70.0, "Needs coaching"), call("unscored", None, None),
               call("worst", 12.5, "Unacceptable"), call("best", 95.0, "Excellent")]
    terminal.render(results, [], CTX)
    out = screen.readouterr().out
    table = out[out.index("Calls, worst first"):]
    positions = [table.index(name) for name in ("worst", "middling", "best", "unscored")]
    assert positions == sorted(positions)
    assert "12.5" in table and "Unacceptable" in table and "Excellent" in table


def test_summary_shows_mean_median_band_counts_and_auto_fails(screen):
    results = batch(10.0, 20.0, 60.0, 92.0) + [call("failed", 0.0, "Unacceptable", auto_fail="Profanity")]
    terminal.render(results, [InputError("bad.json", "malformed JSON")], CTX)
    out = screen.readouterr().out
    assert re.search(r"Calls scored\s+5\b", out)
    assert re.search(r"Unreadable files\s+1\b", out)
    assert re.search(r"Mean score\s+36\.4\b", out)  # (10 + 20 + 60 + 92 + 0) / 5
    assert re.search(r"Median score\s+20\.0\b", out)
    assert re.search(r"Excellent 1\s+Good 0\s+Needs coaching 1\s+Unacceptable 3", out)
    assert re.search(r"Auto-failed\s+1\b", out)
    assert "abc123def4567890" in out and "test scorecard" in out


def test_histogram_counts_calls_in_ten_point_buckets(screen):
    results = batch(0.0, 9.9, 10.0, 55.0, 89.9, 90.0, 100.0, None)
    assert terminal.histogram_counts(results) == [2, 1, 0, 0, 0, 1, 0, 0, 1, 2]
    terminal.render(results, [], CTX)
    out = screen.readouterr().out
    rows = dict(re.findall(r"^\s*(\d+–\d+) (\d+) ", out, re.M))
    assert rows["0–9"] == "2" and rows["90–100"] == "2" and rows["20–29"] == "0"
    bars = {label: line.count(terminal.BAR) for line in out.splitlines()
            for label in [line.split()[0] if line.strip() else ""] if label in rows}
    assert bars["0–9"] == bars["90–100"] > bars["10–19"] > 0 and bars["20–29"] == 0


def test_frequent_deductions_count_calls_and_findings_per_rule(screen):
    blame = finding("blame.deflect", 0, 0, 3, "not")
    results = [call("a", 40.0, findings=[blame, blame]), call("b", 50.0, findings=[blame]),
               call("c", 60.0, findings=[finding("rudeness.swear", 0, 0, 3, "damn")])]
    rows = terminal.frequent_findings(results, "deduction")
    assert [(r["rule"], r["calls"], r["findings"]) for r in rows] == [("blame.deflect", 2, 3),
                                                                      ("rudeness.swear", 1, 1)]
    terminal.render(results, [], CTX)
    out = screen.readouterr().out
    assert re.search(r"- blame\.deflect\s+blame\s+2\s+3", out)
    assert "message of blame.deflect" in out


def test_group_by_aggregates_calls_mean_bands_and_top_deduction(screen):
    blame = finding("blame.deflect", 0, 0, 3, "not")
    results = [call("a", 40.0, "Unacceptable", metadata={"team": "Billing"}, findings=[blame]),
               call("b", 80.0, "Good", metadata={"team": "Billing"}),
               call("c", 95.0, "Excellent", metadata={"team": "Care"}),
               call("d", 70.0, "Needs coaching", metadata={})]
    rows = {g["group"]: g for g in terminal.group_rows(results, "team")}
    assert rows["Billing"]["calls"] == 2 and rows["Billing"]["mean"] == 60.0
    assert rows["Billing"]["bands"] == {"Unacceptable": 1, "Good": 1}
    assert rows["Billing"]["top_category"] == "blame"
    assert rows["(none)"]["calls"] == 1
    terminal.render(results, [], ReportContext(**{**CTX.__dict__, "group_by": "team"}))
    out = screen.readouterr().out
    table = out[out.index("By team"):]
    assert re.search(r"Billing\s+2\s+60\.0\s+0\s+1\s+0\s+1\s+blame", table)  # E G NC U
    assert table.index("Billing") < table.index("(none)") < table.index("Care")  # worst mean first


def test_batch_view_fits_80_columns_and_shortens_long_ids_in_the_middle(screen):
    long_id = "queue-escalations-2024-11-21-agent-marcus-bell-call-0001"
    results = [call(long_id, 30.0, findings=[finding("blame.deflect", 0, 0, 3, "that's not on us at all")]),
               call("short", 90.0, "Excellent", metadata={"agent": "A very long agent name indeed"})]
    terminal.render(results, [], ReportContext(**{**CTX.__dict__, "group_by": "agent"}))
    out = screen.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert long_id not in out and "queue-esc" in out and "call-0001" in out
    assert "…" in out


def test_a_single_call_gets_the_call_view(screen):
    terminal.render([call("only", 81.0, "Good", turns=[turn("agent", "Hello there")])], [], CTX)
    out = screen.readouterr().out
    assert "Transcript" in out and "Calls, worst first" not in out
    assert "only" in out and "81.0" in out and "Good" in out


# -- problems on stderr -------------------------------------------------------------------------
def test_unreadable_files_and_warnings_are_plain_lines_on_stderr(screen):
    long_path = "calls/" + "x" * 120 + "/bad.json"
    results = [call("a", 50.0, warnings=["no agent speaker found"])]
    terminal.render(results + batch(60.0), [InputError(long_path, "malformed JSON at line 1")], CTX)
    captured = screen.readouterr()
    assert "warning: calls/a.json (a): no agent speaker found" in captured.err.splitlines()
    assert f"unreadable: {long_path}: malformed JSON at line 1" in captured.err.splitlines()
    assert "unreadable" not in captured.out


def test_render_problems_alone_writes_only_stderr(screen):
    terminal.render_problems([], [InputError("gone.txt", "no such file or folder")])
    captured = screen.readouterr()
    assert captured.out == "" and captured.err.strip() == "unreadable: gone.txt: no such file or folder"


# -- the one-call view --------------------------------------------------------------------------
TURNS = [turn("agent", "Thanks for calling, this is Sam.", 0.0),
         turn("customer", "You cut off my internet and I am furious about it.", 4.2),
         turn("agent", "I'm sorry for the trouble. You should have paid on time though, that is policy "
                       "and there is really nothing more that anyone here can do about it today.", 65.0)]


def at(index, words):
    """(turn, start, end) of ``words`` in TURNS[index]."""
    start = TURNS[index]["text"].index(words)
    return index, start, start + len(words)


def sample_call(**extra):
    findings = [
        finding("greeting.thanks", *at(0, "Thanks for calling"), turns=TURNS, category="greeting", polarity="credit",
                severity="minor", message="Thanked the customer for calling"),
        finding("frustration.furious", *at(1, "furious"), turns=TURNS, category="customer-frustration",
                message="Customer is frustrated"),
        finding("apology.sorry", *at(2, "sorry for"), turns=TURNS, category="apology", polarity="credit",
                severity="minor", message="Said sorry"),
        finding("blame.should-have", *at(2, "You should have"), turns=TURNS, message="Blamed the customer",
                tip="Skip the blame and go to the fix."),
        finding("blame.should-have", *at(2, "You should have paid"), turns=TURNS, message="Blamed the customer",
                tip="Skip the blame and go to the fix."),
        finding("next-steps.missing", None, kind="missing", text="", message="Never said what happens next",
                tip="Say what happens next, and when."),
    ]
    sections = [
        section("Opening", 100.0, [{"section": "Opening", "item": "Greeted the customer", "points": 10.0,
                                    "status": "PRESENT",
                                    "evidence": [{"rule": "greeting.thanks", "turn": 0, "text": "Thanks for calling"}]}]),
        section("Empathy", None, [{"section": "Empathy", "item": "Acknowledged feelings", "points": 0.0,
                                   "status": "N/A", "evidence": []}]),
        section("Professional language", 60.0, [{"section": "Professional language", "item": "blame",
                                                 "points": -8.0, "status": "DEDUCTION",
                                                 "evidence": [{"rule": "blame.should-have", "turn": 2,
                                                               "text": "You should have"}]}]),
    ]
    return call("CALL-42", 58.3, "Unacceptable", turns=TURNS, findings=findings, sections=sections,
                metadata={"agent": "Sam Okafor"}, **extra)


def test_call_view_marks_evidence_words_and_findings_without_colour(screen):
    terminal.render_call(sample_call(), CTX)
    out = screen.readouterr().out
    assert "\x1b[" not in out
    assert "«Thanks for calling»" in out and "«sorry for»" in out
    assert "«You should have paid»" in out  # overlapping spans merged into one mark
    assert '+ greeting: "Thanks for calling"' in out
    assert '+ apology: "sorry for"' in out
    assert '- blame: "You should have"' in out
    assert '! customer-frustration: "furious"' in out
    assert re.search(r"\[00:00\] AGENT:", out) and re.search(r"\[00:04\] CUSTOMER:", out)
    assert re.search(r"\[01:05\] AGENT:", out)


def test_call_view_header_shows_id_agent_score_band_and_source(screen):
    terminal.render_call(sample_call(auto_fail="Agent used profanity or abuse: 'damn'"), CTX)
    out = screen.readouterr().out
    header = out[:out.index("Transcript")]
    for expected in ("CALL-42", "Sam Okafor", "58.3 / 100", "Unacceptable", "calls/CALL-42.json",
                     "AUTO-FAIL", "Agent used profanity or abuse: 'damn'"):
        assert expected in header


def test_call_level_findings_are_listed_after_the_transcript(screen):
    terminal.render_call(sample_call(), CTX)
    out = screen.readouterr().out
    assert out.index("Transcript") < out.index("Call-level findings") < out.index("Scorecard sections")
    assert "- next-steps: Never said what happens next" in out


def test_call_view_gives_one_coaching_tip_per_deduction_rule_then_strengths(screen):
    terminal.render_call(sample_call(), CTX)
    out = screen.readouterr().out
    tips = out[out.index("Coaching tips"):out.index("Strengths")]
    assert tips.count("Blamed the customer") == 1 and "Skip the blame and go to the fix." in tips
    assert "turn 3" in tips  # both blame findings are on the third turn
    assert "Say what happens next, and when." in tips
    assert "Customer is frustrated" not in tips  # a customer signal is not the agent's fault
    strengths = out[out.index("Strengths"):]
    assert "+ Thanked the customer for calling" in strengths and "+ Said sorry" in strengths


def test_call_view_shows_na_sections_as_na_and_lines_with_evidence(screen):
    terminal.render_call(sample_call(), CTX)
    out = screen.readouterr().out
    sections = out[out.index("Scorecard sections"):out.index("Coaching tips")]
    assert re.search(r"Empathy .*N/A", sections)
    assert re.search(r"Acknowledged feelings\s+N/A\s+—", sections)
    assert re.search(r"Greeted the customer\s+PRESENT\s+\+10", sections)
    assert 'turn 1: "Thanks for calling"' in sections
    assert re.search(r"blame\s+DEDUCTION\s+-8", sections) and 'turn 3: "You should have"' in sections


def test_call_view_fits_80_columns(screen):
    long_words = "supercalifragilisticexpialidocious" * 4
    result = sample_call(warnings=["roles guessed from wording (confidence 60%): check the agent"])
    result = CallResult(**{**result.__dict__, "id": "X" * 100, "turns": result.turns + (turn("agent", long_words, 3725.0),)})
    terminal.render_call(result, CTX)
    out = screen.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "[1:02:05] AGENT:" in out


def test_highlight_lays_overlapping_spans_longest_first_in_category_colours():
    text = "You should have paid on time"
    longer = finding("blame.a", 0, 0, 20, text[0:20])
    shorter = finding("blame.b", 0, 4, 10, text[4:10], category="negative-language")
    styled = terminal.highlight(text, [shorter, longer])
    spans = [(s.start, s.end, str(s.style)) for s in styled.spans]
    assert spans[0][:2] == (0, 20) and "red" in spans[0][2]
    assert spans[1][:2] == (4, 10) and "yellow" in spans[1][2]
    assert styled.plain == text  # with colour on, the words are left as they are


def test_suppressed_findings_are_shown_as_set_aside(screen):
    aside = {**finding("blame.deflect", *at(2, "that is policy"), turns=TURNS),
             "suppressed_by": "inline marker 'poise: ignore'"}
    result = CallResult(**{**sample_call().__dict__, "suppressed": (aside,)})
    terminal.render_call(result, CTX)
    out = screen.readouterr().out
    assert "Set aside (not scored)" in out
    assert re.search(r'~ blame: "that is policy" \(turn 3; inline marker', out)
    assert "«that is policy»" not in out  # not highlighted as evidence
